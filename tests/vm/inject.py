#!/usr/bin/python3
"""Inject exact TCP segment sequences into a namespace and check the live
module's timeline of them, segment by segment.

  inject.py send IFACE DSTMAC   (in the injecting namespace) send them all
  inject.py check JSON [4|6]    check `synfin watch --json` output (or
                                `synfin read --json`), all scenarios or
                                those of one IP version
  inject.py malformed IFACE DSTMAC
                                send malformed and odd segments (doff < 5,
                                truncated headers, doff past the end, bogus
                                options, IPv4 and IPv6 fragments) and print
                                how the module's segments and malformed
                                counters must move, as JSON
  inject.py pcap FILE LINKTYPE [nano] [pcapng] [4|6]
                                write them to a capture instead, for
                                `synfin read`: link type by name (en10mb,
                                vlan, sll, sll2, null, null-be, loop, raw,
                                ipv4, ipv6), nanosecond timestamps,
                                pcapng, one IP version

Packets are built here (Ethernet, IPv4/IPv6, TCP with checksums) and sent
on a packet socket, so the observing namespace sees them at PRE_ROUTING;
they are addressed to documentation prefixes it has no route for, so
nothing answers them. The expected states and anomalies below follow
RFC 9293 as synfin's README describes, written out by hand.
"""
import json
import os
import socket
import struct
import sys
import time

C4, S4 = "198.51.100.1", "203.0.113.7"
C6, S6 = "2001:db8:1::1", "2001:db8:2::7"
F, S, R, P, A = 0x01, 0x02, 0x04, 0x08, 0x10
FLAGS = {"S": S, "SA": S | A, "A": A, "PA": P | A, "FA": F | A, "F": F,
         "R": R, "RA": R | A, "SF": S | F}
CL, LI, SS, SR, ES = "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED"
F1, F2, CW, CG, LA, TW = ("FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
                          "LAST_ACK", "TIME_WAIT")

# Each segment: (sender, flags, seq, ack, payload length, expectation),
# expectation = (client state, server state, anomalies) for a segment that
# must produce an event, None for one that must not. c and s are the ISNs.


def handshake(c, s):
    return [("c", "S", c, 0, 0, (SS, LI, [])),
            ("s", "SA", s, c + 1, 0, (ES, SR, [])),
            ("c", "A", c + 1, s + 1, 0, (ES, ES, []))]


def scenarios():
    c, s = 1000, 5000
    out = []

    def add(name, port, segs, history, conn_state, v6=False):
        out.append(dict(name=name, port=port, segs=segs, history=history,
                        conn_state=conn_state, v6=v6))

    three_way_close = [("c", "FA", c + 1, s + 1, 0, (F1, CW, [])),
                       ("s", "FA", s + 1, c + 2, 0, (TW, LA, [])),
                       ("c", "A", c + 2, s + 2, 0, (TW, CL, []))]
    for v6, base in ((False, 41000), (True, 42000)):
        add("retransmitted SYN and SYN-ACK", base + 1, [
            ("c", "S", c, 0, 0, (SS, LI, [])),
            ("c", "S", c, 0, 0, (SS, LI, ["retransmission"])),
            ("s", "SA", s, c + 1, 0, (ES, SR, [])),
            ("s", "SA", s, c + 1, 0, (ES, SR, ["retransmission"])),
            ("c", "A", c + 1, s + 1, 0, (ES, ES, []))] + three_way_close,
            "ShAFf", "SF", v6)
        add("simultaneous close", base + 2, handshake(c, s) + [
            ("c", "FA", c + 1, s + 1, 0, (F1, CW, [])),
            ("s", "FA", s + 1, c + 1, 0, (CG, CG, ["simultaneous_close"])),
            ("c", "A", c + 2, s + 2, 0, (CG, TW, [])),
            ("s", "A", s + 2, c + 2, 0, (TW, TW, []))],
            "ShAFfa", "SF", v6)
    add("simultaneous open", 41003, [
        ("c", "S", c, 0, 0, (SS, LI, [])),
        ("s", "S", s, 0, 0, (SR, SR, ["simultaneous_open"])),
        ("c", "SA", c, s + 1, 0, (SR, ES, [])),
        ("s", "SA", s, c + 1, 0, (ES, ES, [])),
        ("c", "FA", c + 1, s + 1, 0, (F1, CW, [])),
        ("s", "A", s + 1, c + 2, 0, (F2, CW, [])),
        ("s", "FA", s + 1, c + 2, 0, (TW, LA, [])),
        ("c", "A", c + 2, s + 2, 0, (TW, CL, []))],
        "SsHhFafA", "SF")
    add("split handshake, then reset by the client", 41004, [
        ("c", "S", c, 0, 0, (SS, LI, [])),
        ("s", "S", s, 0, 0, (SR, SR, ["simultaneous_open"])),
        ("c", "SA", c, s + 1, 0, (SR, ES, [])),
        ("s", "A", s + 1, c + 1, 0, (ES, ES, [])),
        ("c", "R", c + 1, 0, 0, (CL, CL, []))],
        "SsHaR", "RSTO")
    add("data on the SYN and on the third segment", 41005, [
        ("c", "S", c, 0, 5, (SS, LI, [])),
        ("s", "SA", s, c + 6, 0, (ES, SR, [])),
        ("c", "PA", c + 6, s + 1, 10, (ES, ES, [])),
        ("c", "FA", c + 16, s + 1, 0, (F1, CW, [])),
        ("s", "FA", s + 1, c + 17, 0, (TW, LA, [])),
        ("c", "A", c + 17, s + 2, 0, (TW, CL, []))],
        "SDhFfA", "SF")
    add("refused", 41006, [
        ("c", "S", c, 0, 0, (SS, LI, [])),
        ("s", "RA", 0, c + 1, 0, (CL, CL, []))], "Sr", "REJ", True)
    add("RST out of the window, then in it", 41007, handshake(c, s) + [
        ("s", "R", s + 1 + 100000, 0, 0, (ES, ES, ["rst_out_of_window"])),
        ("s", "R", s + 1, 0, 0, (CL, CL, []))], "ShArr", "RSTR")
    add("half-close and a retransmitted FIN", 41008, handshake(c, s) + [
        ("c", "FA", c + 1, s + 1, 0, (F1, CW, [])),
        ("s", "A", s + 1, c + 2, 0, (F2, CW, [])),
        ("s", "PA", s + 1, c + 2, 100, (F2, CW, ["half_close"])),
        ("c", "A", c + 2, s + 101, 0, None),
        ("c", "FA", c + 1, s + 101, 0, (F2, CW, ["retransmission"])),
        ("s", "FA", s + 101, c + 2, 0, (TW, LA, [])),
        ("c", "A", c + 2, s + 102, 0, (TW, CL, []))], "ShAFadf", "SF")
    add("FIN captured before the data it follows", 41009, handshake(c, s) + [
        ("c", "FA", c + 51, s + 1, 0, (F1, CW, [])),
        ("c", "PA", c + 1, s + 1, 50, None),
        ("s", "A", s + 1, c + 52, 0, (F2, CW, [])),
        ("s", "FA", s + 1, c + 52, 0, (TW, LA, [])),
        ("c", "A", c + 52, s + 2, 0, (TW, CL, []))], "ShAFDTaf", "SF")
    w = 0xFFFFFFF0
    ws = 0xFFFFFFFE
    add("sequence numbers wrap", 41010, [
        ("c", "S", w, 0, 0, (SS, LI, [])),
        ("s", "SA", ws, w + 1, 0, (ES, SR, [])),
        ("c", "A", w + 1, ws + 1, 0, (ES, ES, [])),
        ("c", "PA", w + 1, ws + 1, 32, None),
        ("c", "FA", w + 33, ws + 1, 0, (F1, CW, [])),
        ("s", "FA", ws + 1, w + 34, 0, (TW, LA, [])),
        ("c", "A", w + 34, ws + 2, 0, (TW, CL, []))], "ShADFf", "SF")
    add("picked up mid-stream", 41011, [
        ("c", "PA", c, s, 20, (ES, ES, ["midstream"])),
        ("c", "PA", c + 20, s, 20, None),
        ("c", "R", c + 40, 0, 0, (CL, CL, []))], "DR", "OTH")
    add("third segment acks the wrong number", 41012, [
        ("c", "S", c, 0, 0, (SS, LI, [])),
        ("s", "SA", s, c + 1, 0, (ES, SR, [])),
        ("c", "A", c + 1, s + 5, 0, (ES, SR, ["bad_handshake_ack"])),
        ("c", "R", c + 1, 0, 0, (CL, CL, []))], "ShAR", "RSTO")
    add("SYN never answered", 41013, [
        ("c", "S", c, 0, 0, (SS, LI, []))], "S", "S0")
    add("SYN in TIME_WAIT starts a new connection", 41014,
        handshake(c, s) + three_way_close + [
            ("c", "S", c + 100000, 0, 0, (SS, LI, [])),
            ("s", "RA", 0, c + 100001, 0, (CL, CL, []))], "Sr", "REJ")
    return out


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_packet(v6, src, dst, sport, dport, seq, ack, flags, length):
    payload = b"x" * length
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, 5 << 4, flags, 1000, 0, 0)
    seg = hdr + payload
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    if v6:
        pseudo = s + d + struct.pack("!I3xB", len(seg), 6)
    else:
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(seg))
    csum = checksum(pseudo + seg)
    seg = seg[:16] + struct.pack("!H", csum) + seg[18:]
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(seg), 6, 64) + s + d
        return 0x86DD, ip + seg
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 1, 0x4000, 64,
                     6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return 0x0800, ip + seg


def scenario_packets(family=None):
    """Every scenario's segments, as (scenario, ethertype, IP packet);
    family "4" or "6" keeps that IP version's only."""
    for sc in scenarios():
        if family and sc["v6"] != (family == "6"):
            continue
        cli, srv = (C6, S6) if sc["v6"] else (C4, S4)
        for who, fl, seq, ack, length, _ in sc["segs"]:
            if who == "c":
                yield sc, *tcp_packet(sc["v6"], cli, srv, sc["port"], 80, seq, ack, FLAGS[fl], length)
            else:
                yield sc, *tcp_packet(sc["v6"], srv, cli, 80, sc["port"], seq, ack, FLAGS[fl], length)


def send(iface, dstmac):
    os.sched_setaffinity(0, {0})  # one CPU: segments arrive in order
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    src_mac = open(f"/sys/class/net/{iface}/address").read().strip()
    eth = bytes.fromhex(dstmac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", ""))
    sent = 0
    for _, etype, pkt in scenario_packets():
        sock.send(eth + struct.pack("!H", etype) + pkt)
        sent += 1
        time.sleep(0.002)
    print(f"sent {sent} segments in {len(scenarios())} scenarios")
    return 0


# Link types: (LINKTYPE_ number, header maker from ethertype and version).
def _eth(tags):
    def make(etype, v6):
        hdr = bytes.fromhex("020000000002" "020000000001")
        for _ in range(tags):
            hdr += struct.pack("!HH", 0x8100, 42)
        return hdr + struct.pack("!H", etype)
    return make


LINKTYPES = {
    "en10mb": (1, _eth(0)),
    "vlan": (1, _eth(1)),
    "sll": (113, lambda et, v6: struct.pack("!HHH8sH", 0, 1, 6, b"\2" * 6 + b"\0\0", et)),
    "sll2": (276, lambda et, v6: struct.pack("!HHIHBB8s", et, 0, 2, 1, 0, 6, b"\2" * 6 + b"\0\0")),
    "null": (0, lambda et, v6: struct.pack("<I", 30 if v6 else 2)),
    "null-be": (0, lambda et, v6: struct.pack(">I", 30 if v6 else 2)),
    "loop": (108, lambda et, v6: struct.pack(">I", 24 if v6 else 2)),
    "raw": (101, lambda et, v6: b""),
    "ipv4": (228, lambda et, v6: b""),
    "ipv6": (229, lambda et, v6: b""),
}


def udp_packet(when_v6):
    """A UDP datagram: not TCP, it only moves the capture's clock on."""
    fam = socket.AF_INET6 if when_v6 else socket.AF_INET
    src, dst = (C6, S6) if when_v6 else (C4, S4)
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    udp = struct.pack("!HHHH", 9, 9, 8, 0)
    if when_v6:
        return 0x86DD, struct.pack("!IHBB", 6 << 28, 8, 17, 64) + s + d + udp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0, s, d)
    return 0x0800, ip + udp


def ipv4(src, dst, payload, frag=0, proto=6, total=None):
    s, d = socket.inet_pton(socket.AF_INET, src), socket.inet_pton(socket.AF_INET, dst)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total or 20 + len(payload), 7, frag, 64,
                     proto, 0, s, d)
    return ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:] + payload


def ipv6(src, dst, payload, nxt=6):
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    return struct.pack("!IHBB", 6 << 28, len(payload), nxt, 64) + s + d + payload


def tcp_header(sport, flags, doff=5, options=b"", seq=1, ack=0):
    hdr = struct.pack("!HHIIBBHHH", sport, 80, seq, ack, doff << 4, flags, 1000, 0, 0)
    return hdr + options


def malformed(iface, dstmac):
    """Odd segments the module must count, never choke on."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    src_mac = open(f"/sys/class/net/{iface}/address").read().strip()
    eth = bytes.fromhex(dstmac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", ""))
    v4, v6 = [], []
    # (segments, malformed) each packet must add
    v4.append((tcp_header(45001, S, doff=4), 1, 1))                     # doff < 5
    v4.append((tcp_header(45002, S)[:12], 1, 1))                        # header cut short
    v4.append((tcp_header(45003, S, doff=15), 1, 1))                    # doff past the end
    bogus = [b"\x03\x00\x00\x00", b"\x03\xff\x07\x00", b"\x02\x01\x05\xb4",
             b"\xfe\x02\x01\x01", b"\x03\x03\xc8\x00", b"\x01\x01\x01\x00"]
    for i, opt in enumerate(bogus):                                    # bogus options on a SYN
        v4.append((tcp_header(45010 + i, S, doff=6, options=opt), 1, 0))
    v6.append((tcp_header(45101, S, doff=3), 1, 1))
    v6.append((tcp_header(45102, S)[:10], 1, 1))
    v6.append((tcp_header(45103, S, doff=8, options=b"\x03\x02"), 1, 1))  # options cut short
    v6.append((tcp_header(45110, S, doff=7, options=b"\x03\x09\x0e\x00\x00\x00\x00\x00"), 1, 0))
    frames = []
    for seg, ns, nm in v4:
        frames.append((0x0800, ipv4(C4, S4, seg), ns, nm))
    for seg, ns, nm in v6:
        frames.append((0x86DD, ipv6(C6, S6, seg), ns, nm))
    # IPv4 fragments: a first fragment carries the header (a segment), a
    # later one does not (skipped), a first one too short for it is malformed.
    syn = tcp_header(45201, S) + b"y" * 16
    frames.append((0x0800, ipv4(C4, S4, syn, frag=0x2000), 1, 0))
    frames.append((0x0800, ipv4(C4, S4, b"z" * 16, frag=0x2000 | 5), 0, 0))
    frames.append((0x0800, ipv4(C4, S4, syn[:8], frag=0x2000), 1, 1))
    # IPv6 fragment header: first fragment (offset 0) and a later one.
    frag0 = struct.pack("!BBHI", 6, 0, 1, 77)  # next TCP, offset 0, M=1
    frag1 = struct.pack("!BBHI", 6, 0, (3 << 3) | 1, 77)
    frames.append((0x86DD, ipv6(C6, S6, frag0 + tcp_header(45301, S) + b"y" * 16, nxt=44), 1, 0))
    frames.append((0x86DD, ipv6(C6, S6, frag1 + b"z" * 16, nxt=44), 0, 0))
    for etype, pkt, _, _ in frames:
        sock.send(eth + struct.pack("!H", etype) + pkt)
        time.sleep(0.002)
    print(json.dumps({"sent": len(frames), "segments": sum(f[2] for f in frames),
                      "malformed": sum(f[3] for f in frames)}))
    return 0


def write_pcap(path, linktype, nano=False, pcapng=False, family=None, packets=None):
    """Write the scenarios (or @packets: (v6, ethertype, IP packet)) to a
    capture, 2 ms apart, and a UDP datagram five minutes later."""
    number, link = LINKTYPES[linktype]
    frames = []
    t = 1700000000 * 10**9
    if packets is None:
        packets = [(sc["v6"], etype, pkt) for sc, etype, pkt in scenario_packets(family)]
    for v6, etype, pkt in packets:
        frames.append((t, link(etype, v6) + pkt))
        t += 2_000_123  # 2 ms and a few ns: nanoseconds show
    # Five minutes on: every timeout of the module's defaults has run out.
    etype, pkt = udp_packet(family == "6")
    frames.append((t + 300 * 10**9, link(etype, family == "6") + pkt))
    with open(path, "wb") as f:
        if pcapng:
            tsresol = 9 if nano else 6
            opts = struct.pack("<HHB3x", 9, 1, tsresol) + struct.pack("<HH", 0, 0)
            shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
            f.write(struct.pack("<II", 0x0A0D0D0A, 12 + len(shb)) + shb + struct.pack("<I", 12 + len(shb)))
            idb = struct.pack("<HHI", number, 0, 262144) + opts
            f.write(struct.pack("<II", 1, 12 + len(idb)) + idb + struct.pack("<I", 12 + len(idb)))
            for ts, data in frames:
                units = ts if nano else ts // 1000
                pad = b"\0" * (-len(data) % 4)
                body = struct.pack("<IIIII", 0, units >> 32, units & 0xFFFFFFFF, len(data), len(data)) + data + pad
                f.write(struct.pack("<II", 6, 12 + len(body)) + body + struct.pack("<I", 12 + len(body)))
        else:
            magic = 0xA1B23C4D if nano else 0xA1B2C3D4
            f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 262144, number))
            for ts, data in frames:
                sub = ts % 10**9 if nano else (ts % 10**9) // 1000
                f.write(struct.pack("<IIII", ts // 10**9, sub, len(data), len(data)) + data)
    return 0


def check(path, family=None):
    events = [json.loads(l) for l in open(path) if l.strip()]
    failed = 0
    for sc in scenarios():
        if family and sc["v6"] != (family == "6"):
            continue
        port = sc["port"]
        evs = [e for e in events if e["type"] in ("segment", "timeout") and port in (e["sport"], e["dport"])]
        conns = sorted({e["conn"] for e in evs})
        errors = []
        want = [x for x in sc["segs"] if x[5] is not None]
        got = [e for e in evs if e["type"] == "segment"]
        if len(got) != len(want):
            errors.append(f"{len(got)} segment events, want {len(want)}")
        for i, (w, e) in enumerate(zip(want, got)):
            cs, ss, an = w[5]
            frm = "client" if w[0] == "c" else "server"
            if sc["name"] == "picked up mid-stream":
                frm = "client"  # the first sender is taken as the client
            have = (e["from"], e["client_state"], e["server_state"], sorted(e["anomalies"]))
            if have != (frm, cs, ss, sorted(an)):
                errors.append(f"segment {i} {w[1]}: got {have}, want {(frm, cs, ss, sorted(an))}")
        last = evs[-1] if evs else {}
        if last.get("history") != sc["history"] or last.get("conn_state") != sc["conn_state"]:
            errors.append(f"final history {last.get('history')!r} {last.get('conn_state')!r}, "
                          f"want {sc['history']!r} {sc['conn_state']!r}")
        if (last.get("client_state"), last.get("server_state")) != (CL, CL):
            errors.append("connection did not end")
        wanted_conns = 2 if "new connection" in sc["name"] else 1
        if len(conns) != wanted_conns:
            errors.append(f"{len(conns)} connection ids, want {wanted_conns}")
        print(f"{'ok' if not errors else 'WRONG'}: {sc['name']} (port {port}"
              f"{', IPv6' if sc['v6'] else ''}): {len(got)} events, history {last.get('history')}")
        for err in errors:
            print("   ", err)
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1] == "send":
        sys.exit(send(sys.argv[2], sys.argv[3]))
    if sys.argv[1] == "malformed":
        sys.exit(malformed(sys.argv[2], sys.argv[3]))
    if sys.argv[1] == "pcap":
        extra = sys.argv[4:]
        fam = next((a for a in extra if a in ("4", "6")), None)
        sys.exit(write_pcap(sys.argv[2], sys.argv[3], "nano" in extra,
                            "pcapng" in extra, fam))
    sys.exit(check(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
