#!/usr/bin/python3
"""Send well-formed and malformed requests to the synfin genetlink family
over a raw netlink socket and check each gets the right answer.

  nlprobe.py            as root: every case below must answer as listed
  nlprobe.py --denied   expect EPERM for the valid requests
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
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
CMD_EVENTS, CMD_GET_STATS, CMD_GET_FLOWS = 1, 2, 3
A_EVENT = 2

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
sock.bind((0, 0))
sock.settimeout(10)  # no answer at all is a failure, not a hang
seq = 100


def attr(kind, payload):
    data = struct.pack("=HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def request(family, cmd, attrs=b"", flags=NLM_F_ACK, raw=None):
    """Return (errno or 0, list of reply payloads)."""
    global seq
    seq += 1
    payload = raw if raw is not None else struct.pack("BBH", cmd, 1, 0) + attrs
    msg = struct.pack("=IHHII", 16 + len(payload), family,
                      NLM_F_REQUEST | flags, seq, 0) + payload
    sock.send(msg)
    replies = []
    while True:
        data = sock.recv(1 << 16)
        off = 0
        while off + 16 <= len(data):
            length, kind, _, rseq, _ = struct.unpack("=IHHII", data[off:off + 16])
            body = data[off + 16:off + length]
            off += (length + 3) & ~3
            if rseq != seq:
                continue
            if kind == NLMSG_ERROR:
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
        kind = rng.choice([0, 1, 2, 3, 4, 5, rng.randrange(1 << 16)])
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
        cmd = rng.choice([0, CMD_EVENTS, CMD_GET_STATS, CMD_GET_FLOWS, 4, rng.randrange(256)])
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


def main():
    fam = family_id()
    if "--random" in sys.argv:
        return fuzz(fam, int(sys.argv[sys.argv.index("--random") + 1]))
    denied = "--denied" in sys.argv
    ok = errno.EPERM if denied else 0
    cases = [
        ("stats", dict(cmd=CMD_GET_STATS), ok),
        ("flows dump", dict(cmd=CMD_GET_FLOWS, flags=NLM_F_DUMP | NLM_F_ACK), ok),
    ]
    if not denied:
        cases += [
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
        got, _ = request(fam, **kw)
        verdict = "ok" if got == want else "WRONG"
        failed += got != want
        print(f"{verdict}: {name}: {errno.errorcode.get(got, got) if got else 0}"
              f" (want {errno.errorcode.get(want, want) if want else 0})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
