#!/usr/bin/python3
"""The kernel's YNL client sets a selection through synfin.yaml alone:
cli.py's --do set-selection with a JSON selection succeeds, a malformed
one fails with the module's message; and a selection made by the YNL
library holds while its socket is open (the connection it does not
select is counted unselected) and goes when it closes.

  selynl.py SYNFIN TOOLS_DIR SPEC
"""
import json
import socket
import subprocess
import sys
import time

synfin, tools, spec = sys.argv[1:4]
SCHEMA = f"{tools}/Documentation/netlink/genetlink-legacy.yaml"
CLI = [sys.executable, f"{tools}/tools/net/ynl/cli.py", "--spec", spec,
       "--schema", SCHEMA, "--output-json"]
# Loading and validating the spec is slow on a debug kernel under emulation.
TIMEOUT = 600
PORT, OTHER = 9380, 9381
SEL = {"selection": {"ports": [{"lo": PORT, "hi": PORT}, {"lo": 9000}],
                     "prefix": [{"family": socket.AF_INET, "addr": "7f000000", "len": 8},
                                {"family": socket.AF_INET6, "addr": "00" * 15 + "01"}]}}
BAD = {"selection": {"prefix": [{"family": socket.AF_INET, "addr": "0a000000", "len": 33}]}}


def cli(*args):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=TIMEOUT)


def unselected():
    p = subprocess.run([synfin, "stats", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["total"]["events_unselected"]


p = cli("--do", "set-selection", "--json", json.dumps(SEL))
print("valid:", p.returncode, p.stdout.strip(), p.stderr.strip())
assert p.returncode == 0, (p.stdout, p.stderr)
p = cli("--do", "set-selection", "--json", json.dumps(BAD))
print("malformed:", p.returncode, p.stdout.strip())
assert p.returncode == 1, (p.stdout, p.stderr)
assert "Invalid argument" in p.stdout and "at most 32 for AF_INET" in p.stdout, p.stdout

sys.path.insert(0, f"{tools}/tools/net/ynl")
from lib import YnlFamily  # noqa: E402

srv = {port: socket.create_server(("127.0.0.1", port)) for port in (PORT, OTHER)}


def connect(port):
    with socket.create_connection(("127.0.0.1", port)) as c:
        a, _ = srv[port].accept()
        c.close()
        a.close()
    time.sleep(2)  # TIME_WAIT (time_wait_ms 1000) ends it: all its events


ynl = YnlFamily(spec, SCHEMA)
ynl.do("set-selection", SEL)
n0 = unselected()
connect(PORT)
n1 = unselected()
connect(OTHER)
n2 = unselected()
print(f"unselected: {n0} before, {n1} after port {PORT}, {n2} after port {OTHER}")
assert n1 == n0 and n2 - n1 >= 5, (n0, n1, n2)
ynl.sock.close()
time.sleep(0.2)
connect(OTHER)
n3 = unselected()
print(f"unselected after the YNL socket closed and port {OTHER} again: {n3}")
assert n3 == n2, (n2, n3)
