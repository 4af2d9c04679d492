#!/usr/bin/python3
"""The module's counters add up after traffic with readers attached:
events written = sent + unheard + send failures, nothing dropped, no
send failure, no malformed segment, and some traffic was seen.

  statscheck.py STATS.json

STATS.json is `synfin stats --json`.
"""
import argparse

import vmstats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stats", help="synfin stats --json")
    t = vmstats.total(ap.parse_args().stats)
    assert t["events_written"] == t["events_sent"] + t["events_unheard"] + t["nl_send_failed"], t
    assert t["events_dropped"] == 0 and t["nl_send_failed"] == 0 and t["malformed"] == 0, t
    assert t["segments"] > 0 and t["flows_created"] > 0, t


if __name__ == "__main__":
    main()
