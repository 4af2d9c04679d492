#!/usr/bin/python3
"""The kernel's own YNL client (tools/net/ynl/cli.py from Debian's
linux-source-6.12) talks to the live synfin family through
module/uapi/synfin.yaml alone: it dumps flows, reads the counters and
receives events, and what it decodes must be what synfin shows.

  ynlcheck.py SYNFIN TOOLS_DIR SPEC
"""
import json
import socket
import subprocess
import sys
import threading
import time

synfin, tools, spec = sys.argv[1:4]
CLI = [sys.executable, f"{tools}/tools/net/ynl/cli.py", "--spec", spec,
       "--schema", f"{tools}/Documentation/netlink/genetlink-legacy.yaml",
       "--output-json"]
PORT = 9360
CLOSED = 9361   # nothing listens: each connection refused, its final event at once


# cli.py loads and validates the spec on every call: a minute or more on a
# KASAN + lockdep kernel under emulation, seconds otherwise.
TIMEOUT = 600


def ynl(*args):
    p = subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, f"cli.py {args}: {p.returncode}: {p.stdout} {p.stderr}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def synfin_stats():
    p = subprocess.run([synfin, "stats", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["total"]


# Events: subscribe, and make short connections until the subscriber is
# done (cli.py loads and validates the spec first, slowly under TCG, so
# when it joins the group is not known): some fall inside its window.
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
sub = subprocess.Popen(CLI + ["--subscribe", "events", "--sleep", "3"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
deadline = time.time() + TIMEOUT
while sub.poll() is None and time.time() < deadline:
    with socket.create_connection(("127.0.0.1", PORT)) as c:
        c.sendall(b"x")
    try:
        socket.create_connection(("127.0.0.1", CLOSED)).close()
    except ConnectionRefusedError:
        pass
    time.sleep(0.2)
out, err = sub.communicate(timeout=TIMEOUT)
assert sub.returncode == 0, err
ntfs = json.loads(out.strip().splitlines()[-1])
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

# One connection held open for the flow dump.
cli = socket.create_connection(("127.0.0.1", PORT))
cli.sendall(b"hello")
time.sleep(0.5)

# Flows: the connection, open, with both states and its bytes.
flows = ynl("--dump", "get-flows")
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
st = ynl("--do", "get-stats")
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
