#!/bin/bash
# Style gates: checkpatch.pl --strict on the module sources (and the
# benchmark's null-hook module), a W=1 + sparse (C=2) build of both
# against every installed kernel's headers (W=1 only on 6.1 RT: below),
# and shellcheck on every shell script in the tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$top/scripts/kernel-tools.sh")

echo "== checkpatch --strict"
mapfile -t sources < <("$top/scripts/module-tree.sh")
"$tools/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES -f "${sources[@]/#/$top/}" \
	"$top/tests/bench/nullhook/nullhook.c"

# Sparse's lock-context check needs spin_lock() and spin_unlock() to be
# annotated (__acquires/__releases). 6.1's PREEMPT_RT headers annotate
# spin_trylock() (__cond_lock) but not rt_spin_lock()/rt_spin_unlock(), so
# any trylock-then-unlock (flow_evict()) reads as a "context imbalance"
# there; 6.12's RT headers annotate both. Such a kernel gets W=1 only.
rt_unannotated() { # headers dir
	local d h
	grep -q '^CONFIG_PREEMPT_RT=y' "$1/.config" 2>/dev/null || return 1
	for d in "$1" $(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$1/Makefile"); do
		h=$d/include/linux/spinlock_rt.h
		[ -f "$h" ] && ! grep -q 'rt_spin_unlock(.*__releases' "$h" && return 0
	done
	return 1
}

rc=0
echo "== shellcheck"
if git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
	mapfile -t scripts < <(git -C "$top" ls-files '*.sh' .ci/run)
else
	mapfile -t scripts < <(cd "$top" && find . -name '*.sh' -not -path './build/*'; echo .ci/run)
fi
(cd "$top" && shellcheck -x "${scripts[@]}") || rc=1

for kver in $("$top/scripts/kernels.sh"); do
	kdir=/usr/src/linux-headers-$kver
	sparse=C=2
	if rt_unannotated "$kdir"; then
		sparse=C=0
		echo "== W=1 against $kver (no sparse: its RT spinlocks carry no lock annotations)"
	else
		echo "== W=1 and sparse against $kver"
	fi
	dst=$top/build/style-$kver
	rm -rf "$dst" && "$top/scripts/module-tree.sh" "$dst"
	log=$(make -C "$kdir" M="$dst" W=1 $sparse modules 2>&1) || rc=1
	nh=$dst/nullhook
	mkdir -p "$nh" && cp "$top"/tests/bench/nullhook/{Kbuild,nullhook.c} "$nh/"
	log+=$'\n'$(make -C "$kdir" M="$nh" W=1 $sparse modules 2>&1) || rc=1
	warn=$(grep -E 'warning|error' <<< "$log" | grep -v 'Skipping BTF' || true)
	if [ -n "$warn" ]; then
		echo "$warn"
		rc=1
	fi
done
[ $rc = 0 ] && echo "style: clean"
exit $rc
