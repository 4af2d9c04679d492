#!/usr/bin/python3
"""`synfin flows` with a live connection open: both states, the segments
and bytes each side sent, and the --port, --host and --state filters.

  flowscheck.py SYNFIN
"""
import json
import socket
import subprocess
import sys

synfin = sys.argv[1]


def flows(*args):
    p = subprocess.run([synfin, "flows", "--json", *args], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


srv = socket.socket()
srv.bind(("127.0.0.1", 9300))
srv.listen()
cli = socket.create_connection(("127.0.0.1", 9300))
acc, _ = srv.accept()
cli.sendall(b"hello")
assert acc.recv(5) == b"hello"
acc.sendall(b"hi")
assert cli.recv(2) == b"hi"

mine = [f for f in flows() if f["server_port"] == 9300]
print(mine)
assert len(mine) == 1, mine
f = mine[0]
assert (f["client_state"], f["server_state"]) == ("ESTABLISHED", "ESTABLISHED"), f
assert (f["client_bytes"], f["server_bytes"]) == (5, 2), f
assert f["client_segments"] >= 3 and f["server_segments"] >= 2, f  # SYN, ACK, data
assert f["history"].startswith("ShAD"), f
assert [x["conn"] for x in flows("--port", "9300")] == [f["conn"]]
assert [x["conn"] for x in flows("--port", "9300", "--host", "127.0.0.1")] == [f["conn"]]
assert flows("--port", "9300", "--host", "::1") == []
assert [x["conn"] for x in flows("--port", "9300", "--state", "ESTABLISHED")] == [f["conn"]]
assert flows("--port", "9300", "--state", "SYN_SENT") == []
bad = subprocess.run([synfin, "flows", "--state", "SF"], capture_output=True, text=True)
assert bad.returncode == 2 and "TCP state" in bad.stderr, bad
text = subprocess.run([synfin, "flows", "--port", "9300"], capture_output=True, text=True).stdout
print(text)
assert "ESTABLISHED  ESTABLISHED" in text and "ShAD" in text, text
print("ok")
