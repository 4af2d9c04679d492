#!/usr/bin/python3
"""Hostile traffic for the VM tests (tests/vm/hostile.sh), and the checks
of what synfin made of it.

Sending (on a packet socket, from one namespace over a veth pair, so that
the other namespace sees the frames at PRE_ROUTING and the sender's own
hooks see nothing):

  hostile.py flood IFACE DSTMAC DSTIP KIND N [--bad-checksum] [--dport P] [--seed S]
        N segments to DSTIP from distinct random IPv4 sources and ports
        (10000-65535),
        KIND ack (bare ACKs) or data (PSH/ACK with 64 bytes), random
        sequence numbers; --bad-checksum: every TCP checksum wrong. The
        frames are made first, then sent in batches through a
        PACKET_TX_RING (one system call per 256 frames; a send() per
        frame if the ring cannot be set up). Prints what it sent as JSON.
  hostile.py hold HOST PORT [N]
        one real connection (or N) to a tests/vm/traffic.py server, in
        its client-close protocol: prints "ready CLIENTPORT..." once the
        server's greeting is read on each; SIGUSR1 sends one byte ("x",
        which the server reads and ACKs) on each; SIGTERM or SIGINT
        closes them normally (FIN, then waits for the server's FIN) and
        exits 0.
  hostile.py listen HOST PORT SECONDS
        a listener to synfin's events that makes no request: a raw
        generic netlink socket joins the events group (the family and
        group looked up from nlctrl), then a tests/vm/traffic.py
        client-close connection to HOST:PORT is made every 0.2 s until a
        message of events arrives or SECONDS have passed. Prints JSON
        (connections made, whether events came and after how long);
        exits 0 if they came, 1 if not.
  hostile.py forge IFACE DSTMAC PORT WHAT [--poke PID] [--timeout S]
        against the live connection of a client in this namespace (a
        `hold` process) to a server on the other side on PORT: learns its
        sequence numbers by sniffing IFACE (--poke: SIGUSR1 to PID first,
        so that the client sends a byte; the server's ACK of it is waited
        for too), then sends one segment as if from the client. WHAT:
          fin-out-of-window  FIN, seq 0x60000000 past what the server
                             expects (far outside any window), correct
                             checksum
          rst-bad-checksum   RST, the exact seq the server expects, wrong
                             TCP checksum
          fin-bad-checksum   FIN, the exact seq, wrong TCP checksum
        The server's TCP drops each of them. Prints what it sent as JSON.
  hostile.py vrfclient HOST PORT DEV
        one client-close connection (traffic.py's protocol) from a socket
        bound to DEV with SO_BINDTODEVICE (a VRF device: routed in its
        table, as `ip vrf exec` would).

Checking:

  hostile.py conn JSON PORT [--cport N] [--count N] [--from-syn]
                 [--conn-state CS] [--not-evicted] [--anomaly A]
                 [--no-anomaly A] [--pcap FILE]
        the connections to server port PORT in `synfin watch --json`
        output JSON: exactly --count of them (default 1); each traced
        from its SYN (the first event a SYN from the client, client
        SYN_SENT); ending with a summary of conn_state CS that is not an
        eviction; some event (--anomaly) or none (--no-anomaly) flagged
        A; the summary's segment counts each way equal to those of a
        tcpdump capture (Ethernet) of the connection.
  hostile.py established FLOWS CPORT
        in FLOWS (`synfin flows --json` output) the flow of client port
        CPORT is there with both sides ESTABLISHED
  hostile.py delta BEFORE AFTER EXPR [SHOW]
        counters of two `synfin stats --json` outputs: Python EXPR over
        d (deltas) and a (after) holds (a counter the module lacks is
        None, and fails); SHOW: the counters to print
  hostile.py judge VERDICTS KEY CMD ARGS... [::: KEY CMD ARGS...]...
        several of these checks in one Python start (seconds, emulated),
        each verdict appended to VERDICTS as "KEY ok" or "KEY fail"
  hostile.py segcount PCAP PORT
        TCP segments each way in an Ethernet capture, as JSON
"""
import json
import os
import struct
import sys
import time
# mmap, random, signal and socket are imported where they are used: a
# Python start is seconds in an emulated guest, every import counts.

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
SOL_PACKET = 263
PACKET_VERSION = 10
PACKET_TX_RING = 13
TPACKET_V2 = 1
PACKET_OUTGOING = 4
TP_STATUS_AVAILABLE, TP_STATUS_SEND_REQUEST, TP_STATUS_WRONG_FORMAT = 0, 1, 4
TPACKET2_DATA = 32              # TPACKET_ALIGN(sizeof(struct tpacket2_hdr))
F_FIN, F_SYN, F_RST, F_PSH, F_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
FLAG_NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]


def csum(data):
    """The Internet checksum of @data. The one's complement sum of 16-bit
    words is the big number's value modulo 0xFFFF (2^16 = 1 there): one
    C-speed operation, not a Python loop, which matters under emulation."""
    if len(data) % 2:
        data += b"\0"
    r = int.from_bytes(data, "big") % 0xFFFF
    return 0xFFFF - r if r else 0


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def iface_mac(iface):
    with open(f"/sys/class/net/{iface}/address") as f:
        return mac_bytes(f.read().strip())


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, win=502, options=b"",
             payload=b"", bad_checksum=False, ident=0):
    """An IPv4 packet with a TCP segment; src and dst packed (4 bytes)."""
    doff = 5 + len(options) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, doff << 4, flags, win, 0, 0) + options
    seg = tcp + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(seg)) + seg)
    if bad_checksum:
        c ^= 0x5555         # never congruent to the right one mod 0xFFFF
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), ident, 0x4000,
                     64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + seg


# ---- flood ----

def random_source(rng):
    """A unicast IPv4 address outside 127/8 and the test's 192.0.2.0/24."""
    while True:
        a = rng.randrange(0x01000000, 0xE0000000)
        if a >> 24 != 127 and a >> 8 != 0xC00002:
            return a


class TxRing:
    """A TPACKET_V2 transmit ring: frames are copied into the mapping and
    one send() hands the kernel all of them."""
    FRAME = 2048
    BLOCK = 1 << 16
    BLOCKS = 8

    def __init__(self, sock):
        import mmap
        self.sock = sock
        self.nframes = self.BLOCK // self.FRAME * self.BLOCKS
        sock.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V2)
        sock.setsockopt(SOL_PACKET, PACKET_TX_RING,
                        struct.pack("IIII", self.BLOCK, self.BLOCKS, self.FRAME, self.nframes))
        self.map = mmap.mmap(sock.fileno(), self.BLOCK * self.BLOCKS,
                             mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)

    def status(self, i):
        return struct.unpack_from("I", self.map, i * self.FRAME)[0]

    def send(self, frames):
        sent = 0
        for start in range(0, len(frames), self.nframes):
            batch = frames[start:start + self.nframes]
            for i, fr in enumerate(batch):
                off = i * self.FRAME
                deadline = time.monotonic() + 10
                while self.status(i) != TP_STATUS_AVAILABLE:
                    if self.status(i) == TP_STATUS_WRONG_FORMAT:
                        raise OSError("tx ring: frame refused (wrong format)")
                    if time.monotonic() > deadline:
                        raise OSError("tx ring: frame never sent")
                    time.sleep(0.001)
                struct.pack_into("I", self.map, off + 4, len(fr))   # tp_len
                self.map[off + TPACKET2_DATA:off + TPACKET2_DATA + len(fr)] = fr
                struct.pack_into("I", self.map, off, TP_STATUS_SEND_REQUEST)
            # Blocking: returns when every frame asked for has gone.
            self.sock.send(b"")
            sent += len(batch)
        for i in range(min(len(frames), self.nframes)):
            deadline = time.monotonic() + 10
            while self.status(i) not in (TP_STATUS_AVAILABLE, TP_STATUS_WRONG_FORMAT):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.001)
        return sent


def flood(args):
    import random
    import socket
    iface, dstmac, dstip, kind, n = args[:5]
    n = int(n)
    bad = "--bad-checksum" in args
    dport = int(opt(args, "--dport", 80))
    seed = int(opt(args, "--seed", int.from_bytes(os.urandom(4), "big")))
    if kind not in ("ack", "data"):
        sys.exit("flood: KIND is ack or data")
    rng = random.Random(seed)
    eth = mac_bytes(dstmac) + iface_mac(iface) + struct.pack("!H", ETH_P_IP)
    dst = socket.inet_aton(dstip)
    payload = b"" if kind == "ack" else bytes(rng.randrange(256) for _ in range(64))
    flags = F_ACK if kind == "ack" else F_PSH | F_ACK
    seen = set()
    frames = []
    t0 = time.monotonic()
    while len(frames) < n:
        # Source ports from 10000 up: never one of hostile.sh's (98xx),
        # whose connections are picked out of a reader's output by port.
        src, sport = random_source(rng), rng.randrange(10000, 65536)
        if (src, sport) in seen:
            continue
        seen.add((src, sport))
        frames.append(eth + ipv4_tcp(struct.pack("!I", src), dst, sport, dport,
                                     rng.getrandbits(32), rng.getrandbits(32), flags,
                                     win=rng.randrange(1000, 65536), payload=payload,
                                     bad_checksum=bad, ident=rng.getrandbits(16)))
    t1 = time.monotonic()
    os.sched_setaffinity(0, {0})
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    except OSError:
        pass
    batched = True
    try:
        ring = TxRing(sock)
    except OSError:
        batched = False
    sock.bind((iface, 0))
    if batched:
        sent = ring.send(frames)
    else:
        sent = 0
        for fr in frames:
            while True:
                try:
                    sock.send(fr)
                    break
                except BlockingIOError:
                    time.sleep(0.001)
                except OSError as e:
                    if e.errno != 105:      # ENOBUFS: wait, try again
                        raise
                    time.sleep(0.001)
            sent += 1
    t2 = time.monotonic()
    print(json.dumps({"kind": kind, "sent": sent, "bad_checksum": bad, "dst": dstip,
                      "dport": dport, "seed": seed, "batched": batched,
                      "build_s": round(t1 - t0, 3), "send_s": round(t2 - t1, 3)}))
    return 0 if sent == n else 1


# ---- a held connection ----

from traffic import read_line  # noqa: E402  (the same line protocol)


def hold(args):
    import signal
    import socket
    host, port = args[0], int(args[1])
    count = int(args[2]) if len(args) > 2 else 1
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    sigs = {signal.SIGUSR1, signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    socks = []
    for _ in range(count):
        sock = socket.socket(fam, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect((host, port))
        sock.sendall(b"C\n")    # traffic.py's server: the client closes first
        if not read_line(sock).endswith(b"\n"):
            print("no greeting from the server", file=sys.stderr)
            return 1
        socks.append(sock)
    print("ready", *(s.getsockname()[1] for s in socks), flush=True)
    while True:
        sig = signal.sigwait(sigs)
        if sig == signal.SIGUSR1:
            for sock in socks:
                sock.sendall(b"x")
            continue
        # A normal close: our FIN, then the server's (it closes on EOF).
        for sock in socks:
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(4096):
                pass
            sock.close()
        print("closed", flush=True)
        return 0


def listen(args):
    import select
    import socket
    import traffic
    host, port, seconds = args[0], int(args[1]), float(args[2])
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # generic
    nl.bind((0, 0))
    # CTRL_CMD_GETFAMILY (3) of "synfin" to nlctrl (0x10), version 1
    name = b"synfin\0"
    a = struct.pack("=HH", 4 + len(name), 2) + name
    a += b"\0" * (-len(a) % 4)
    body = struct.pack("BBH", 3, 1, 0) + a
    nl.send(struct.pack("=IHHII", 16 + len(body), 0x10, 1, 1, 0) + body)
    data = nl.recv(65536)
    length, kind = struct.unpack("=IH", data[:6])
    if kind == 2:       # NLMSG_ERROR: no family
        print("no synfin family", file=sys.stderr)
        return 1

    def attrs(buf):
        off = 0
        while off + 4 <= len(buf):
            alen, atype = struct.unpack("=HH", buf[off:off + 4])
            if alen < 4:
                return
            yield atype & 0x3FFF, buf[off + 4:off + alen]
            off += (alen + 3) & ~3

    group = None
    for atype, val in attrs(data[20:length]):
        if atype == 7:  # CTRL_ATTR_MCAST_GROUPS
            for _, grp in attrs(val):
                g = dict(attrs(grp))
                if g.get(1, b"").rstrip(b"\0") == b"events":
                    group = struct.unpack("=I", g[2][:4])[0]
    if group is None:
        print("no events group", file=sys.stderr)
        return 1
    nl.setsockopt(270, 1, group)        # SOL_NETLINK, NETLINK_ADD_MEMBERSHIP
    start = time.monotonic()
    n, got = 0, None
    while got is None and time.monotonic() - start < seconds:
        if traffic.client(host, port, "client-close") == 0:
            n += 1
        end = time.monotonic() + 0.2
        while got is None and time.monotonic() < end:
            r, _, _ = select.select([nl], [], [], max(end - time.monotonic(), 0))
            if r:
                msg = nl.recv(65536)
                if len(msg) >= 20 and msg[16] == 1:     # SYNFIN_CMD_EVENTS
                    got = time.monotonic() - start
    print(json.dumps({"connections": n, "events": got is not None,
                      "after_s": None if got is None else round(got, 2)}), flush=True)
    return 0 if got is not None else 1


# ---- forging into a live connection ----

def parse_frame(fr):
    """(src, dst, ip id, tcp fields) of an Ethernet IPv4 TCP frame, or None."""
    if len(fr) < 34 or fr[12:14] != b"\x08\x00":
        return None
    ip = fr[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[0] >> 4 != 4 or ip[9] != 6 or len(ip) < ihl + 20:
        return None
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:total]
    sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", tcp[:16])
    doff = (off >> 4) * 4
    return dict(smac=fr[6:12], src=ip[12:16], dst=ip[16:20], sport=sport, dport=dport,
                seq=seq, ack=ack, flags=flags, win=win, options=tcp[20:doff],
                len=len(tcp) - doff)


def forge(args):
    import signal
    import socket
    iface, dstmac, port, what = args[0], args[1], int(args[2]), args[3]
    poke = opt(args, "--poke", None)
    timeout = float(opt(args, "--timeout", 10))
    kinds = {"fin-out-of-window": (F_FIN | F_ACK, 0x60000000, False),
             "rst-bad-checksum": (F_RST | F_ACK, 0, True),
             "fin-bad-checksum": (F_FIN | F_ACK, 0, True)}
    if what not in kinds:
        sys.exit(f"forge: WHAT is one of {', '.join(kinds)}")
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.bind((iface, ETH_P_ALL))
    if poke:
        os.kill(int(poke), signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    cli = None
    srv_ack = None
    while time.monotonic() < deadline:
        rx.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            fr, addr = rx.recvfrom(65535)
        except socket.timeout:
            break
        p = parse_frame(fr)
        if not p:
            continue
        if cli is None:
            # The client's byte: outgoing, to the server's port, with data.
            if addr[2] == PACKET_OUTGOING and p["dport"] == port and p["len"] > 0:
                cli = p
                # The server's ACK of it is not long in coming; then
                # nothing is in flight and the numbers are settled.
                deadline = min(deadline, time.monotonic() + 3)
            continue
        if (p["sport"] == port and p["dport"] == cli["sport"] and p["src"] == cli["dst"]
                and p["flags"] & F_ACK
                and (p["ack"] - (cli["seq"] + cli["len"])) & 0xFFFFFFFF < 0x80000000):
            srv_ack = p
            break
    if cli is None:
        print("forge: saw no segment from the client to port %d" % port, file=sys.stderr)
        return 1
    rcv_nxt = (cli["seq"] + cli["len"]) & 0xFFFFFFFF   # what the server expects next
    # The client acknowledges what the server has sent: the server's ACK's
    # own seq if it was seen, else the client's last ack.
    ack = srv_ack["seq"] if srv_ack else cli["ack"]
    flags, offset, bad = kinds[what]
    seq = (rcv_nxt + offset) & 0xFFFFFFFF
    pkt = ipv4_tcp(cli["src"], cli["dst"], cli["sport"], port, seq, ack, flags,
                   win=cli["win"], options=cli["options"], bad_checksum=bad,
                   ident=int.from_bytes(os.urandom(2), "big"))
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    tx.bind((iface, 0))
    tx.send(mac_bytes(dstmac) + iface_mac(iface) + struct.pack("!H", ETH_P_IP) + pkt)
    print(json.dumps({
        "what": what, "src": socket.inet_ntoa(cli["src"]), "sport": cli["sport"],
        "dst": socket.inet_ntoa(cli["dst"]), "dport": port,
        "flags": [n for i, n in enumerate(FLAG_NAMES) if flags & (1 << i)],
        "seq": seq, "ack": ack, "rcv_nxt": rcv_nxt, "checksum": "wrong" if bad else "right",
        "options": cli["options"].hex(), "server_ack_seen": srv_ack is not None,
        "server_window": srv_ack["win"] if srv_ack else None}))
    return 0


# ---- a client in a VRF ----

def vrfclient(args):
    import socket
    host, port, dev = args[0], int(args[1]), args[2]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    sock.settimeout(10)
    sock.connect((host, port))
    sock.sendall(b"C\n")
    read_line(sock)
    sock.close()
    print("done", flush=True)
    return 0


# ---- checks ----

def opt(args, name, default):
    if name in args:
        return args[args.index(name) + 1]
    return default


def pcap_segments(path, port):
    """Segments each way, (client to server, server to client), of the
    connections to @port in an Ethernet pcap; the client sends the SYN."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, c2s, s2c = 24, 0, 0
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        p = parse_frame(data[off + 16:off + 16 + incl])
        off += 16 + incl
        if not p:
            continue
        if p["dport"] == port:
            c2s += 1
        elif p["sport"] == port:
            s2c += 1
    return c2s, s2c


def conn(args):
    path, port = args[0], int(args[1])
    cport = opt(args, "--cport", None)
    count = int(opt(args, "--count", 1))
    want_cs = opt(args, "--conn-state", None)
    anomaly = opt(args, "--anomaly", None)
    no_anomaly = opt(args, "--no-anomaly", None)
    pcap = opt(args, "--pcap", None)
    lines = [json.loads(l) for l in open(path) if l.strip()]
    errors = []

    def mine_event(e):
        if e.get("type") not in ("segment", "timeout") or port not in (e["sport"], e["dport"]):
            return False
        return cport is None or int(cport) in (e["sport"], e["dport"])

    events = [e for e in lines if mine_event(e)]
    summaries = [e for e in lines if e.get("type") == "summary" and
                 (e["server_port"] == port or e["client_port"] == port) and
                 (cport is None or int(cport) in (e["client_port"], e["server_port"]))]
    lost = sum((e["count"] or 0) for e in lines if e.get("type") == "lost")
    conns = []
    for e in events:
        if e["conn"] not in conns:
            conns.append(e["conn"])
    for s in summaries:
        if s["conn"] not in conns:
            conns.append(s["conn"])
    print(f"port {port}{' client port ' + cport if cport else ''}: {len(conns)} connection(s), "
          f"{len(events)} events, {len(summaries)} summaries, {lost} events reported lost elsewhere")
    if len(conns) != count:
        errors.append(f"{len(conns)} connections, want {count}")
    for c in conns:
        evs = [e for e in events if e["conn"] == c]
        summ = [s for s in summaries if s["conn"] == c]
        for e in evs:
            print(f"  #{c} {e['type']} {e['from']} {','.join(e['flags'])} seq={e['seq']} "
                  f"-> {e['client_state']}/{e['server_state']} {' '.join(e['anomalies'])}")
        for s in summ:
            print(f"  #{c} summary: {s['client']}:{s['client_port']} -> {s['server']}:{s['server_port']} "
                  f"end {s['end']} ({s['how']}) segments c>s {s['client_segments']} "
                  f"s>c {s['server_segments']} history {s['history']} conn_state {s['conn_state']}")
        if "--from-syn" in args:
            first = evs[0] if evs else None
            if not first or first["type"] != "segment" or first["from"] != "client" or \
                    "SYN" not in first["flags"] or "ACK" in first["flags"] or \
                    first["client_state"] != "SYN_SENT":
                errors.append(f"#{c}: not traced from its SYN: first event {first}")
        if len(summ) != 1:
            errors.append(f"#{c}: {len(summ)} summaries, want 1")
            continue
        s = summ[0]
        if s["server_port"] != port:
            errors.append(f"#{c}: roles reversed: the server port is {s['server_port']}")
        if want_cs and s["conn_state"] != want_cs:
            errors.append(f"#{c}: conn_state {s['conn_state']}, want {want_cs}")
        if "--not-evicted" in args and s["end"] == "evicted":
            errors.append(f"#{c}: evicted ({s['how']})")
        if want_cs == "SF" and s["history"] and s["history"][0] == "^":
            errors.append(f"#{c}: picked up mid-stream (history {s['history']})")
        if pcap:
            c2s, s2c = pcap_segments(pcap, port)
            print(f"  tcpdump captured c>s {c2s} s>c {s2c}")
            if (s["client_segments"], s["server_segments"]) != (c2s, s2c):
                errors.append(f"#{c}: synfin counted c>s {s['client_segments']} "
                              f"s>c {s['server_segments']}, tcpdump c>s {c2s} s>c {s2c}")
    flagged = [a for e in events for a in e["anomalies"]]
    if anomaly and anomaly not in flagged:
        errors.append(f"no event flagged {anomaly} (flagged: {sorted(set(flagged))})")
    if no_anomaly and no_anomaly in flagged:
        errors.append(f"{flagged.count(no_anomaly)} events flagged {no_anomaly}")
    for err in errors:
        print("  WRONG:", err)
    return 1 if errors else 0


def established(args):
    path, cport = args[0], int(args[1])
    flows = [json.loads(l) for l in open(path) if l.strip()]
    mine = [f for f in flows if cport in (f["client_port"], f["server_port"])]
    for f in mine:
        print(f"  flow #{f['conn']} {f['client']}:{f['client_port']} -> {f['server']}:{f['server_port']} "
              f"{f['client_state']}/{f['server_state']} history {f['history']}")
    if len(mine) != 1:
        print(f"  {len(mine)} flows with port {cport} (of {len(flows)}), want 1")
        return 1
    f = mine[0]
    if f["client_port"] != cport or (f["client_state"], f["server_state"]) != ("ESTABLISHED", "ESTABLISHED"):
        print("  WRONG: want client port %d, ESTABLISHED/ESTABLISHED" % cport)
        return 1
    return 0


class Deltas(dict):
    def __missing__(self, key):
        return None     # a counter this module does not have


def delta(args):
    """Counter deltas between two `synfin stats --json` files: EXPR over d
    (after - before) and a (after) must hold; SHOW: counters to print."""
    before, after, expr = args[0], args[1], args[2]
    b = json.load(open(before))["total"]
    a = json.load(open(after))["total"]
    d = Deltas({k: a[k] - b.get(k, 0) for k in a})
    a = Deltas(a)
    shown = args[3].split() if len(args) > 3 else []
    print(" ", " ".join(f"{k} {d[k]:+}" if d[k] is not None else f"{k} (no such counter)"
                        for k in shown), "| flows_active", a["flows_active"])
    try:
        ok = eval(expr, {}, {"d": d, "a": a})
    except TypeError as e:
        print("  WRONG:", expr, "->", e)
        return 1
    if not ok:
        print("  WRONG: want", expr)
    return 0 if ok else 1


def judge(args):
    """Several checks in one Python start: VERDICTS KEY CMD ARGS... [::: KEY
    CMD ARGS...]...; each verdict goes to file VERDICTS as "KEY ok" or
    "KEY fail", for hostile.sh's check to read."""
    out, rest = args[0], args[1:]
    parts, cur = [], []
    for a in rest:
        if a == ":::":
            parts.append(cur)
            cur = []
        else:
            cur.append(a)
    parts.append(cur)
    with open(out, "a") as f:
        for key, cmd, *cargs in (p for p in parts if p):
            print(f"[{key}] {cmd}", flush=True)
            try:
                rc = COMMANDS[cmd][0](cargs)
            except Exception as e:      # a missing file, a broken line: fail, say why
                print(f"  WRONG: {type(e).__name__}: {e}")
                rc = 1
            f.write(f"{key} {'ok' if rc == 0 else 'fail'}\n")
            sys.stdout.flush()
    return 0


def segcount(args):
    c2s, s2c = pcap_segments(args[0], int(args[1]))
    print(json.dumps({"c2s": c2s, "s2c": s2c}))
    return 0


COMMANDS = {"flood": (flood, 5), "hold": (hold, 2), "listen": (listen, 3),
            "forge": (forge, 4),
            "vrfclient": (vrfclient, 3), "conn": (conn, 2),
            "established": (established, 2), "delta": (delta, 3),
            "judge": (judge, 3), "segcount": (segcount, 2)}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS or \
            len(sys.argv) - 2 < COMMANDS[sys.argv[1]][1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]][0](sys.argv[2:]))
