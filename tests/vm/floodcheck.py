#!/usr/bin/python3
"""A SYN flood's accounting: the flood was big enough (over 3072
segments), the table stayed within max_flows 1024 and made room
(evicted or untracked flows), no event was unheard (a reader in every
namespace), and every event written was received by a reader, or is in
a lost record's count (a full ring), or in a send that failed, which
the reader reported as an overflow (a lost record without a count).

  floodcheck.py BEFORE.json AFTER.json READER.json...

BEFORE and AFTER are `synfin stats --json` around the flood; each READER
is `synfin watch --json` of one namespace with traffic.
"""
import argparse

import vmstats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", help="synfin stats --json before the flood")
    ap.add_argument("after", help="synfin stats --json after it")
    ap.add_argument("readers", nargs="+", help="synfin watch --json of each namespace")
    args = ap.parse_args()
    a = vmstats.total(args.after)
    d = vmstats.delta(vmstats.total(args.before), a)
    got, lost, unknown = vmstats.tally(args.readers)
    print("segments", d["segments"], "flows created", d["flows_created"], "evicted", d["flows_evicted"],
          "untracked", d["flows_untracked"], "active", a["flows_active"])
    print("written", d["events_written"], "dropped", d["events_dropped"], "sent", d["events_sent"],
          "unheard", d["events_unheard"], "nl_send_failed", d["nl_send_failed"])
    print("readers: received", got, "reported lost", lost, "overflow reports", unknown)
    assert d["segments"] > 3072, "too small a flood"
    assert a["flows_active"] <= 1024 and d["flows_evicted"] + d["flows_untracked"] > 0, (a, d)
    assert d["events_unheard"] == 0, d
    assert d["events_written"] == d["events_sent"] + d["nl_send_failed"], d
    # every event: received, or in a lost count (ring), or in a failed
    # batch that the reader reported as an overflow
    assert lost == d["events_dropped"], (lost, d)
    assert got == d["events_sent"], (got, d)
    assert (d["nl_send_failed"] == 0) == (unknown == 0), (unknown, d)


if __name__ == "__main__":
    main()
