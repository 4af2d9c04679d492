#!/bin/bash
# Packaging as users get it, for every installed kernel: make install into
# a scratch root (module, reader, man page), the man page against --help,
# modinfo (version, vermagic, a description for every parameter), one
# version everywhere, and `dkms build` from `make dkms-install`'s source
# tree, in private DKMS trees that leave the system's alone.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$top/build/package
rm -rf "$tmp" && mkdir -p "$tmp"
ver=$(sed -n 's/^SYNFIN_VERSION := //p' "$top/Kbuild")
pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@" > "$tmp/last.log" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/    /' "$tmp/last.log" | tail -20; fi; }

root=$tmp/root
bin=$root/usr/sbin/synfin
man=$root/usr/share/man/man8/synfin.8
check "make install: reader and man page" make -s -C "$top" install-reader DESTDIR="$root"
fmt=$(sed -n 's/^#define SF_JSON_FORMAT //p' "$top/userspace/synfin.h")
check "synfin --version is the package's version ($ver) and JSON format ($fmt)" \
	bash -c "[ \"\$('$bin' --version)\" = 'synfin $ver, JSON format $fmt' ]"
check "dkms.conf has the same version" grep -qx "PACKAGE_VERSION=\"$ver\"" "$top/dkms.conf"
check "the man page renders without a warning" bash -c "
	[ -z \"\$(groff -man -ww -z '$man' 2>&1)\" ] && man -l '$man' | grep -q 'EXIT STATUS'"
# Every option --help names is in the man page, and the exit codes in both.
man_options() {
	local opts text missing=""
	opts=$("$bin" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	text=$(sed 's/\\-/-/g' "$man")
	for o in $opts; do
		grep -q -- "$o" <<< "$text" || missing="$missing $o"
	done
	[ -z "$missing" ] || { echo "not in synfin.8:$missing"; return 1; }
	for code in 0 1 2 3 4; do
		"$bin" --help | grep -q "$code [a-z]" || { echo "--help: exit $code"; return 1; }
		grep -q "^\.B $code$" "$man" || { echo "synfin.8: exit $code"; return 1; }
	done
}
check "the man page documents every option of --help, and the exit codes" man_options
check "--help exits 0, a bad option exits 2" bash -c "'$bin' --help > /dev/null && { '$bin' --bogus 2>/dev/null; [ \$? = 2 ]; }"

# Parameters are declared where they are read, with module_param_cb().
mapfile -t sources < <("$top/scripts/module-tree.sh")
nparams=$(cd "$top" && cat "${sources[@]}" | grep -cE '^module_param(_named|_cb)?\(')
for kver in $("$top/scripts/kernels.sh"); do
	src=$tmp/src-$kver
	mkdir -p "$src"
	"$top/scripts/module-tree.sh" "$src" && cp "$top/Makefile" "$src/"
	check "$kver: make install-module" \
		make -s -C "$src" install-module KVER="$kver" DESTDIR="$root"
	ko=$(find "$root/lib/modules/$kver/updates" -name "synfin.ko*" 2>/dev/null | head -1)
	modinfo_ok() {
		[ -n "$ko" ] || { echo "no module installed in $root/lib/modules/$kver/updates"; return 1; }
		[ "$(modinfo -F version "$ko")" = "$ver" ] || { echo "version $(modinfo -F version "$ko")"; return 1; }
		modinfo -F vermagic "$ko" | grep -q "^$kver " || { modinfo -F vermagic "$ko"; return 1; }
		modinfo -F license "$ko" | grep -qx GPL || return 1
		local parms
		parms=$(modinfo -F parm "$ko")
		echo "$parms"
		[ "$(grep -c . <<< "$parms")" = "$nparams" ] || { echo "want $nparams parameters"; return 1; }
		# name:description (type), every description said
		! grep -vE '^[a-z_]+:[A-Za-z].{10,} \((uint|int|bool|charp)\)$' <<< "$parms"
	}
	check "$kver: modinfo: version, vermagic, GPL, a description for each of $nparams parameters" modinfo_ok

	dk=$tmp/dkms-$kver
	dkms_build() {
		make -s -C "$top" dkms-install DESTDIR="$dk/root" || return 1
		mkdir -p "$dk/tree"
		local opts=(-m synfin -v "$ver" --sourcetree "$dk/root/usr/src" --dkmstree "$dk/tree")
		if ! { dkms add "${opts[@]}" && dkms build "${opts[@]}" -k "$kver"; }; then
			cat "$dk/tree/synfin/$ver/build/make.log" 2>/dev/null
			return 1
		fi
		local built
		built=$(find "$dk/tree/synfin/$ver/$kver" -path "*/module/synfin.ko*" 2>/dev/null | head -1)
		[ -n "$built" ] || { find "$dk/tree" -name 'synfin.ko*'; return 1; }
		echo "built $built"
		[ "$(modinfo -F version "$built")" = "$ver" ] && modinfo -F vermagic "$built" | grep -q "^$kver "
	}
	check "$kver: dkms build from the DKMS source tree" dkms_build
done
echo "package: $pass passed, $fail failed"
[ $fail = 0 ]
