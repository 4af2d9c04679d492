#!/usr/bin/python3
"""Send well-formed and malformed requests to the synfin genetlink family
over a raw netlink socket and check each gets the right answer.

  nlprobe.py            as root: every case below must answer as listed
  nlprobe.py --denied   expect EPERM for the valid requests
  nlprobe.py --selections N
                        N sockets may each register a selection, the
                        next is refused (ENOSPC, with its message); once
                        one has closed, another may (max_selections N)
  nlprobe.py --random N N random requests to every command (random flags,
                        versions, attributes of random types, lengths and
                        nesting, random bytes): each must be answered with
                        success or a clear error, and the family must
                        still work after them
"""
import errno
import random
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG = 1
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
CMD_EVENTS, CMD_GET_STATS, CMD_GET_FLOWS, CMD_SET_SELECTION = 1, 2, 3, 4
A_EVENT, A_SELECTION = 2, 6
SEL_PORTS, SEL_PREFIX = 1, 2
PORTS_LO, PORTS_HI = 1, 2
PREFIX_FAMILY, PREFIX_ADDR, PREFIX_LEN = 1, 2, 3


def open_socket():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.bind((0, 0))
    s.settimeout(10)  # no answer at all is a failure, not a hang
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    return s


sock = open_socket()
seq = 100
# The extack message of the last error answered, or None.
last_msg = None


def attr(kind, payload):
    data = struct.pack("=HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def nest(kind, payload):
    return attr(kind | NLA_F_NESTED, payload)


def ports(lo=None, hi=None, extra=b""):
    inner = b""
    if lo is not None:
        inner += attr(PORTS_LO, struct.pack("=H", lo))
    if hi is not None:
        inner += attr(PORTS_HI, struct.pack("=H", hi))
    return nest(SEL_PORTS, inner + extra)


def prefix(family=None, addr=None, length=None):
    inner = b""
    if family is not None:
        inner += attr(PREFIX_FAMILY, struct.pack("B", family))
    if addr is not None:
        inner += attr(PREFIX_ADDR, addr)
    if length is not None:
        inner += attr(PREFIX_LEN, struct.pack("B", length))
    return nest(SEL_PREFIX, inner)


def selection(*entries):
    return nest(A_SELECTION, b"".join(entries))


def extack_msg(body, flags):
    """The NLMSGERR_ATTR_MSG of an error's body, or None."""
    if not flags & NLM_F_ACK_TLVS:
        return None
    off = 4 + (16 if flags & NLM_F_CAPPED else struct.unpack("=I", body[4:8])[0])
    off = (off + 3) & ~3
    while off + 4 <= len(body):
        length, kind = struct.unpack("=HH", body[off:off + 4])
        if length < 4:
            break
        if kind == NLMSGERR_ATTR_MSG:
            return body[off + 4:off + length].split(b"\0")[0].decode()
        off += (length + 3) & ~3
    return None


def request(family, cmd, attrs=b"", flags=NLM_F_ACK, raw=None, on=None):
    """Return (errno or 0, list of reply payloads); the error's message,
    if any, in last_msg. @on: the socket (default: the module's own)."""
    global seq, last_msg
    s = on or sock
    seq += 1
    last_msg = None
    payload = raw if raw is not None else struct.pack("BBH", cmd, 1, 0) + attrs
    msg = struct.pack("=IHHII", 16 + len(payload), family,
                      NLM_F_REQUEST | flags, seq, 0) + payload
    s.send(msg)
    replies = []
    while True:
        data = s.recv(1 << 16)
        off = 0
        while off + 16 <= len(data):
            length, kind, rflags, rseq, _ = struct.unpack("=IHHII", data[off:off + 16])
            body = data[off + 16:off + length]
            off += (length + 3) & ~3
            if rseq != seq:
                continue
            if kind == NLMSG_ERROR:
                last_msg = extack_msg(body, rflags)
                return -struct.unpack("=i", body[:4])[0], replies
            if kind == NLMSG_DONE:
                return 0, replies
            replies.append(body)


def family_id():
    err, replies = request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                           attr(CTRL_ATTR_FAMILY_NAME, b"synfin\0"))
    if err:
        raise SystemExit(f"synfin family not found: {errno.errorcode[err]}")
    body = replies[0][4:]
    while body:
        length, kind = struct.unpack("=HH", body[:4])
        if kind == CTRL_ATTR_FAMILY_ID:
            return struct.unpack("=H", body[4:6])[0]
        body = body[(length + 3) & ~3:]
    raise SystemExit("no family id")


def random_attrs(rng, depth=0):
    out = b""
    for _ in range(rng.randrange(4)):
        kind = rng.choice([0, 1, 2, 3, 4, 5, 6, rng.randrange(1 << 16)])
        if depth < 2 and rng.random() < 0.3:
            payload = random_attrs(rng, depth + 1)
            kind |= 0x8000 if rng.random() < 0.5 else 0  # NLA_F_NESTED
        else:
            payload = rng.randbytes(rng.choice([0, 1, 2, 4, 8, 16, rng.randrange(200)]))
        a = attr(kind, payload)
        if rng.random() < 0.15:  # a length that lies
            a = struct.pack("=H", rng.randrange(1 << 16)) + a[2:]
        out += a
    return out


def fuzz(fam, n):
    rng = random.Random(20261124)
    allowed = {0, errno.EINVAL, errno.EOPNOTSUPP, errno.ERANGE, errno.EMSGSIZE}
    seen = {}
    for i in range(n):
        cmd = rng.choice([0, CMD_EVENTS, CMD_GET_STATS, CMD_GET_FLOWS,
                          CMD_SET_SELECTION, 5, rng.randrange(256)])
        flags = NLM_F_ACK | rng.choice([0, 0, NLM_F_DUMP, 0x100, 0x200])
        if rng.random() < 0.2:
            raw = rng.randbytes(rng.randrange(24))  # random genl header and all
        else:
            raw = struct.pack("BBH", cmd, rng.choice([0, 1, 2, 255]), rng.randrange(1 << 16)) + random_attrs(rng)
        got, _ = request(fam, cmd, flags=flags, raw=raw)
        seen[got] = seen.get(got, 0) + 1
        if got not in allowed:
            print(f"WRONG: request {i} (cmd {raw[:1].hex()}, flags {flags:#x}, {raw.hex()}): "
                  f"{errno.errorcode.get(got, got)}")
            return 1
    got, _ = request(fam, CMD_GET_STATS)
    print(f"{n} random requests: answers {dict((errno.errorcode.get(k, 'ok') if k else 'ok', v) for k, v in seen.items())}; "
          f"stats afterwards: {errno.errorcode.get(got, 'ok') if got else 'ok'}")
    return 1 if got else 0


def bound(fam, n):
    """max_selections is @n: @n sockets may register, the next may not."""
    good = selection(ports(80, 90))
    socks = [open_socket() for _ in range(n + 1)]
    for i, s in enumerate(socks[:n]):
        got, _ = request(fam, CMD_SET_SELECTION, good, on=s)
        if got:
            print(f"WRONG: selection {i + 1} of {n}: {errno.errorcode.get(got, got)}: {last_msg}")
            return 1
    # Replacing one's own selection takes no new place.
    got, _ = request(fam, CMD_SET_SELECTION, selection(ports(1, 2)), on=socks[0])
    if got:
        print(f"WRONG: replacing a selection: {errno.errorcode.get(got, got)}: {last_msg}")
        return 1
    got, _ = request(fam, CMD_SET_SELECTION, good, on=socks[n])
    print(f"selection {n + 1} of max_selections {n}: {errno.errorcode.get(got, got) if got else 0}: {last_msg}")
    if got != errno.ENOSPC or "max_selections" not in (last_msg or ""):
        print("WRONG: want ENOSPC, saying max_selections")
        return 1
    # An empty request removes one; a closed socket's goes by itself.
    got, _ = request(fam, CMD_SET_SELECTION, on=socks[1])
    if got:
        print(f"WRONG: removing a selection: {errno.errorcode.get(got, got)}")
        return 1
    socks[2].close()
    for what, s in (("after one removed", socks[n]), ("after one closed", open_socket())):
        got, _ = request(fam, CMD_SET_SELECTION, good, on=s)
        print(f"a selection {what}: {errno.errorcode.get(got, got) if got else 0}: {last_msg}")
        if got:
            print("WRONG: want success")
            return 1
    return 0


def main():
    fam = family_id()
    if "--random" in sys.argv:
        return fuzz(fam, int(sys.argv[sys.argv.index("--random") + 1]))
    if "--selections" in sys.argv:
        return bound(fam, int(sys.argv[sys.argv.index("--selections") + 1]))
    denied = "--denied" in sys.argv
    ok = errno.EPERM if denied else 0
    v4, v6 = socket.inet_pton(socket.AF_INET, "10.0.0.0"), socket.inet_pton(socket.AF_INET6, "2001:db8::")
    good = selection(ports(9000, 9100), ports(22), prefix(socket.AF_INET, v4, 8),
                     prefix(socket.AF_INET6, v6, 32), prefix(socket.AF_INET6, v6))
    cases = [
        ("stats", dict(cmd=CMD_GET_STATS), ok),
        ("flows dump", dict(cmd=CMD_GET_FLOWS, flags=NLM_F_DUMP | NLM_F_ACK), ok),
        ("a selection of port ranges and prefixes", dict(cmd=CMD_SET_SELECTION, attrs=good), ok),
        ("no selection (removes it)", dict(cmd=CMD_SET_SELECTION), ok),
    ]
    if not denied:
        sel = lambda *e: dict(cmd=CMD_SET_SELECTION, attrs=selection(*e))  # noqa: E731
        cases += [
            ("an empty selection (removes it)", sel(), 0),
            ("selection: /0 and the whole range", sel(ports(0, 65535), prefix(socket.AF_INET, v4, 0)), 0),
            ("selection: lo above hi", sel(ports(2, 1)), (errno.EINVAL, "lo is above its hi")),
            ("selection: ports without lo", sel(ports(hi=5)), (errno.EINVAL, "needs lo")),
            ("selection: an unknown attribute of ports",
             sel(ports(1, 2, attr(9, b"xxxx"))), (errno.EINVAL, "Unknown attribute")),
            ("selection: ports of 3 bytes",
             sel(nest(SEL_PORTS, attr(PORTS_LO, b"abc"))), (errno.EINVAL, None)),
            ("selection: 17 port ranges", sel(*[ports(i, i) for i in range(17)]),
             (errno.EINVAL, "at most 16 port ranges")),
            ("selection: 17 prefixes", sel(*[prefix(socket.AF_INET, v4, 8)] * 17),
             (errno.EINVAL, "at most 16 prefixes")),
            ("selection: IPv4 /33", sel(prefix(socket.AF_INET, v4, 33)), (errno.EINVAL, "at most 32 for AF_INET")),
            ("selection: IPv6 /129", sel(prefix(socket.AF_INET6, v6, 129)), (errno.ERANGE, None)),
            ("selection: IPv6 family, 4-byte addr", sel(prefix(socket.AF_INET6, v4, 8)),
             (errno.EINVAL, "16 for AF_INET6")),
            ("selection: addr of 17 bytes", sel(prefix(socket.AF_INET6, v6 + b"x", 8)),
             (errno.EINVAL, "16 for AF_INET6")),
            ("selection: family 7", sel(prefix(7, v4, 8)), (errno.EINVAL, "AF_INET (2) or AF_INET6 (10)")),
            ("selection: a prefix without addr", sel(prefix(socket.AF_INET, length=8)),
             (errno.EINVAL, "needs its family and addr")),
            ("selection: an unknown attribute", sel(attr(9, b"")), (errno.EINVAL, "Unknown attribute")),
            ("selection: a nest without NLA_F_NESTED",
             dict(cmd=CMD_SET_SELECTION, attrs=attr(A_SELECTION, ports(1, 2))), (errno.EINVAL, None)),
            ("selection with an event attribute",
             dict(cmd=CMD_SET_SELECTION, attrs=attr(A_EVENT | NLA_F_NESTED, b"")), (errno.EINVAL, None)),
            ("stats with a selection", dict(cmd=CMD_GET_STATS, attrs=selection(ports(1, 2))), (errno.EINVAL, None)),

            ("stats with an event attribute", dict(cmd=CMD_GET_STATS, attrs=attr(A_EVENT, b"")), errno.EINVAL),
            ("stats with an unknown attribute", dict(cmd=CMD_GET_STATS, attrs=attr(200, b"xxxx")), errno.EINVAL),
            ("flows dump with an attribute", dict(cmd=CMD_GET_FLOWS, flags=NLM_F_DUMP | NLM_F_ACK, attrs=attr(A_EVENT, b"")), errno.EINVAL),
            ("truncated attribute", dict(cmd=CMD_GET_STATS, attrs=struct.pack("=HH", 40, 3)), errno.EINVAL),
            ("unknown command", dict(cmd=99), errno.EOPNOTSUPP),
            ("events command as a request", dict(cmd=CMD_EVENTS), errno.EOPNOTSUPP),
            ("truncated genl header", dict(cmd=0, raw=b"\x02\x01"), errno.EINVAL),
        ]
    failed = 0
    for name, kw, want in cases:
        want, says = want if isinstance(want, tuple) else (want, None)
        got, _ = request(fam, **kw)
        good = got == want and (says is None or says in (last_msg or ""))
        verdict = "ok" if good else "WRONG"
        failed += not good
        print(f"{verdict}: {name}: {errno.errorcode.get(got, got) if got else 0}"
              f" (want {errno.errorcode.get(want, want) if want else 0})"
              + (f": {last_msg!r}" if last_msg else "")
              + (f" (want a message with {says!r})" if says and not good else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
