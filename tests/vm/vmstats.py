"""Shared by the VM suite's check programs: `synfin stats --json` files
and `synfin watch --json` event files, read the way every check reads
them. Imported, not run (the programs live beside it in tests/vm/).
"""
import json


def total(path):
    """The whole-module (or namespace's) counters of a stats file."""
    with open(path) as f:
        return json.load(f)["total"]


def delta(before, after, skip=("flows_active",)):
    """after - before for every counter but those in skip."""
    return {k: after[k] - before[k] for k in after if k not in skip}


def events(path):
    """The events of a `synfin watch --json` file, one a line."""
    with open(path) as f:
        return [json.loads(l) for l in f]


def tally(paths):
    """(received, lost, unknown) over readers' event files: the segment
    and timeout events received, the events that lost records count, and
    the lost records without a count (a socket overflow: ENOBUFS)."""
    got = lost = unknown = 0
    for p in paths:
        for e in events(p):
            if e["type"] == "lost":
                if e["count"] is None:
                    unknown += 1
                else:
                    lost += e["count"]
            elif e["type"] in ("segment", "timeout"):
                got += 1
    return got, lost, unknown
