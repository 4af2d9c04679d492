#!/bin/bash
# Build a tiny initramfs for kernel release $1 into file $2: busybox, the
# virtio and 9p modules that kernel needs, and an /init that mounts this
# machine's root read-only over virtio-9p and switch_roots into the test.
set -euo pipefail
kver=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$tmp/bin/busybox"

# Modules in load order, without duplicates; builtins need nothing.
: > "$tmp/modules.list"
for m in virtio_pci 9pnet_virtio 9p; do
	# A kernel with no /lib/modules has them built in.
	[ -d "/lib/modules/$kver" ] || break
	modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	name=$(basename "$ko")
	case "$name" in
	*.ko.xz) xz -dc "$ko" > "$tmp/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*.ko.zst) zstd -qdc "$ko" > "$tmp/lib/modules/${name%.zst}"; name=${name%.zst} ;;
	*) cp "$ko" "$tmp/lib/modules/$name" ;;
	esac
	echo "$name" >> "$tmp/modules.list"
done

cat > "$tmp/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.list); do
	insmod /lib/modules/$m || echo "synfin-vm: insmod $m failed"
done
script= top=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	synfin.script=*) script=${arg#synfin.script=} ;;
	synfin.top=*) top=${arg#synfin.top=} ;;
	esac
done
opts=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o ro,$opts hostroot /newroot || { echo "synfin-vm: no root"; poweroff -f; }
for d in tmp run var/tmp; do mount -t tmpfs tmpfs /newroot/$d; done
# The repository has a share of its own: it may live under /tmp.
mkdir -p "/newroot$top" 2>/dev/null
mount -t 9p -o ro,$opts repo "/newroot$top" || echo "synfin-vm: no repo share"
mount -t 9p -o $opts out /newroot/mnt || echo "synfin-vm: no output share"
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$script"
INIT
chmod +x "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
