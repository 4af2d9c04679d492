#!/bin/bash
# Install what building and testing synfin needs, on Debian 12, as root.
# Does nothing when everything is already there. With "bench": what
# `make bench` needs too (the plot, the BPF peers bcc's tcpstates and
# bpftrace, and perf for the cost table).
set -euo pipefail

pkgs=(
	build-essential pkg-config kmod cpio xz-utils gzip bc flex bison libelf-dev
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	# PREEMPT_RT builds of both (the VM suite's core and load sections).
	linux-image-rt-amd64 linux-headers-rt-amd64
	linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64
	qemu-system-x86 busybox-static
	libmnl-dev libcmocka-dev libpcap-dev
	dkms python3-yaml python3-jsonschema man-db groff-base
	sparse perl python3 shellcheck
	tcpdump socat iproute2 util-linux procps nftables conntrack
	clang libfuzzer-14-dev hping3 iperf3
)
[ "${1:-}" = bench ] && pkgs+=(python3-matplotlib bpfcc-tools bpftrace linux-perf)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another apt (unattended-upgrades on a new machine, a parallel make)
# may hold dpkg's lock: wait for it rather than fail.
lock=(-o DPkg::Lock::Timeout=900)
apt-get "${lock[@]}" update -q
apt-get "${lock[@]}" install -y -q --no-install-recommends "${missing[@]}"
