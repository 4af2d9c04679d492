#!/usr/bin/python3
"""finit_module() of a module from a task whose Nth allocation (under
the fault-injection filters set up by faults.sh) fails, through
/proc/self/fail-nth, read back in that same task.

  finitfail.py MODULE.ko NTH [PARAM...]

Prints the return value, the errno's name ("-" on success) and what is
left of the countdown (0: the failure was injected). A NTH larger than
the allocations made counts them: NTH - left.
"""
import argparse
import ctypes
import errno
import os

SYS_FINIT_MODULE = 313  # x86_64


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ko", help="the module file")
    ap.add_argument("nth", help="the allocation that fails (/proc/self/fail-nth)")
    ap.add_argument("params", nargs="*", help="module parameters, NAME=VALUE")
    args = ap.parse_args()
    params = " ".join(args.params)
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(args.ko, os.O_RDONLY)
    with open("/proc/self/fail-nth", "w") as f:
        f.write(args.nth)
    rc = libc.syscall(SYS_FINIT_MODULE, fd, params.encode(), 0)
    err = ctypes.get_errno() if rc else 0
    with open("/proc/self/fail-nth") as f:
        left = int(f.read())
    with open("/proc/self/fail-nth", "w") as f:
        f.write("0")
    print(rc, errno.errorcode.get(err, err) if rc else "-", left)


if __name__ == "__main__":
    main()
