#!/usr/bin/python3
"""Fold `perf script -F comm,tid,ip,sym,dso` (with callchains) into one
line per distinct stack, for report.py's cost table:

  COUNT <tab> COMM <tab> FRAME;FRAME;...   (leaf first)

each FRAME "k|SYMBOL" (kernel) or "u|DSO|SYMBOL" (user space, DSO the
file's base name). Stacks are cut at 64 frames.
"""
import collections
import os
import re
import sys

HEAD = re.compile(r"^(\S.*?)\s+\d+\s*$")
FRAME = re.compile(r"^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$")
stacks = collections.Counter()
comm, frames = None, []


def flush():
    if comm is not None:
        stacks[(comm, ";".join(frames[:64]))] += 1


for line in sys.stdin:
    if not line.strip():
        flush()
        comm, frames = None, []
        continue
    m = HEAD.match(line)
    if m and not line[0].isspace():
        flush()
        comm, frames = m.group(1).strip(), []
        continue
    m = FRAME.match(line)
    if not m or comm is None:
        continue
    addr, sym, dso = int(m.group(1), 16), m.group(2), m.group(3)
    sym = sym.replace(";", ",").replace("|", "/") or "[unknown]"
    if addr >= 0xffff800000000000:
        frames.append(f"k|{sym}")
    else:
        frames.append(f"u|{os.path.basename(dso)}|{sym}")
flush()
for (c, f), n in stacks.most_common():
    print(f"{n}\t{c}\t{f}")
