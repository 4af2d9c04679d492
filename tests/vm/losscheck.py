#!/usr/bin/python3
"""Exact loss accounting with tiny rings (ring_size 16, drained late)
and a table of 8 flows, after a burst of 40 refused connections.

  losscheck.py ring STATS.json --events EVENTS.json
      full rings: events were dropped, and the reader's lost records
      count exactly those; every event sent was received; no flow went
      untracked; written + dropped = 80 (40 x SYN, RST)
  losscheck.py table STATS.json
      the full table: at most 8 flows active, at least 32 evicted

STATS.json is `synfin stats --json` after the burst, EVENTS.json the
reader's `synfin watch --json`.
"""
import argparse

import vmstats


def ring(t, events):
    evs = vmstats.events(events)
    # (a lost record without a count, an overflow, fails here: there is
    # none to have with a reader that keeps up)
    lost = sum(e["count"] for e in evs if e["type"] == "lost")
    got = sum(1 for e in evs if e["type"] in ("segment", "timeout"))
    print("dropped", t["events_dropped"], "lost reported", lost, "sent", t["events_sent"], "received", got)
    assert t["events_dropped"] > 0, t
    assert lost == t["events_dropped"], (lost, t)
    assert got == t["events_sent"] and t["events_written"] == t["events_sent"], (got, t)
    assert t["flows_untracked"] == 0, t
    assert t["events_written"] + t["events_dropped"] == 80, t  # 40 x SYN, RST


def table(t):
    print(t)
    assert t["flows_active"] <= 8 and t["flows_evicted"] >= 32, t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("ring", "table"), help="which accounting to check")
    ap.add_argument("stats", help="synfin stats --json after the burst")
    ap.add_argument("--events", help="the reader's synfin watch --json (ring)")
    args = ap.parse_args()
    t = vmstats.total(args.stats)
    if args.what == "ring":
        if not args.events:
            ap.error("ring needs --events")
        ring(t, args.events)
    else:
        table(t)


if __name__ == "__main__":
    main()
