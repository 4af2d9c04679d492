#!/usr/bin/python3
"""The live module and `synfin read` of tcpdump's capture must agree.

  readcompare.py SYNFIN LIVE.json PCAP PORT TIME_WAIT_MS
                 [--max-flows N --counts EVICTED,UNTRACKED]

LIVE.json is `synfin watch --json` from the module; PCAP is what tcpdump
captured of the same traffic at the same place. `synfin read --json` of
the capture must give, connection by connection (matched by endpoints,
in order), the same events with the same fields (segment, flags, raw and
relative numbers, window, length, both states, transitions, anomalies,
history, conn_state, segment and byte counts, end reason) and the same
summary (how it ended, by whom, counts, history, conn_state). Only
timestamps, connection ids, CPU and netns may differ. The live summary,
which the reader prints from the module's final event alone, must also
have the times of the live events themselves (first and last event, the
client's first SYN, the server's first SYN-ACK, the event that made the
server ESTABLISHED), and lack a handshake time where read's does.

With --max-flows, the capture is read with a table of that size, as the
module's max_flows was: the same connections must be evicted (their
summaries say so, and are compared) or untracked (in neither), and the
reader's count of each must be --counts, the module's own counters.
"""
import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import synfin_json  # noqa: E402  (the JSON contract, checked on every record)

SAME_EVENT = ("type", "index", "family", "src", "sport", "dst", "dport", "from",
              "flags", "seq", "ack", "rel_seq", "rel_ack", "win", "len",
              "client_state", "server_state", "transitions", "anomalies",
              "history", "conn_state", "client_segments", "server_segments",
              "client_bytes", "server_bytes")
SAME_SUMMARY = ("family", "client", "client_port", "server", "server_port", "end", "end_by",
                "how", "client_state", "server_state", "handshake_complete",
                "client_segments", "server_segments", "client_bytes",
                "server_bytes", "history", "conn_state")


def by_connection(evs, port):
    conns = {}
    for e in evs:
        if e["type"] == "lost":
            raise SystemExit(f"lost events in {e}")
        if e["type"] == "summary":
            if port in (e["client_port"], e["server_port"]):
                conns.setdefault(e["conn"], {"events": [], "summary": []})["summary"].append(e)
        elif port in (e["sport"], e["dport"]):
            conns.setdefault(e["conn"], {"events": [], "summary": []})["events"].append(e)
    out = []
    for conn in sorted(conns):
        c = conns[conn]
        first = c["events"][0]
        key = tuple(sorted([(first["src"], first["sport"]), (first["dst"], first["dport"])]))
        out.append((key, c))
    return out


def times(events):
    """The summary's times, as its events' timestamps say them."""
    syn = synack = est = None
    for e in events:
        if e["type"] == "segment" and "SYN" in e["flags"]:
            if "ACK" not in e["flags"] and e["from"] == "client" and syn is None:
                syn = e["ts_ns"]
            if "ACK" in e["flags"] and e["from"] == "server" and synack is None:
                synack = e["ts_ns"]
        for t in e["transitions"]:
            if t["who"] == "server" and t["to"] == "ESTABLISHED" and est is None:
                est = e["ts_ns"]

    def span(a, b):
        return b - a if a is not None and b is not None and b >= a else None
    return {"first_ns": events[0]["ts_ns"], "last_ns": events[-1]["ts_ns"],
            "duration_ns": span(events[0]["ts_ns"], events[-1]["ts_ns"]),
            "handshake_ns": span(syn, est), "syn_to_synack_ns": span(syn, synack),
            "synack_to_ack_ns": span(synack, est)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("synfin")
    ap.add_argument("live")
    ap.add_argument("pcap")
    ap.add_argument("port", type=int)
    ap.add_argument("time_wait_ms")
    ap.add_argument("--max-flows")
    ap.add_argument("--counts", help="EVICTED,UNTRACKED the module counted")
    args = ap.parse_args()
    port = args.port
    live = synfin_json.records(open(args.live).read())
    cmd = [args.synfin, "read", "--json", "--time-wait-ms", args.time_wait_ms]
    if args.max_flows:
        cmd += ["--max-flows", args.max_flows]
    p = subprocess.run(cmd + [args.pcap], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"synfin read failed ({p.returncode}): {p.stderr}")
        return 1
    print(p.stderr.strip())
    offline = synfin_json.records(p.stdout)
    a, b = by_connection(live, port), by_connection(offline, port)
    errors = []
    if args.counts:
        want = tuple(int(x) for x in args.counts.split(","))
        m = re.search(r"\((\d+) evicted, (\d+) untracked\)", p.stderr)
        got = (int(m.group(1)), int(m.group(2))) if m else None
        if got != want:
            errors.append(f"read counted (evicted, untracked) {got}, the module {want}")
        ends = sum(1 for _, c in b for s in c["summary"] if s.get("end") == "evicted")
        if ends != want[0]:
            errors.append(f"{ends} summaries of read say evicted, the module evicted {want[0]}")
    if not a:
        errors.append("no live connections to compare")
    if [k for k, _ in a] != [k for k, _ in b]:
        errors.append(f"connections differ: live {[k for k, _ in a]}, read {[k for k, _ in b]}")
    nevents = 0
    for (key, la), (_, lb) in zip(a, b):
        ea = [{k: e.get(k) for k in SAME_EVENT} for e in la["events"]]
        eb = [{k: e.get(k) for k in SAME_EVENT} for e in lb["events"]]
        if len(ea) != len(eb):
            errors.append(f"{key}: {len(ea)} live events, {len(eb)} read")
        for i, (x, y) in enumerate(zip(ea, eb)):
            diff = {k: (x[k], y[k]) for k in SAME_EVENT if x[k] != y[k]}
            if diff:
                errors.append(f"{key} event {i}: live/read differ: {diff}")
        nevents += len(ea)
        if len(la["summary"]) != 1 or len(lb["summary"]) != 1:
            errors.append(f"{key}: {len(la['summary'])} live summaries, {len(lb['summary'])} read")
            continue
        sa, sb = la["summary"][0], lb["summary"][0]
        diff = {k: (sa.get(k), sb.get(k)) for k in SAME_SUMMARY if sa.get(k) != sb.get(k)}
        if diff:
            errors.append(f"{key}: summaries differ: {diff}")
        want = times(la["events"])
        diff = {k: (sa.get(k), v) for k, v in want.items() if sa.get(k) != v}
        if diff:
            errors.append(f"{key}: live summary/its events' times differ: {diff}")
        diff = {k: (sa.get(k), sb.get(k)) for k in ("handshake_ns", "syn_to_synack_ns",
                                                    "synack_to_ack_ns")
                if (sa.get(k) is None) != (sb.get(k) is None)}
        if diff:
            errors.append(f"{key}: live/read handshake times known differ: {diff}")
    print(f"{len(a)} connections, {nevents} events: live and read "
          f"{'agree' if not errors else 'DISAGREE'}")
    for e in errors:
        print("ERROR:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
