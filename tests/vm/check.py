#!/usr/bin/python3
"""Check a `synfin watch --json` timeline against a tcpdump capture.

  check.py JSON PCAP PORT KIND [KIND...]

The connections to PORT in JSON, in order, must be of the given KINDs
(client-close, four-way, server-close, refused). For each: the event index runs
0,1,2,... with no gap, the handshake numbers are right (Ack = Seq + 1),
both sides went through the expected states and ended CLOSED, and the
number of SYN, FIN and RST segments equals what tcpdump captured for that
connection; the final event carries Zeek's history and conn_state, and
no anomaly but a retransmission appears. No "lost" record may appear.
"""
import json
import re
import struct
import sys

SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10

# Each side's states, in order, as a regular expression.
EXPECT = {
    "client-close": (
        "CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 (FIN_WAIT_2 )?TIME_WAIT CLOSED",
        "LISTEN SYN_RCVD ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED",
    ),
    "four-way": (
        "CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED",
        "LISTEN SYN_RCVD ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED",
    ),
    "server-close": (
        "CLOSED SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED",
        "LISTEN SYN_RCVD ESTABLISHED FIN_WAIT_1 (FIN_WAIT_2 )?TIME_WAIT CLOSED",
    ),
    "refused": ("CLOSED SYN_SENT CLOSED", "LISTEN CLOSED"),
}
# How the summary must say each kind ended: (end, end_by) pairs.
END = {"client-close": {("four_way", "client"), ("three_way", "client")},
       "four-way": {("four_way", "client")},
       "server-close": {("four_way", "server"), ("three_way", "server")},
       "refused": {("refused", "server")}}
# Zeek's conn_state for each kind, on the connection's final event.
CONN_STATE = {"client-close": "SF", "four-way": "SF", "server-close": "SF",
              "refused": "REJ"}
FLAG_BITS = {"FIN": FIN, "SYN": SYN, "RST": RST, "PSH": 0x08, "ACK": ACK,
             "URG": 0x20, "ECE": 0x40, "CWR": 0x80}


def read_pcap(path):
    """Yield (port pair, flags, sport, payload length) for each TCP packet."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:  # Ethernet
            etype = struct.unpack("!H", pkt[12:14])[0]
            ip = pkt[14:]
        elif linktype == 276:  # Linux cooked v2
            etype = struct.unpack("!H", pkt[0:2])[0]
            ip = pkt[20:]
        elif linktype == 113:  # Linux cooked v1
            etype = struct.unpack("!H", pkt[14:16])[0]
            ip = pkt[16:]
        else:
            raise SystemExit(f"unexpected link type {linktype}")
        if etype == 0x0800 and ip[9] == 6:
            tcp = ip[(ip[0] & 15) * 4:]
            iplen = struct.unpack("!H", ip[2:4])[0] - (ip[0] & 15) * 4
        elif etype == 0x86DD and ip[6] == 6:
            tcp = ip[40:]
            iplen = struct.unpack("!H", ip[4:6])[0]
        else:
            continue
        sport, dport = struct.unpack("!HH", tcp[:4])
        yield (sport, dport), tcp[13], sport, iplen - (tcp[12] >> 4) * 4


def chain(events, who):
    states = []
    for ev in events:
        for t in ev["transitions"]:
            if t["who"] != who:
                continue
            if not states:
                states.append(t["from"])
            states.append(t["to"])
    return " ".join(states)


def main():
    jpath, ppath, port, kinds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    errors = []
    events = [json.loads(line) for line in open(jpath) if line.strip()]
    lost = [e for e in events if e["type"] == "lost"]
    if lost:
        errors.append(f"{len(lost)} lost records")
    conns, summaries = {}, {}
    for ev in events:
        if ev["type"] in ("segment", "timeout") and port in (ev["sport"], ev["dport"]):
            conns.setdefault(ev["conn"], []).append(ev)
        if ev["type"] == "summary" and ev["server_port"] == port:
            summaries.setdefault(ev["conn"], []).append(ev)
    packets = list(read_pcap(ppath))

    if len(conns) != len(kinds):
        errors.append(f"{len(conns)} connections to port {port}, want {len(kinds)}")
    for (conn, evs), kind in zip(sorted(conns.items()), kinds):
        where = f"conn {conn} ({kind})"
        idx = [e["index"] for e in evs]
        if idx != list(range(len(idx))):
            errors.append(f"{where}: event indexes {idx}")
        first = evs[0]
        cport = first["sport"] if first["from"] == "client" else first["dport"]
        for who, want in zip(("client", "server"), EXPECT[kind]):
            got = chain(evs, who)
            if not re.fullmatch(want, got):
                errors.append(f"{where}: {who} went {got!r}, want {want!r}")
        last = evs[-1]
        if (last["client_state"], last["server_state"]) != ("CLOSED", "CLOSED"):
            errors.append(f"{where}: ends {last['client_state']}/{last['server_state']}")
        if last.get("conn_state") != CONN_STATE[kind] or not last.get("history", "").startswith("S"):
            errors.append(f"{where}: final history {last.get('history')!r} conn_state {last.get('conn_state')!r}, want {CONN_STATE[kind]}")
        if any("history" in e for e in evs[:-1]):
            errors.append(f"{where}: history before the final event")
        odd = sorted({a for e in evs for a in e["anomalies"]} - {"retransmission"})
        if odd:
            errors.append(f"{where}: anomalies {odd} in ordinary traffic")

        segs = [e for e in evs if e["type"] == "segment"]
        syn = [e for e in segs if e["flags"] == ["SYN"]]
        synack = [e for e in segs if set(e["flags"]) == {"SYN", "ACK"}]
        if not syn or syn[0]["rel_seq"] != 0:
            errors.append(f"{where}: no SYN with relative seq 0")
        if kind != "refused":
            if not synack:
                errors.append(f"{where}: no SYN-ACK")
            else:
                sa = synack[0]
                if sa["ack"] != (syn[0]["seq"] + 1) % 2**32 or sa["rel_ack"] != 1 or sa["rel_seq"] != 0:
                    errors.append(f"{where}: SYN-ACK ack {sa['ack']} for SYN seq {syn[0]['seq']}")
                third = [e for e in segs if e["from"] == "client" and e["flags"] == ["ACK"]]
                if not third or third[0]["ack"] != (sa["seq"] + 1) % 2**32 or third[0]["rel_seq"] != 1:
                    errors.append(f"{where}: third segment does not ack the SYN-ACK seq + 1")
        # SYN/FIN/RST segments: exactly what tcpdump saw for this connection.
        mine = [p for p in packets if cport in p[0] and port in p[0]]
        for name, bit in (("SYN", SYN), ("FIN", FIN), ("RST", RST)):
            ours = sum(1 for e in segs if name in e["flags"])
            theirs = sum(1 for p in mine if p[1] & bit)
            if ours != theirs:
                errors.append(f"{where}: {ours} {name} segments, tcpdump captured {theirs}")
        # One summary, saying how it ended, with tcpdump's segments and bytes.
        summ = summaries.get(conn, [])
        if len(summ) != 1:
            errors.append(f"{where}: {len(summ)} summaries, want 1")
        else:
            sm = summ[0]
            want_end = END[kind]
            if (sm["end"], sm["end_by"]) not in want_end:
                errors.append(f"{where}: summary says {sm['end']} by {sm['end_by']}, want one of {want_end}")
            for who, sent_from in (("client", cport), ("server", port)):
                segs_n = sum(1 for p in mine if p[2] == sent_from)
                bytes_n = sum(p[3] for p in mine if p[2] == sent_from)
                if (sm[who + "_segments"], sm[who + "_bytes"]) != (segs_n, bytes_n):
                    errors.append(f"{where}: summary: {who} sent {sm[who + '_segments']} segments, "
                                  f"{sm[who + '_bytes']} bytes; tcpdump: {segs_n}, {bytes_n}")
            if sm["conn_state"] != last.get("conn_state") or sm["history"] != last.get("history"):
                errors.append(f"{where}: summary history/conn_state differ from the final event")
            if kind != "refused" and not (sm["handshake_ns"] and sm["syn_to_synack_ns"] and sm["synack_to_ack_ns"]):
                errors.append(f"{where}: summary lacks handshake times: {sm}")
        print(f"{where}: {len(evs)} events; client {chain(evs, 'client')}; server {chain(evs, 'server')}; "
              f"history {last.get('history')} {last.get('conn_state')}")

    for e in errors:
        print("ERROR:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
