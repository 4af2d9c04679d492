#!/usr/bin/python3
"""The counters add up after traffic under injected allocation failures:
events written = sent + unheard + send failures, the reader's lost
records add up to the events dropped (unless its socket overflowed: a
lost record without a count), and the run wrote events at all.

  faultscheck.py BEFORE.json AFTER.json READER.json

BEFORE and AFTER are `synfin stats --json` around the run, READER the
reader's `synfin watch --json`.
"""
import argparse

import vmstats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", help="synfin stats --json before the run")
    ap.add_argument("after", help="synfin stats --json after it")
    ap.add_argument("reader", help="the reader's synfin watch --json")
    args = ap.parse_args()
    t = vmstats.total(args.after)
    d = vmstats.delta(vmstats.total(args.before), t)
    print("this run:", d)
    got, lost, unknown = vmstats.tally([args.reader])
    print("reader: received", got, "reported lost", lost, "overflow reports", unknown)
    assert t["events_written"] == t["events_sent"] + t["events_unheard"] + t["nl_send_failed"], t
    if unknown == 0:
        assert lost == t["events_dropped"], (lost, t)
    assert d["events_written"] > 0, d


if __name__ == "__main__":
    main()
