#!/bin/bash
# Build a debug kernel from Debian's linux-source-6.12, once, cached outside
# the repository ($SYNFIN_DEBUG_CACHE, default /var/cache/synfin/debug-kernel):
# x86_64 defconfig with what the VM suite needs built in (virtio, 9p, veth,
# IPv6, nftables, conntrack with its netlink events, namespaces) and the
# debugging the suite must pass under: KASAN, lockdep (PROVE_LOCKING, with
# PROVE_RCU), DEBUG_ATOMIC_SLEEP, kmemleak and DEBUG_OBJECTS, plus the
# lockup and hung-task detectors. Prints the build directory (a KDIR for
# out-of-tree modules, with arch/x86/boot/bzImage and Module.symvers); the
# build time goes to its build-time file.
set -euo pipefail
cache=${SYNFIN_DEBUG_CACHE:-/var/cache/synfin/debug-kernel}
src=$cache/src out=$cache/build
if [ -f "$out/.synfin-done" ] && [ -f "$out/Module.symvers" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
start=$(date +%s)
if [ ! -f "$src/Makefile" ]; then
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$src" --strip-components=1
fi
mkdir -p "$out"
make -s -C "$src" O="$out" x86_64_defconfig
cfg() { "$src/scripts/config" --file "$out/.config" "$@"; }
cfg --set-str LOCALVERSION "-synfin-debug" -d LOCALVERSION_AUTO
# what the suite uses, built in
cfg -e MODULES -e MODULE_UNLOAD -d MODULE_SIG -e NET_NS -e USER_NS -e UTS_NS \
    -e VETH -e IPV6 -e PACKET -e UNIX -e INET \
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
make -s -C "$src" O="$out" olddefconfig
for opt in KASAN PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK DEBUG_OBJECTS VETH NF_CT_NETLINK NFT_CT 9P_FS VIRTIO_PCI; do
	grep -q "^CONFIG_$opt=y" "$out/.config" || { echo "debug-kernel: CONFIG_$opt did not stick" >&2; exit 1; }
done
# modules too: its few =m modules make the Module.symvers that an
# out-of-tree module links against
make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules
echo "$(( $(date +%s) - start )) s on $(nproc) CPUs" > "$out/build-time"
touch "$out/.synfin-done"
echo "$out"
