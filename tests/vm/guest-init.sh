#!/bin/bash
# First process in the guest after switch_root: finish the environment,
# run the test named by synfin.test= on the kernel command line, record
# its exit status in /mnt/rc and power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 TERM=dumb
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ip link set lo up
test='' sections=''
read -r -a cmdline < /proc/cmdline
for arg in "${cmdline[@]}"; do
	case "$arg" in
	synfin.test=*) test=${arg#synfin.test=} ;;
	synfin.sections=*) sections=${arg#synfin.sections=} ;;
	esac
done
# The suite's sections to run, separated by spaces (empty: all of them).
export SYNFIN_VM_SECTIONS=${sections//,/ }
echo "synfin-vm: kernel $(uname -r), running $test${sections:+, sections $SYNFIN_VM_SECTIONS}"
cd "$(dirname "$test")" || exit 1
bash "$test" > /mnt/test.log 2>&1
rc=$?
cat /mnt/test.log
echo "synfin-vm: test exit status $rc"
echo "$rc" > /mnt/rc
sync
/bin/busybox poweroff -f
