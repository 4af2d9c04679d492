#!/usr/bin/python3
"""The kernel's own YNL client (the library of tools/net/ynl, which its
cli.py is a front to, from Debian's linux-source-6.12) talks to the live
synfin family through module/uapi/synfin.yaml alone: it dumps flows,
reads the counters and receives events from each group, and what it
decodes must be what synfin shows.

  ynlcheck.py SYNFIN TOOLS_DIR SPEC
"""
import json
import socket
import subprocess
import sys
import threading
import time

synfin, tools, spec = sys.argv[1:4]
sys.path.insert(0, f"{tools}/tools/net/ynl")
from lib import YnlFamily  # noqa: E402

PORT = 9360
CLOSED = 9361   # nothing listens: each connection refused, its final event at once
GROUPS = ("events", "events-packed", "summaries")


class Encoder(json.JSONEncoder):
    """What cli.py --output-json prints: bytes in hex, sets as lists."""
    def default(self, o):
        if isinstance(o, bytes):
            return bytes.hex(o)
        if isinstance(o, set):
            return sorted(o)
        return json.JSONEncoder.default(self, o)


def plain(x):
    return json.loads(json.dumps(x, cls=Encoder))


# The spec is loaded and validated against the schema once (a minute or
# more on a debug kernel under emulation); the other groups' sockets
# reuse what it says, unvalidated.
schema = f"{tools}/Documentation/netlink/genetlink-legacy.yaml"
fams = {"events": YnlFamily(spec, schema)}
for g in GROUPS[1:]:
    fams[g] = YnlFamily(spec, "")
for g, fam in fams.items():
    fam.ntf_subscribe(g)
# Requests on a socket of their own: a subscribed one's notifications
# would come between the replies.
req = YnlFamily(spec, "")


def ynl(op, dump=False):
    return plain(req.dump(op, {}) if dump else req.do(op, {}))


def synfin_stats():
    p = subprocess.run([synfin, "stats", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["total"]


# Events: short connections while subscribed to every group, then long
# enough for their TIME_WAIT (the suite's time_wait_ms=1000) to end.
srv = socket.socket()
srv.bind(("127.0.0.1", PORT))
srv.listen(64)


def serve():
    while True:
        conn, _ = srv.accept()
        with conn:
            while conn.recv(100):
                pass


threading.Thread(target=serve, daemon=True).start()
for _ in range(10):
    with socket.create_connection(("127.0.0.1", PORT)) as c:
        c.sendall(b"x")
    try:
        socket.create_connection(("127.0.0.1", CLOSED)).close()
    except ConnectionRefusedError:
        pass
    time.sleep(0.2)
time.sleep(3)
got = {}
for g, fam in fams.items():
    fam.check_ntf()
    got[g] = plain(fam.async_msg_queue)
    print(f"{g}: {len(got[g])} messages")
ntfs = got["events"]
assert all("event-packed" not in n["msg"] for n in ntfs), ntfs
events = [e for n in ntfs if n["name"] == "events" for e in n["msg"]["event"]]
mine = [e for e in events if PORT in (e.get("dport"), e.get("sport"))]
print(f"{len(events)} events decoded, {len(mine)} of port {PORT}")
syns = [e for e in mine if e["flags"] == ["syn"]]
assert syns, events
syn = syns[-1]
print("SYN:", syn)
assert syn["type"] == "segment" and syn["from"] == "client", syn
assert syn["client-state"] == "syn-sent" and syn["server-state"] == "listen", syn
assert syn["saddr"] == "127.0.0.1" and syn["isn-known"] == ["client"], syn
assert syn["trans"] == [{"who": "client", "from": "closed", "to": "syn-sent"}], syn
# The rest of that connection: established both sides, then the client's FIN.
rest = [e for e in mine if e.get("conn") == syn["conn"]]
assert any(e["client-state"] == e["server-state"] == "established" for e in rest), rest
assert any("fin" in e["flags"] and e["from"] == "client" for e in rest), rest

# A refused connection's final event carries its summary, as the spec
# says it: the times are its own events' timestamps.
refused = [e for e in events if CLOSED in (e.get("dport"), e.get("sport"))]
finals = [e for e in refused if "summary" in e]
assert finals, refused
last = finals[-1]
first = [e for e in refused if e.get("conn") == last["conn"]]
print("refused:", first)
assert [sorted(e["flags"]) for e in first] == [["syn"], ["ack", "rst"]], first
assert "summary" not in first[0], first
su = last["summary"]
assert su["first-ns"] == su["syn-ns"] == first[0]["ts-ns"], su
assert su["synack-ns"] == 0 and su["established-ns"] == 0, su
assert su["end"] == "refused" and su["end-by"] == "server", su
assert "handshake" not in su, su
assert su["states"] == (1 << 0) | (1 << 1) | (1 << 2), su  # closed, listen, syn-sent
assert (last["client-state"], last["server-state"]) == ("closed", "closed"), last

# The packed group: the same events, each one struct, decoded by the
# spec's struct event-packed alone.
pk = [e for n in got["events-packed"] if n["name"] == "events"
      for e in n["msg"].get("event-packed", [])]
assert all("event" not in n["msg"] for n in got["events-packed"]), got["events-packed"]
pmine = [e for e in pk if PORT in (e["dport"], e["sport"])]
print(f"{len(pk)} packed events decoded, {len(pmine)} of port {PORT}")
LO = "7f 00 00 01" + " 00" * 12
psyns = [e for e in pmine if e["flags"] == ["syn"]]
assert psyns, pk
p = psyns[-1]
print("packed SYN:", p)
assert p["type"] == "segment" and p["from"] == "client" and p["family"] == socket.AF_INET, p
assert p["saddr"] == LO and p["daddr"] == LO, p
assert p["client-state"] == "syn-sent" and p["server-state"] == "listen", p
assert p["isn-known"] == ["client"] and p["ntrans"] == 1, p
assert (p["trans0-who"], p["trans0-from"], p["trans0-to"]) == ("client", "closed", "syn-sent"), p
assert p["trans1-from"] == "closed" and p["conn-state"] == "none", p
assert p["history"] == "00" * 32 and p["client-bytes"] == 0, p
prest = [e for e in pmine if e["conn"] == p["conn"]]
fins = [e for e in prest if e["conn-state"] != "none"]
if fins:  # the connection's end fell inside the window
    f = fins[-1]
    history = bytes.fromhex(f["history"]).rstrip(b"\0").decode()
    print("packed final:", history, f["conn-state"])
    assert history.startswith("ShAD") and f["client-bytes"] == 1, f
# Events both subscribers got are the same events.
nested_by = {(e["conn"], e["index"]): e for e in events}
both = [e for e in pk if (e["conn"], e["index"]) in nested_by]
assert both, (events[:3], pk[:3])
for e in both:
    n = nested_by[(e["conn"], e["index"])]
    for k in ("ts-ns", "seq", "ack", "sport", "dport", "client-state", "server-state", "type"):
        assert n.get(k) == e[k], (k, n, e)
print(f"{len(both)} events in both groups agree")

# The summaries group: final events only, the same as the packed group's
# final events, each with its summary.
sm = [e for n in got["summaries"] if n["name"] == "events"
      for e in n["msg"].get("event-packed", [])]
assert sm, got["summaries"]
assert all((e["client-state"], e["server-state"]) == ("closed", "closed") and
           e["conn-state"] != "none" and e["first-ns"] for e in sm), sm
pfinal = {(e["conn"], e["index"]): e for e in pk if e["ntrans"] and
          (e["client-state"], e["server-state"]) == ("closed", "closed")}
assert {(e["conn"], e["index"]) for e in sm} == set(pfinal), (sm, pfinal)
assert all(pfinal[(e["conn"], e["index"])] == e for e in sm)
ends = {e["end"] for e in sm}
assert {"refused", "four-way"} <= ends or {"refused", "three-way"} <= ends, ends
print(f"summaries: {len(sm)} final events, as the packed group's; ends {sorted(ends)}")

# One connection held open for the flow dump.
cli = socket.create_connection(("127.0.0.1", PORT))
cli.sendall(b"hello")
time.sleep(0.5)

# Flows: the connection, open, with both states and its bytes.
flows = ynl("get-flows", dump=True)
f = [x["flow"] for x in flows if x["flow"].get("dport") == PORT and
     x["flow"]["client-state"] == "established"]
print("flow:", f)
assert len(f) == 1, flows
f = f[0]
assert (f["client-state"], f["server-state"]) == ("established", "established"), f
assert (f["saddr"], f["daddr"]) == ("127.0.0.1", "127.0.0.1"), f
assert f["client-bytes"] == 5 and f["server-bytes"] == 0, f
assert f["history"].startswith("ShAD") and sorted(f["isn-known"]) == ["client", "server"], f

# Stats: YNL's counters lie between synfin's read just before and after.
before = synfin_stats()
st = ynl("get-stats")
after = synfin_stats()
total = st["stats"]
print("stats:", total)
for key, v in total.items():
    k = key.replace("-", "_")
    if k == "flows_active":
        continue
    assert before[k] <= v <= after[k], (k, before[k], v, after[k])
cpus = st["stats-cpu"]
assert len(cpus) >= 1 and sorted(c["cpu"] for c in cpus) == list(range(len(cpus))), cpus
assert sum(c["segments"] for c in cpus) == total["segments"], (cpus, total)
print("ok")
