#!/bin/bash
# make bench: boot the newest installed Debian kernel (or $KVER) under QEMU
# and measure synfin's overhead against no module, the tools a user would
# otherwise pick (conntrack, tcpdump, bcc's tcpstates, bpftrace) and the
# floor of any netfilter-hook tracer, and where its instructions go
# (tests/bench/bench.sh), then write BENCHMARKS.md and its plot.
# BENCH_ROUNDS (default 3) and BENCH_SECONDS (default 2, guest time) size
# the run: with the instruction clock below, rounds differ little.
# For development, a part of it: BENCH_CONFIGS (names of configurations,
# default all: tests/bench/bench.sh; "none" is always measured),
# BENCH_PATHS (lo, veth or both, the default), BENCH_LOSS=0 (no search
# for where loss starts), BENCH_PROFILE=0 (no perf profile; else
# BENCH_PROFILE_SECONDS, default 4, and BENCH_PROFILE_PERIOD, default
# 200000 ns between samples).
#
# While busy, the guest's clock counts the instructions it runs (QEMU
# -icount, shift 0: 1 ns each), so a result is the work each
# configuration does, the same on a busy host as on an idle one, and one
# run's ratios mean something; while idle (hping3 between two SYNs), it
# follows the host's clock, so that rates are rates. BENCH_CLOCK=host
# measures host time instead (multi-threaded TCG, SYNFIN_VM_SMP vCPUs,
# default 2), at the mercy of the host's load.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Newest, not counting PREEMPT_RT builds (6.12-rt sorts after 6.12).
kver=${KVER:-$("$top/scripts/kernels.sh" |
	awk '{ for (i = NF; i > 0; i--) if ($i !~ /-rt-amd64$/) { print $i; exit } }')}
[ -n "$kver" ] || { echo "bench: no kernel with headers installed" >&2; exit 1; }
# Unknown names fail here, before anything is built or booted.
bash "$top/tests/bench/bench.sh" --check "${BENCH_CONFIGS:-}" "${BENCH_PATHS:-}" || exit 2
out=$top/build/bench/$kver
rm -rf "$out" && mkdir -p "$out"
"$top/scripts/build-module.sh" "$kver"
make -s -C "$top/userspace" synfin
# The floor: synfin's hooks, accepting at once (tests/bench/nullhook).
nh=$top/build/bench/nullhook-$kver
rm -rf "$nh" && mkdir -p "$nh"
cp "$top"/tests/bench/nullhook/{Kbuild,nullhook.c} "$nh/"
make -s -C "/usr/src/linux-headers-$kver" M="$nh" W=1 modules 2>&1 | grep -v "Skipping BTF" || true
[ -f "$nh/synfin_nullhook.ko" ] || { echo "bench: no synfin_nullhook.ko" >&2; exit 1; }
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread \
	-o "$top/build/bench/connrate" "$top/tests/bench/connrate.c"
echo "bench: $kver, ${BENCH_ROUNDS:-3} rounds of ${BENCH_SECONDS:-2} s per measurement${BENCH_CONFIGS:+ (configurations: $BENCH_CONFIGS)}${BENCH_PATHS:+ (paths: $BENCH_PATHS)}; this takes a while" >&2
# The guest reads its sizes from here (its environment is not ours).
{
	printf 'BENCH_ROUNDS=%q\nBENCH_SECONDS=%q\n' "${BENCH_ROUNDS:-3}" "${BENCH_SECONDS:-2}"
	printf 'BENCH_CONFIGS=%q\nBENCH_PATHS=%q\nBENCH_LOSS=%q\n' \
		"${BENCH_CONFIGS:-}" "${BENCH_PATHS:-}" "${BENCH_LOSS:-1}"
	printf 'BENCH_PROFILE=%q\nBENCH_PROFILE_SECONDS=%q\nBENCH_PROFILE_PERIOD=%q\n' \
		"${BENCH_PROFILE:-1}" "${BENCH_PROFILE_SECONDS:-4}" "${BENCH_PROFILE_PERIOD:-200000}"
} > "$top/build/bench/params"
clock=${BENCH_CLOCK:-icount}
if [ "$clock" = icount ]; then
	export SYNFIN_VM_ICOUNT=0 SYNFIN_VM_SMP=1
else
	export SYNFIN_VM_MTTCG=1
fi
SYNFIN_VM_TIMEOUT=${SYNFIN_VM_TIMEOUT:-5400} \
	"$top/scripts/vm-run.sh" "$kver" "$top/tests/bench/bench.sh" "$out" || {
	tail -30 "$out/test.log" >&2
	exit 1
}
BENCH_CLOCK=$clock BENCH_VCPUS=${SYNFIN_VM_SMP:-2} /usr/bin/python3 "$top/tests/bench/report.py" "$out/bench.jsonl" "$kver" \
	"$top/BENCHMARKS.md" "$top/tests/bench/benchmarks.png"
cat "$top/BENCHMARKS.md"
