#!/bin/bash
# Extract the kernel's own tools that the tests use from Debian's
# linux-source-6.12 into build/tools, once: checkpatch.pl (style) and
# YNL (tools/net/ynl, with the netlink spec schemas), which the VM suite
# runs against the synfin family. Prints the directory.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tools=$top/build/tools
src=/usr/src/linux-source-6.12.tar.xz
stamp=$tools/.extracted-2
if [ ! -f "$stamp" ]; then
	rm -rf "$tools" && mkdir -p "$tools"
	tar -xJf "$src" -C "$tools" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/tools/net/ynl/*' '*/Documentation/netlink/*'
	touch "$stamp"
fi
echo "$tools"
