#!/usr/bin/python3
"""Readers with selections in one namespace: each printed exactly its own
connections, whole (every event, index 0 to the final one); the module
sent the union of what they selected and nothing else, and counted every
event of the connections no one selected as unselected, not written.

  selcheck.py BEFORE.json AFTER.json FLOWS.json READER.json=PORTS... \
      [--unselected PORTS]

BEFORE and AFTER are `synfin stats --json` in the namespace around the
traffic, FLOWS `synfin flows --json` there after it (ended connections
ended by an RST linger in the table, with their count of events: those
no one selected must end so). Each READER is a
`synfin watch --json` file and the server ports of the connections it
must have printed, comma-separated, one a connection; --unselected, the
server ports of the connections none selected. Only connections begun
between BEFORE and AFTER are looked at (ids are the namespace's, counted
by flows_created).
"""
import argparse
import json

import vmstats


def ports(text):
    return sorted(int(p) for p in text.split(",") if p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("flows")
    ap.add_argument("readers", nargs="+", help="READER.json=PORT,PORT...")
    ap.add_argument("--unselected", default="", help="server ports no one selected")
    args = ap.parse_args()
    before, after = vmstats.total(args.before), vmstats.total(args.after)
    first, last = before["flows_created"] + 1, after["flows_created"]
    mine = range(first, last + 1)
    sent = set()
    printed = set()
    for spec in args.readers:
        path, want = spec.split("=")
        conns = {}
        for e in vmstats.events(path):
            assert e["type"] != "lost", (path, e)
            if e["type"] in ("segment", "timeout") and e["conn"] in mine:
                conns.setdefault(e["conn"], []).append(e)
        got = []
        for conn, evs in sorted(conns.items()):
            idx = sorted(e["index"] for e in evs)
            assert idx == list(range(len(idx))), (path, conn, idx)
            assert "conn_state" in evs[-1], (path, conn, evs[-1])
            syn = [e for e in evs if e["index"] == 0][0]
            assert syn["flags"] == ["SYN"], (path, syn)
            got.append(syn["dport"])
            sent |= {(conn, e["index"]) for e in evs}
            printed.add(conn)
        print(f"{path}: connections {sorted(conns)} to ports {sorted(got)}, "
              f"{sum(len(v) for v in conns.values())} events")
        assert sorted(got) == ports(want), (path, sorted(got), want)
    flows = [json.loads(line) for line in open(args.flows)]
    unsel = [f for f in flows if f["conn"] in mine and f["conn"] not in printed]
    print("flows of connections no reader printed:",
          [(f["conn"], f["server_port"], f["events"]) for f in unsel])
    assert sorted(f["server_port"] for f in unsel) == ports(args.unselected), unsel
    d = vmstats.delta(before, after, skip=())
    print("counters:", d)
    # The module sent what the readers printed, each event once.
    assert d["events_sent"] == len(sent), (d, len(sent))
    assert d["events_written"] == d["events_sent"], d
    assert d["events_dropped"] == d["events_unheard"] == d["nl_send_failed"] == 0, d
    # The others: every event counted unselected, none written.
    assert d["events_unselected"] == sum(f["events"] for f in unsel), d
    # (A refused connection makes 2: its SYN and the RST.)
    assert all(f["events"] >= 2 for f in unsel), unsel
    assert d["flows_created"] == last - first + 1 == len(printed) + len(unsel), (d, printed, unsel)


if __name__ == "__main__":
    main()
