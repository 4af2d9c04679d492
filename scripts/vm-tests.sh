#!/bin/bash
# Build the module for each kernel release given (default: all installed)
# and run the VM suite on each. Output per kernel in build/vm/<release>/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# = 0 ]; then
	# Default: every installed kernel, which must include 6.1 and 6.12.
	set -- $("$top/scripts/kernels.sh")
	case " $* " in *" 6.1."*) ;; *) echo "vm-tests: no 6.1 kernel with headers" >&2; exit 1 ;; esac
	case " $* " in *" 6.12."*) ;; *) echo "vm-tests: no 6.12 kernel with headers" >&2; exit 1 ;; esac
fi
# The sections of tests/vm/suite.sh to run (make's VM_TESTS): names
# separated by spaces or commas; empty or "all": every section. Unless
# named, a PREEMPT_RT kernel (release *-rt-amd64) runs only
# SYNFIN_VM_RT_SECTIONS (default "core load"; empty or "all": every one).
rt_sections=${SYNFIN_VM_RT_SECTIONS-core load}
# They go onto the guest's kernel command line.
for s in "${SYNFIN_VM_SECTIONS:-}" "$rt_sections"; do
	[[ $s =~ ^[A-Za-z0-9_,\ -]*$ ]] || { echo "vm-tests: bad section names '$s'" >&2; exit 2; }
done
sections_for() { # kver: its sections, comma-separated (empty: all)
	local s=${SYNFIN_VM_SECTIONS:-}
	if [ -z "${s//[ ,]/}" ]; then
		case $1 in *-rt-amd64) s=$rt_sections ;; esac
	fi
	s=$(tr -s ' ,' '\n' <<< "$s" | grep . | paste -sd,)
	case ,$s, in *,all,*) s= ;; esac
	echo "$s"
}
sections_said() { # sections: how the log names them
	if [ -n "$1" ]; then echo "sections ${1//,/ }"; else echo "every section"; fi
}
# The guest runs the kernel's YNL client against the synfin family.
"$top/scripts/kernel-tools.sh" > /dev/null || exit 1
rc=0
rm -rf "$top/build/vm"
for kver in "$@"; do
	echo "== $kver: building the module"
	case $kver in
	*-synfin-debug|*-synfin-kcsan)
		# make check-debug, check-kcsan: a kernel that
		# scripts/debug-kernel.sh built (KASAN or KCSAN flavour),
		# booted with slab_nomerge (the module's caches its own)
		flavour=kasan
		case $kver in *-synfin-kcsan) flavour=kcsan ;; esac
		dbg=$("$top/scripts/debug-kernel.sh" $flavour) || { rc=1; continue; }
		export SYNFIN_KDIR=$dbg SYNFIN_VM_KERNEL=$dbg/arch/x86/boot/bzImage
		vm_append="${SYNFIN_VM_APPEND:+$SYNFIN_VM_APPEND }slab_nomerge"
		vm_timeout=${SYNFIN_VM_TIMEOUT:-5400} ;;
	*)	unset SYNFIN_KDIR SYNFIN_VM_KERNEL
		vm_append=${SYNFIN_VM_APPEND:-}
		# About 15 minutes on a fast machine; twice that has been
		# seen on a slower one (emulation speed varies with the host).
		vm_timeout=${SYNFIN_VM_TIMEOUT:-2700} ;;
	esac
	"$top/scripts/build-module.sh" "$kver" || { rc=1; continue; }
	out=$top/build/vm/$kver
	rm -rf "$out"
	sections=$(sections_for "$kver")
	echo "== $kver: VM suite, $(sections_said "$sections")"
	SYNFIN_VM_SECTIONS=$sections SYNFIN_VM_TIMEOUT=$vm_timeout SYNFIN_VM_APPEND=$vm_append \
		"$top/scripts/vm-run.sh" "$kver" "$top/tests/vm/suite.sh" "$out"
	krc=$?
	sed 's/^/  /' "$out/test.log" 2>/dev/null
	if [ $krc = 0 ]; then echo "== $kver: success"; else echo "== $kver: FAILED"; rc=1; fi
done
# One closing line over every kernel, for people and for CI.
passed=0 failed=0
for log in "$top"/build/vm/*/test.log; do
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	[ -n "$line" ] || { failed=$((failed + 1)); continue; }
	passed=$((passed + ${line%% *}))
	f=${line#*, }
	failed=$((failed + ${f%% *}))
done
echo "vm: $passed passed, $failed failed"
[ $failed = 0 ] || rc=1
exit $rc
