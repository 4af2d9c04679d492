#!/usr/bin/python3
"""With no reader anywhere, a connection's events are all counted as
unheard (at least the 6 of a connection): none sent, dropped or failed.

  noreadercheck.py BEFORE.json AFTER.json

`synfin stats --json` before and after the connection.
"""
import argparse

import vmstats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", help="synfin stats --json before the connection")
    ap.add_argument("after", help="synfin stats --json after it")
    args = ap.parse_args()
    d = vmstats.delta(vmstats.total(args.before), vmstats.total(args.after), skip=())
    print(d)
    assert d["events_written"] >= 6 and d["events_unheard"] == d["events_written"], d
    assert d["events_sent"] == 0 and d["events_dropped"] == 0 and d["nl_send_failed"] == 0, d


if __name__ == "__main__":
    main()
