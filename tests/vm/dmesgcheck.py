#!/usr/bin/python3
"""The kernel log of the fault-injection section has no problem (panic,
BUG, WARNING, KASAN, UBSAN, lockdep, RCU stall, ...) and no stack dump
that does not follow an allocation failure's warning. A KCSAN kernel's
data-race reports count only when they name synfin (as in vm-run.sh).

  dmesgcheck.py DMESG.txt

Prints a summary and the first five problems with their context; exit
status 1 if there is any.
"""
import argparse
import re
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dmesg", help="the kernel log (dmesg -W) of the section")
    args = ap.parse_args()
    problem = re.compile(r'Kernel panic|BUG:|Oops|WARNING:|UBSAN:|KASAN:|ODEBUG:|'
                         r'kmemleak:.*new suspected|possible (recursive|circular) locking|'
                         r'INFO: task .* blocked|general protection|rcu.*stall|soft lockup')
    # a warning that an allocation failed, which a stack dump follows
    warned = re.compile(r'FAULT_INJECTION: forcing a failure|vmalloc error: |'
                        r'page allocation failure: |percpu: allocation failed|'
                        r'kmem_cache_create\w*\(.*\) failed with error')
    lines = open(args.dmesg, errors="replace").read().splitlines()
    # A KCSAN kernel's data-race reports count only when they name synfin, as
    # in vm-run.sh (here their stacks are in the log even when the console
    # does not show them).
    kcsan = set()
    for i, l in enumerate(lines):
        if 'BUG: KCSAN:' in l:
            j = i
            while j < len(lines) and 'Reported by Kernel Concurrency Sanitizer' not in lines[j]:
                j += 1
            if not re.search(r'\[synfin\]|synfin_', '\n'.join(lines[i:j])):
                kcsan.add(i)
    bad, dumps, armed = [], 0, 0
    for i, l in enumerate(lines):
        if i in kcsan:
            continue
        if problem.search(l):
            bad.append(i)
        elif warned.search(l):
            armed += 1
        elif 'Call Trace:' in l:
            if armed:
                armed -= 1
                dumps += 1
            else:
                bad.append(i)
    kinds = {}
    for l in lines:
        m = warned.search(l)
        if m:
            k = m.group(0).split('(')[0]
            kinds[k] = kinds.get(k, 0) + 1
    print(len(lines), 'lines of kernel log;', dumps, 'stack dumps after allocation failures;',
          'warnings:', kinds or 'none')
    for i in bad[:5]:
        print('\n'.join(lines[max(0, i - 3):i + 25]))
        print('--')
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
