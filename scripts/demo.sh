#!/bin/bash
# make demo: boot a QEMU VM on the newest installed Debian kernel (or
# $KVER), load synfin, make real connections and print the timeline.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Newest, not counting PREEMPT_RT builds (6.12-rt sorts after 6.12).
kver=${KVER:-$("$top/scripts/kernels.sh" |
	awk '{ for (i = NF; i > 0; i--) if ($i !~ /-rt-amd64$/) { print $i; exit } }')}
[ -n "$kver" ] || { echo "demo: no kernel with headers installed" >&2; exit 1; }
out=$top/build/demo
rm -rf "$out"
echo "demo: building synfin.ko for $kver and booting it in QEMU (TCG)..." >&2
"$top/scripts/build-module.sh" "$kver"
"$top/scripts/vm-run.sh" "$kver" "$top/tests/vm/demo.sh" "$out" || {
	cat "$out/test.log" >&2 2>/dev/null
	exit 1
}
echo "== synfin watch, kernel $kver: a normal connection, a refused one, an IPv6 one"
cat "$out/timeline.txt"
echo
echo "== synfin watch --ladder: the same connections as the textbook figure"
cat "$out/ladder.txt"
echo
echo "== synfin stats"
cat "$out/stats.txt"
