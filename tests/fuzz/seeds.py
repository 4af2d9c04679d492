#!/usr/bin/python3
"""Write a seed corpus for fuzz_packets: real handshakes and closes, IPv4
and IPv6, in the target's input format, into the directory given; half
of them with every new flow's counters starting near their maximum."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "vm"))
from inject import C4, C6, FLAGS, S4, S6, scenarios, tcp_packet  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for n, sc in enumerate(scenarios()):
    cli, srv = (C6, S6) if sc["v6"] else (C4, S4)
    # every other seed with its counters 3 below their maximum
    blob = bytes([7, 3 if n % 2 else 0])
    for who, fl, seq, ack, length, _ in sc["segs"]:
        a, b, pa, pb = (cli, srv, sc["port"], 80) if who == "c" else (srv, cli, 80, sc["port"])
        _, pkt = tcp_packet(sc["v6"], a, b, pa, pb, seq, ack, FLAGS[fl], length)
        blob += struct.pack("!H", len(pkt)) + pkt
    with open(os.path.join(out, f"seed-{n:02d}"), "wb") as f:
        f.write(blob)
print(f"{len(scenarios())} seeds in {out}")
