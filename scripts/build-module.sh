#!/bin/bash
# Build synfin.ko for kernel release $1 into build/$1/synfin.ko, in a tree
# of its own so that several kernels' objects do not collide.
# SYNFIN_KDIR: a kernel build directory instead of Debian's headers.
set -euo pipefail
kver=$1
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${SYNFIN_KDIR:-/usr/src/linux-headers-$kver}
[ -d "$kdir" ] || { echo "build-module: no headers in $kdir" >&2; exit 1; }
dst=$top/build/$kver
"$top/scripts/module-tree.sh" "$dst"
make -s -C "$kdir" M="$dst" W=1 modules 2>&1 | grep -v "Skipping BTF" || true
[ -f "$dst/synfin.ko" ] || { echo "build-module: $kver: no synfin.ko" >&2; exit 1; }
