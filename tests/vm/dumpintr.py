#!/usr/bin/python3
"""A GET_FLOWS dump that the table changes under says so.

  dumpintr.py N     hold N loopback connections open (N flows, more than
                    one dump message holds), then dump the flow table
                    twice over a raw generic netlink socket, reading one
                    part at a time: once untouched (no message may carry
                    NLM_F_DUMP_INTR, and every held connection is listed
                    once), once with a new connection made after the
                    first part (a later message must carry NLM_F_DUMP_INTR)

Run as root in a namespace of its own or on an idle host: other traffic
that makes or ends flows in the netns during the untouched dump fails it.
"""
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
CMD_GET_FLOWS = 3
A_FLOW = 3
E_SPORT, E_DPORT = 11, 12


def attrs(body):
    while len(body) >= 4:
        length, kind = struct.unpack("=HH", body[:4])
        if length < 4:
            return
        yield kind & 0x3fff, body[4:length]
        body = body[(length + 3) & ~3:]


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.bind((0, 0))
        self.sock.settimeout(10)
        self.seq = 0

    def send(self, family, cmd, flags, payload=b""):
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        self.sock.send(struct.pack("=IHHII", 16 + len(body), family,
                                   NLM_F_REQUEST | flags, self.seq, 0) + body)

    def part(self):
        """One skb of replies: [(type, flags, body)]."""
        data = self.sock.recv(1 << 20)
        out, off = [], 0
        while off + 16 <= len(data):
            length, kind, flags, seq, _ = struct.unpack("=IHHII", data[off:off + 16])
            if seq == self.seq:
                out.append((kind, flags, data[off + 16:off + length]))
            off += (length + 3) & ~3
        return out

    def family(self):
        name = b"synfin\0"
        a = struct.pack("=HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + name
        self.send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK, a + b"\0" * (-len(a) % 4))
        for kind, _, body in self.part():
            if kind == GENL_ID_CTRL:
                for k, v in attrs(body[4:]):
                    if k == CTRL_ATTR_FAMILY_ID:
                        return struct.unpack("=H", v[:2])[0]
        raise SystemExit("no synfin family")


def dump(g, fam, between=None):
    """Dump the flows a part at a time; return (ports seen, parts, intr)."""
    g.send(fam, CMD_GET_FLOWS, NLM_F_DUMP | NLM_F_ACK)
    ports, parts, intr = [], 0, False
    while True:
        msgs = g.part()
        parts += 1
        done = False
        for kind, flags, body in msgs:
            intr |= bool(flags & NLM_F_DUMP_INTR)
            if kind == NLMSG_ERROR:
                err = -struct.unpack("=i", body[:4])[0]
                if err:
                    raise SystemExit(f"dump failed: errno {err}")
                done = True
            elif kind == NLMSG_DONE:
                done = True
            else:
                for k, v in attrs(body[4:]):
                    if k == A_FLOW:
                        f = dict(attrs(v))
                        ports.append(struct.unpack("=H", f[E_SPORT][:2])[0])
        if done:
            return ports, parts, intr
        if parts == 1 and between:
            between()


def main():
    n = int(sys.argv[1])
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(n + 8)
    port = srv.getsockname()[1]
    held = []
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port))
        held.append((c, srv.accept()[0]))
    mine = {c.getsockname()[1] for c, _ in held}
    g = Genl()
    fam = g.family()

    ports, parts, intr = dump(g, fam)
    listed = [p for p in ports if p in mine]
    print(f"untouched dump: {len(ports)} flows in {parts} parts, "
          f"{len(listed)} of the {n} held, interrupted: {intr}")
    if parts < 3 or intr or sorted(listed) != sorted(mine):
        return 1

    def churn():
        c = socket.create_connection(("127.0.0.1", port))
        held.append((c, srv.accept()[0]))

    ports, parts, intr = dump(g, fam, churn)
    print(f"dump with a connection made after its first part: {len(ports)} "
          f"flows in {parts} parts, interrupted: {intr}")
    return 0 if intr else 1


if __name__ == "__main__":
    sys.exit(main())
