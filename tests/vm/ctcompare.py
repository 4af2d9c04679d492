#!/usr/bin/python3
"""Compare each connection's life in synfin with netfilter conntrack's.

  ctcompare.py CONNTRACK_EVENTS SYNFIN_JSON PORT...

CONNTRACK_EVENTS is `conntrack -E -p tcp` output captured beside the
reader. conntrack keeps one merged state per connection; synfin keeps one
per endpoint. MAPPING turns synfin's pair into the state conntrack must be
in at the same point; for each connection the sequences, with repeats
removed, must be equal.
"""
import json
import re
import sys


def conntrack_state(client, server):
    """The conntrack TCP state for synfin's (client, server) states."""
    pair = {client, server}
    if pair == {"CLOSED"}:
        return "CLOSE"                     # an RST ended it
    if client == "SYN_SENT" and server == "LISTEN":
        return "SYN_SENT"                  # SYN seen, no answer yet
    if server == "SYN_RCVD":
        return "SYN_RECV"                  # SYN-ACK seen
    if pair == {"ESTABLISHED"}:
        return "ESTABLISHED"               # handshake's ACK seen
    if "FIN_WAIT_1" in pair:
        return "FIN_WAIT"                  # first FIN, not yet acked
    if pair == {"FIN_WAIT_2", "CLOSE_WAIT"}:
        return "CLOSE_WAIT"                # first FIN acked
    if "LAST_ACK" in pair:
        return "LAST_ACK"                  # second FIN seen
    if "TIME_WAIT" in pair:
        return "TIME_WAIT"                 # second FIN acked
    return "?"


LINE = re.compile(r"\[(NEW|UPDATE|DESTROY)\]\s+tcp\s+6\s+(?:\d+\s+)?([A-Z_]+)?\s*"
                  r"src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)")


def dedup(seq):
    out = []
    for x in seq:
        if not out or out[-1] != x:
            out.append(x)
    return out


def main():
    ct_path, js_path, ports = sys.argv[1], sys.argv[2], {int(p) for p in sys.argv[3:]}
    ct = {}
    for line in open(ct_path):
        m = LINE.search(line)
        # A DESTROY carries the state the entry died in: conntrack kills a
        # reset connection at once, so its CLOSE shows only there.
        if not m or not m.group(2) or int(m.group(6)) not in ports:
            continue
        ct.setdefault(int(m.group(5)), []).append(m.group(2))
    ours = {}
    for line in open(js_path):
        ev = json.loads(line)
        if ev["type"] != "segment" or ev["dport"] not in ports and ev["sport"] not in ports:
            continue
        cport = ev["sport"] if ev["from"] == "client" else ev["dport"]
        ours.setdefault(cport, []).append(conntrack_state(ev["client_state"], ev["server_state"]))
    failed = 0
    if set(ct) != set(ours):
        print(f"WRONG: connections differ: conntrack {sorted(ct)}, synfin {sorted(ours)}")
        failed = 1
    for cport in sorted(set(ct) & set(ours)):
        a, b = dedup(ct[cport]), dedup(ours[cport])
        verdict = "ok" if a == b else "WRONG"
        failed |= a != b
        print(f"{verdict}: client port {cport}: conntrack {' '.join(a)}")
        if a != b:
            print(f"       synfin mapped  {' '.join(b)}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
