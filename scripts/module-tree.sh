#!/bin/bash
# Copy the module's build tree (Kbuild and the sources module/sources.mk
# lists, and only those) to directory $1, for a build out of the checkout.
# With no argument: print the source files, one a line.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t files < <(make -s --no-print-directory -C "$top" module-sources)
[ ${#files[@]} -gt 0 ] || { echo "module-tree: no sources listed" >&2; exit 1; }
if [ $# = 0 ]; then
	printf '%s\n' "${files[@]}"
	exit 0
fi
mkdir -p "$1"
(cd "$top" && cp --parents Kbuild module/sources.mk "${files[@]}" "$1/")
