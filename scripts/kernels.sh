#!/bin/bash
# The kernel releases the VM tests run on: every Debian kernel installed
# with both its image and its headers (6.1 and 6.12 after install-deps).
for img in /boot/vmlinuz-*; do
	kver=${img#/boot/vmlinuz-}
	[ -d "/usr/src/linux-headers-$kver" ] && echo "$kver"
done | sort -V | tr '\n' ' '
