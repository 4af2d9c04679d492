#!/usr/bin/python3
"""After a reader was killed with SIGKILL mid-stream, the module's
counters still add up (written = sent + unheard + send failures), and a
new reader sees the next connection whole: one summary, SF.

  killcheck.py STATS.json KILLED.json AFTER.json

STATS.json is `synfin stats --json` at the end; KILLED.json what the
killed reader wrote; AFTER.json the new reader's events (server port
9450).
"""
import argparse

import vmstats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stats", help="synfin stats --json at the end")
    ap.add_argument("killed", help="the killed reader's synfin watch --json")
    ap.add_argument("after", help="the new reader's synfin watch --json")
    args = ap.parse_args()
    t = vmstats.total(args.stats)
    assert t["events_written"] == t["events_sent"] + t["events_unheard"] + t["nl_send_failed"], t
    evs = vmstats.events(args.after)
    summ = [e for e in evs if e["type"] == "summary" and e["server_port"] == 9450]
    assert len(summ) == 1 and summ[0]["conn_state"] == "SF", evs
    with open(args.killed) as f:
        killed = sum(1 for _ in f)
    print("killed after", killed, "lines; then", len(evs), "events, summary", summ[0]["how"])


if __name__ == "__main__":
    main()
