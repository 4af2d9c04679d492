#!/bin/bash
# make bench: boot the newest installed Debian kernel (or $KVER) under QEMU
# and measure synfin's overhead against no module, conntrack and tcpdump
# (tests/bench/bench.sh), then write BENCHMARKS.md and its plot.
# BENCH_ROUNDS (default 5) and BENCH_SECONDS (default 3) size the run;
# SYNFIN_VM_SMP (default 2) is the guest's vCPU count.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kver=${KVER:-$("$top/scripts/kernels.sh" | awk '{ print $NF }')}
[ -n "$kver" ] || { echo "bench: no kernel with headers installed" >&2; exit 1; }
out=$top/build/bench/$kver
rm -rf "$out" && mkdir -p "$out"
"$top/scripts/build-module.sh" "$kver"
make -s -C "$top/userspace" synfin
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread \
	-o "$top/build/bench/connrate" "$top/tests/bench/connrate.c"
echo "bench: $kver, ${BENCH_ROUNDS:-5} rounds of ${BENCH_SECONDS:-3} s per measurement; this takes a while" >&2
# The guest reads its sizes from here (its environment is not ours).
printf 'BENCH_ROUNDS=%s\nBENCH_SECONDS=%s\n' "${BENCH_ROUNDS:-5}" "${BENCH_SECONDS:-3}" \
	> "$top/build/bench/params"
SYNFIN_VM_MTTCG=1 SYNFIN_VM_TIMEOUT=${SYNFIN_VM_TIMEOUT:-5400} \
	"$top/scripts/vm-run.sh" "$kver" "$top/tests/bench/bench.sh" "$out" || {
	tail -30 "$out/test.log" >&2
	exit 1
}
BENCH_VCPUS=${SYNFIN_VM_SMP:-2} /usr/bin/python3 "$top/tests/bench/report.py" "$out/bench.jsonl" "$kver" \
	"$top/BENCHMARKS.md" "$top/tests/bench/benchmarks.png"
cat "$top/BENCHMARKS.md"
