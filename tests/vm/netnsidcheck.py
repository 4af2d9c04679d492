#!/usr/bin/python3
"""A new namespace's connection ids and counters are its own: the reader
in it saw one connection, its connection 1, and the namespace's stats
count that connection alone (one flow, fewer than 40 segments: not the
host's hundreds).

  netnsidcheck.py EVENTS.json STATS.json

EVENTS.json is `synfin watch --json` in the namespace, STATS.json
`synfin stats --json` there.
"""
import argparse

import vmstats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("events", help="synfin watch --json in the namespace")
    ap.add_argument("stats", help="synfin stats --json in the namespace")
    args = ap.parse_args()
    evs = vmstats.events(args.events)
    conns = sorted({e["conn"] for e in evs if e["type"] == "segment"})
    t = vmstats.total(args.stats)
    print("connections", conns, "stats", t)
    assert conns == [1], conns
    # one connection of 10 segments or so: not the host's hundreds
    assert 0 < t["segments"] < 40 and t["flows_created"] == 1, t


if __name__ == "__main__":
    main()
