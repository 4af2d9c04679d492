#!/bin/bash
# Build a debug kernel from Debian's linux-source-6.12, once, cached outside
# the repository ($SYNFIN_DEBUG_CACHE, default /var/cache/synfin/debug-kernel):
# x86_64 defconfig with what the VM suite needs built in (virtio, 9p, veth,
# VRF, IPv6, nftables, conntrack with its netlink events, namespaces) and
# the debugging the suite must pass under: KASAN, lockdep (PROVE_LOCKING,
# with PROVE_RCU), DEBUG_ATOMIC_SLEEP, kmemleak and DEBUG_OBJECTS, UBSAN
# (bounds, shifts, division by zero, bool and enum loads; not alignment),
# the lockup and hung-task detectors, and fault injection (failslab and
# fail_page_alloc, set up in debugfs, with the stack-trace filter that
# limits failures to call stacks through one module's text: see
# tests/vm/faults.sh). Prints the build directory (a KDIR for out-of-tree
# modules, with arch/x86/boot/bzImage and Module.symvers); the build time
# goes to its build-time file.
#
# A second flavour, "scripts/debug-kernel.sh kcsan" (or
# SYNFIN_DEBUG_FLAVOUR=kcsan), is the same kernel with KCSAN, the data-race
# detector, instead of KASAN (the two cannot be combined), released as
# <version>-synfin-kcsan and cached in $SYNFIN_DEBUG_CACHE-kcsan (default
# /var/cache/synfin/debug-kernel-kcsan); both flavours build from the same
# extracted source tree.
set -euo pipefail
flavour=${1:-${SYNFIN_DEBUG_FLAVOUR:-kasan}}
base=${SYNFIN_DEBUG_CACHE:-/var/cache/synfin/debug-kernel}
case $flavour in
kasan|debug)	cache=$base localversion=-synfin-debug ;;
kcsan)		cache=$base-kcsan localversion=-synfin-kcsan ;;
*)		echo "debug-kernel: unknown flavour $flavour (kasan or kcsan)" >&2; exit 2 ;;
esac
src=$base/src out=$cache/build
# What the configuration must have, or the kernel is not what the tests
# rely on: checked after olddefconfig, and of a cached build too (one made
# by an older version of this script is brought up to date).
must="PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK DEBUG_OBJECTS VETH NET_VRF
	NF_CT_NETLINK NFT_CT 9P_FS VIRTIO_PCI UBSAN UBSAN_BOUNDS UBSAN_SHIFT
	FAULT_INJECTION FAILSLAB FAIL_PAGE_ALLOC FAULT_INJECTION_DEBUG_FS
	FAULT_INJECTION_STACKTRACE_FILTER"
mustnot="UBSAN_ALIGNMENT UBSAN_TRAP"
case $flavour in
kcsan)	must="$must KCSAN" mustnot="$mustnot KASAN" ;;
*)	must="$must KASAN" mustnot="$mustnot KCSAN" ;;
esac
configured() {
	local opt
	for opt in $must; do
		grep -q "^CONFIG_$opt=y" "$out/.config" || { echo "CONFIG_$opt is not set"; return 1; }
	done
	for opt in $mustnot; do
		! grep -q "^CONFIG_$opt=y" "$out/.config" || { echo "CONFIG_$opt is set"; return 1; }
	done
}
if [ -f "$out/.synfin-done" ] && [ -f "$out/Module.symvers" ]; then
	if why=$(configured); then
		echo "$out"
		exit 0
	fi
	echo "debug-kernel: the cached $flavour build is out of date ($why): building it again" >&2
	rm -f "$out/.synfin-done"
fi
mkdir -p "$base" "$cache"
start=$(date +%s)
if [ ! -f "$src/Makefile" ]; then
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$src" --strip-components=1
fi
mkdir -p "$out"
make -s -C "$src" O="$out" x86_64_defconfig
cfg() { "$src/scripts/config" --file "$out/.config" "$@"; }
cfg --set-str LOCALVERSION "$localversion" -d LOCALVERSION_AUTO
# what the suite uses, built in
cfg -e MODULES -e MODULE_UNLOAD -d MODULE_SIG -e NET_NS -e USER_NS -e UTS_NS \
    -e VETH -e IPV6 -e PACKET -e UNIX -e INET \
    -e IP_ADVANCED_ROUTER -e IP_MULTIPLE_TABLES -e IPV6_MULTIPLE_TABLES \
    -e NET_L3_MASTER_DEV -e NET_VRF \
    -e NETFILTER -e NETFILTER_ADVANCED -e NETFILTER_NETLINK -e NF_CONNTRACK \
    -e NF_CONNTRACK_EVENTS -e NF_CT_NETLINK -e NF_TABLES -e NF_TABLES_INET \
    -e NF_TABLES_IPV4 -e NF_TABLES_IPV6 -e NFT_CT \
    -e VIRTIO -e VIRTIO_PCI -e VIRTIO_CONSOLE -e HW_RANDOM -e HW_RANDOM_VIRTIO \
    -e NET_9P -e NET_9P_VIRTIO -e 9P_FS -e 9P_FS_POSIX_ACL -e NETWORK_FILESYSTEMS \
    -e DEVTMPFS -e TMPFS -e BLK_DEV_INITRD -e RD_GZIP -e SERIAL_8250 -e SERIAL_8250_CONSOLE
# what the guest has no device for (no disk, NIC, display, sound or USB:
# only virtio 9p, rng and a serial console), so that the build is shorter
cfg -d DRM -d FB -d AGP -d SOUND -d USB_SUPPORT -d HID -d WIRELESS -d WLAN \
    -d CFG80211 -d MAC80211 -d RFKILL -d ETHERNET -d ATA -d SCSI -d MD \
    -d BLK_DEV_SD -d PCCARD -d NFS_FS -d ROOT_NFS -d INPUT_MOUSE \
    -d INPUT_JOYSTICK -d INPUT_TABLET -d INPUT_TOUCHSCREEN -d MACINTOSH_DRIVERS \
    -d HWMON -d THERMAL -d WATCHDOG -d I2C -d CPU_FREQ -d LOGO -d EFI \
    -d HIBERNATION -d SUSPEND -d KVM -d XEN -d HYPERV -d VIRTUALIZATION
# the debugging
cfg -e KASAN -e KASAN_GENERIC -e KASAN_INLINE \
    -e PROVE_LOCKING -e PROVE_RCU -e DEBUG_LOCKDEP -e DEBUG_ATOMIC_SLEEP \
    -e DEBUG_KMEMLEAK -e DEBUG_KMEMLEAK_AUTO_SCAN \
    -e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_TIMERS \
    -e DEBUG_OBJECTS_WORK -e DEBUG_OBJECTS_RCU_HEAD -e DEBUG_OBJECTS_PERCPU_COUNTER \
    -e DEBUG_LIST -e SOFTLOCKUP_DETECTOR -e DETECT_HUNG_TASK \
    -d DEBUG_INFO -e DEBUG_INFO_NONE -d DEBUG_INFO_BTF
# UBSAN: reports, not traps; no alignment checks (x86 allows unaligned
# accesses, and the network stack makes them on purpose)
cfg -e UBSAN -d UBSAN_TRAP -e UBSAN_BOUNDS -e UBSAN_SHIFT -e UBSAN_DIV_ZERO \
    -e UBSAN_BOOL -e UBSAN_ENUM -d UBSAN_ALIGNMENT
# Fault injection, set up at run time in /sys/kernel/debug/failslab and
# fail_page_alloc; the stack-trace filter (require-start, require-end)
# limits failures to allocations made under one module's functions.
# (slab_nomerge, which vm-run.sh adds to a debug kernel's command line so
# that a module's caches stay its own, needs nothing here.)
cfg -e DEBUG_FS -e FAULT_INJECTION -e FAILSLAB -e FAIL_PAGE_ALLOC \
    -e FAULT_INJECTION_DEBUG_FS -e FAULT_INJECTION_STACKTRACE_FILTER
if [ "$flavour" = kcsan ]; then
	# KCSAN cannot be built with KASAN. Lockdep and the rest stay (the
	# same kernel otherwise; lockdep's own code is not instrumented by
	# KCSAN). KCSAN_VERBOSE (held locks in each report) stays off: its
	# help warns that a report can then deadlock. KCSAN panics on a
	# report under panic_on_warn, which would make any data race anywhere
	# in the kernel fatal: vm-run.sh boots a -synfin-kcsan kernel without
	# it and fails a run only on the reports that involve synfin.
	cfg -d KASAN -d KASAN_GENERIC -d KASAN_INLINE -e KCSAN -d KCSAN_VERBOSE
fi
make -s -C "$src" O="$out" olddefconfig
why=$(configured) || { echo "debug-kernel: $flavour: $why after olddefconfig" >&2; exit 1; }
# modules too: its few =m modules make the Module.symvers that an
# out-of-tree module links against
make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules
echo "$(( $(date +%s) - start )) s on $(nproc) CPUs" > "$out/build-time"
touch "$out/.synfin-done"
echo "$out"
