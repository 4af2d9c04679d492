#!/bin/bash
# The VM test suite, run inside the guest by tests/vm/guest-init.sh as
# its only job. Real module, real kernel, real traffic. Results and
# artefacts go to /mnt (the host's build/vm/<kernel>/).
#
# The tests are in sections, one file each (core.sh, api.sh, hostile.sh,
# load.sh, faults.sh), each test a function test_NAME registered with
# vm_test (tests/vm/lib.sh), which says how the module is loaded before
# it. SYNFIN_VM_SECTIONS (from the kernel command line's synfin.sections=,
# see guest-init.sh and scripts/vm-run.sh) chooses what runs: names of
# sections or tests, separated by spaces or commas; empty or "all":
# everything. An unknown name fails the suite before anything runs.
#
#   suite.sh                 run the chosen tests (in the guest)
#   suite.sh --list          the sections and their tests, with what each proves
#   suite.sh --check NAMES   the tests NAMES choose, one a line; exit 2 if
#                            a name is unknown (scripts/vm-tests.sh and
#                            vm-run.sh ask this on the host before booting)
#
# Output: PASS:/FAIL:/SKIP: lines, "== section NAME" and "-- test NAME"
# headings, and last "N passed, M failed" (what scripts/vm-tests.sh reads).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"
# The sections, in the order they run.
# shellcheck source=SCRIPTDIR/core.sh
. "$here/core.sh"
# shellcheck source=SCRIPTDIR/api.sh
. "$here/api.sh"
# shellcheck source=SCRIPTDIR/hostile.sh
. "$here/hostile.sh"
# shellcheck source=SCRIPTDIR/load.sh
. "$here/load.sh"
# shellcheck source=SCRIPTDIR/faults.sh
. "$here/faults.sh"

case ${1:-} in
--list)
	vm_list
	exit $((fail > 0))
	;;
--check)
	shift
	vm_select "$*" >&2 || exit 2
	printf '%s\n' "${vm_chosen[@]}"
	exit $((fail > 0 ? 2 : 0))
	;;
"") ;;
*)	echo "usage: suite.sh [--list | --check NAMES]" >&2
	exit 2
	;;
esac

echo "== synfin VM suite on $(uname -r), $(nproc) CPUs"
# A registry in error (a name used twice) or an unknown name: nothing runs.
if [ "$fail" -gt 0 ] || ! vm_select "${SYNFIN_VM_SECTIONS:-}"; then
	ko "tests chosen by SYNFIN_VM_SECTIONS='${SYNFIN_VM_SECTIONS:-}': nothing run"
	echo "$pass passed, $fail failed"
	exit 1
fi
echo "== tests: ${vm_chosen[*]}"
insmod "$KO" "${FRESH_PARAMS[@]}" || { echo "FAIL: insmod"; echo "0 passed, 1 failed"; exit 1; }
ok "insmod $(basename "$KO")"
modprobe veth

vm_run

# ---- a debug kernel (make check-debug): kmemleak finds nothing ----
# No suspect after all the tests that ran.
no_leak() {
	local n
	n=$(grep -c '^unreferenced object' "$OUT/kmemleak.txt")
	echo "$n suspected leaks"
	[ "$n" = 0 ] || { head -80 "$OUT/kmemleak.txt"; false; }
}
[ -d /sys/kernel/debug/kmemleak ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$OUT/kmemleak.txt"
	check "kmemleak: no suspected leak after the whole suite" no_leak
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
