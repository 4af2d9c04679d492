#!/bin/bash
# Boot kernel release $1 under QEMU (TCG) with this machine's root as the
# guest's read-only root, and run guest script $2 (a path on this machine)
# as the guest's init, via tests/vm/guest-init.sh. $3 is a directory the
# guest can write (mounted at /mnt). The console goes to $3/console.log.
# Exit status: the script's, or 1 on panic, oops, WARN or timeout.
# SYNFIN_VM_KERNEL: a kernel image other than /boot/vmlinuz-$1.
set -euo pipefail
kver=$1 script=$2 outdir=$3
top=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=${SYNFIN_VM_TIMEOUT:-1800}
kernel=${SYNFIN_VM_KERNEL:-/boot/vmlinuz-$kver}
smp=${SYNFIN_VM_SMP:-2}
# SYNFIN_VM_SECTIONS: what of the suite to run, names of sections or of
# tests (tests/vm/suite.sh --list; separated by spaces or commas; empty:
# all), given to the guest as synfin.sections=a,b.
sections=$(tr -s ' ,\t\n' ',' <<< "${SYNFIN_VM_SECTIONS:-}" | sed 's/^,//; s/,$//')
# The suite's names are checked here, before a boot: an unknown one is an
# error (exit 2).
if [ -n "$sections" ] && [ "${script##*/}" = suite.sh ] &&
   ! bash "$script" --check "$sections" > /dev/null; then
	echo "vm-run: SYNFIN_VM_SECTIONS='$SYNFIN_VM_SECTIONS' names no test of $script" >&2
	exit 2
fi
# SYNFIN_VM_APPEND: more of the guest's kernel command line (vm-tests.sh
# gives a debug kernel slab_nomerge).
append=${SYNFIN_VM_APPEND:-}
# A KCSAN kernel (*-synfin-kcsan, scripts/debug-kernel.sh kcsan) reports
# data races anywhere in the kernel, and panics on each under
# panic_on_warn: it boots with panic_on_warn=0 (the last value given
# counts), and only its reports that name synfin fail the run (a WARN
# still does: "WARNING:" is looked for). All of them go to $3/kcsan.log.
kcsan=
case $kver in *-synfin-kcsan) kcsan=1 append="$append panic_on_warn=0" ;; esac

mkdir -p "$top/build" "$outdir"
initrd="$top/build/initramfs-$kver.cpio.gz"
# (under a lock: two guests of one kernel may start together)
exec 9> "$initrd.lock"
flock 9
if [ ! -s "$initrd" ] || [ "$initrd" -ot "$top/scripts/mkinitramfs.sh" ]; then
	rm -f "$initrd"
	"$top/scripts/mkinitramfs.sh" "$kver" "$initrd"
fi
flock -u 9
exec 9>&-
rm -f "$outdir/rc" "$outdir/console.log"

# Single-threaded TCG: with one host thread per vCPU, the kernel's own
# boot-time code patching (int3-based text_poke) can race with stale
# translated code on the other vCPU and oops before anything of ours runs.
accel="-accel tcg,thread=single -cpu max"
# Benchmarks want a host thread per vCPU, so that the reader and the load
# run side by side as on real hardware; a boot crash is retried below.
if [ "${SYNFIN_VM_MTTCG:-0}" = 1 ]; then accel="-accel tcg,thread=multi -cpu max"; fi
if [ "${SYNFIN_VM_KVM:-0}" = 1 ]; then accel="-accel kvm -cpu host"; fi
# Guest time from the count of instructions run (2^N ns each) while the
# vCPU is busy, not from the host's clock: a benchmark then measures the
# work each configuration does, whatever else the host is running. While
# it is idle, guest time follows the host's (SYNFIN_VM_ICOUNT_SLEEP=off:
# jumps to the next timer instead).
if [ -n "${SYNFIN_VM_ICOUNT:-}" ]; then
	accel="-accel tcg,thread=single -cpu max -icount shift=$SYNFIN_VM_ICOUNT${SYNFIN_VM_ICOUNT_SLEEP:+,sleep=$SYNFIN_VM_ICOUNT_SLEEP}"
fi

boot() {
	set +e
	# shellcheck disable=SC2086
	timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 $accel \
		-smp "$smp" -m 1536 -nographic -no-reboot -nodefaults \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 panic_on_warn=1 oops=panic loglevel=6 synfin.top=$top synfin.script=$top/tests/vm/guest-init.sh synfin.test=$script${sections:+ synfin.sections=$sections}${append:+ $append}" \
		-serial "file:$outdir/console.log" \
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap" \
		-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
		-fsdev "local,id=repo,path=$top,security_model=none,readonly=on,multidevs=remap" \
		-device virtio-9p-pci,fsdev=repo,mount_tag=repo \
		-fsdev "local,id=out,path=$outdir,security_model=none" \
		-device virtio-9p-pci,fsdev=out,mount_tag=out \
		-device virtio-rng-pci > "$outdir/qemu.log" 2>&1
	qrc=$?
	set -e
	if [ -n "$kcsan" ]; then kcsan_filter; fi
}

# The console that problems are looked for in. A KCSAN kernel's: the
# console without the title line ("BUG: KCSAN: data-race in A / B") of
# each report whose functions and stacks do not mention synfin (module
# symbols print as "name+0x../0x.. [synfin]"); the rest of a report
# matches no problem pattern, and other messages printed in its midst
# stay where they were.
checked=$outdir/console.log
kcsan_filter() {
	[ -f "$outdir/console.log" ] || return 0
	checked=$outdir/console-checked.log
	: > "$outdir/kcsan.log"
	awk -v reports="$outdir/kcsan.log" '
	function done(   mine, i) {
		mine = body ~ /\[synfin\]|synfin_/
		for (i = 1; i <= n; i++) {
			if (i > 1 || mine) print buf[i]
			print buf[i] > reports
		}
		print (mine ? "^ names synfin: fails the run" : "^ not synfin: ignored") "\n" > reports
		n = 0; body = ""
	}
	index($0, "BUG: KCSAN:") { if (n) done(); n = 1; buf[1] = $0; body = $0; next }
	n { buf[++n] = $0; if (index($0, "Reported by Kernel Concurrency Sanitizer")) done(); else body = body "\n" $0; next }
	{ print }
	END { if (n) done() }' "$outdir/console.log" > "$checked"
}

problem='Kernel panic|BUG:|Oops|WARNING:|Call Trace:|UBSAN:|KASAN:|ODEBUG:|kmemleak:.*new suspected|possible (recursive|circular) locking|INFO: task .* blocked'
boot
# A crash before the test even started cannot be ours (no module is
# loaded yet): say so, keep its console, and boot once more.
if grep -qE "$problem" "$checked" &&
   ! grep -q "synfin-vm: kernel" "$outdir/console.log"; then
	echo "vm-run: $kver: the kernel crashed while booting, before the test started; retrying once:" >&2
	grep -m3 -E "$problem" "$checked" >&2
	mv "$outdir/console.log" "$outdir/console-boot-crash.log"
	boot
fi

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm-run: $kver: timed out after ${timeout_s}s" >&2
	rc=1
elif grep -qE "$problem" "$checked"; then
	echo "vm-run: $kver: kernel reported a problem:" >&2
	grep -nE -A20 "$problem" "$checked" | head -60 >&2
	rc=1
elif [ -f "$outdir/rc" ]; then
	rc=$(cat "$outdir/rc")
else
	echo "vm-run: $kver: guest ended without a result (qemu exit $qrc)" >&2
	tail -30 "$outdir/console.log" >&2
	rc=1
fi
exit "$rc"
