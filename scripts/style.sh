#!/bin/bash
# Kernel style gates: checkpatch.pl --strict on the module sources (and
# the benchmark's null-hook module), and a W=1 + sparse (C=2) build of
# both against every installed kernel's headers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$top/scripts/kernel-tools.sh")

echo "== checkpatch --strict"
"$tools/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES -f "$top"/module/*.[ch] \
	"$top/module/uapi/linux/synfin.h" "$top/tests/bench/nullhook/nullhook.c"

rc=0
for kver in $("$top/scripts/kernels.sh"); do
	echo "== W=1 and sparse against $kver"
	dst=$top/build/style-$kver
	rm -rf "$dst" && mkdir -p "$dst/module/uapi/linux"
	cp "$top/Kbuild" "$dst/" && cp "$top"/module/*.[ch] "$dst/module/"
	cp "$top/module/uapi/linux/synfin.h" "$dst/module/uapi/linux/"
	log=$(make -C "/usr/src/linux-headers-$kver" M="$dst" W=1 C=2 modules 2>&1) || rc=1
	nh=$dst/nullhook
	mkdir -p "$nh" && cp "$top"/tests/bench/nullhook/{Kbuild,nullhook.c} "$nh/"
	log+=$'\n'$(make -C "/usr/src/linux-headers-$kver" M="$nh" W=1 C=2 modules 2>&1) || rc=1
	warn=$(grep -E 'warning|error' <<< "$log" | grep -v 'Skipping BTF' || true)
	if [ -n "$warn" ]; then
		echo "$warn"
		rc=1
	fi
done
[ $rc = 0 ] && echo "style: clean"
exit $rc
