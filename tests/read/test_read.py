#!/usr/bin/python3
"""Tests of `synfin read` (offline mode), run on the ASan/UBSan build.

  test_read.py SYNFIN OUTDIR

The 16 crafted scenarios of tests/vm/inject.py (the ones the VM suite
injects into the live kernel) are written into captures of every link
type synfin reads, and each timeline must match the same hand-written
expectations segment by segment. Then the outputs (ladder, relative and
absolute numbers, colour), the filters, a bounded table, bad files, and
the real captures in ../shared/testdata/tcp-captures/ (skipped when that
folder is absent).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import synfin_json  # noqa: E402  (the JSON contract, checked on every record)
INJECT = os.path.join(TOP, "tests", "vm", "inject.py")
SHARED = os.path.join(os.path.dirname(TOP), "shared", "testdata", "tcp-captures")
PY = sys.executable
SYNFIN, OUT = sys.argv[1], sys.argv[2]
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:exitcode=99",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
ENV.pop("NO_COLOR", None)
passed = failed = skipped = 0


def test(name, fn):
    global passed, failed
    try:
        fn()
    except AssertionError as e:
        failed += 1
        print(f"FAIL: {name}: {e}")
        return
    passed += 1
    print(f"PASS: {name}")


def run(*args, env=None, rc=0):
    p = subprocess.run([SYNFIN, *args], capture_output=True, text=True,
                       env=env or ENV)
    assert "Sanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    assert p.returncode == rc, f"synfin {' '.join(args)}: exit {p.returncode}, want {rc}: {p.stderr}"
    return p


def capture(name, *spec):
    path = os.path.join(OUT, name)
    subprocess.run([PY, INJECT, "pcap", path, *spec], check=True)
    return path


def events(text):
    """Every record of --json output, each checked against the contract."""
    try:
        return synfin_json.records(text)
    except ValueError as e:
        raise AssertionError(f"JSON contract: {e}")


def strip_ts(evs):
    drop = ("ts_ns", "first_ns", "last_ns", "duration_ns", "handshake_ns",
            "syn_to_synack_ns", "synack_to_ack_ns")
    return [{k: v for k, v in e.items() if k not in drop} for e in evs]


os.makedirs(OUT, exist_ok=True)
base = capture("en10mb.pcap", "en10mb")
base_json = run("read", "--json", base).stdout
base_evs = events(base_json)

# ---- every link type, pcap and pcapng, micro- and nanoseconds ----
variants = [(lt, ()) for lt in ("en10mb", "vlan", "sll", "sll2", "null", "null-be", "loop", "raw")]
variants += [("en10mb", ("nano",)), ("en10mb", ("pcapng",)), ("sll2", ("pcapng", "nano"))]
for lt, extra in variants:
    def one(lt=lt, extra=extra):
        path = capture(f"{lt}-{'-'.join(extra) or 'pcap'}.cap", lt, *extra)
        out = os.path.join(OUT, os.path.basename(path) + ".json")
        p = run("read", "--json", path)
        with open(out, "w") as f:
            f.write(p.stdout)
        chk = subprocess.run([PY, INJECT, "check", out], capture_output=True, text=True)
        assert chk.returncode == 0, chk.stdout
        evs = events(p.stdout)
        assert strip_ts(evs) == strip_ts(base_evs), "differs from the Ethernet capture's output"
        nano = [e["ts_ns"] % 1000 for e in evs if e["type"] == "segment"]
        if "nano" in extra:
            assert any(nano), "nanosecond timestamps lost"
        else:
            assert not any(nano), "microsecond capture with nanoseconds"
        assert all(e["netns"] is None and e.get("cpu") is None for e in evs)
    test(f"link type {lt} {' '.join(extra) or 'pcap'}: all 16 scenarios, segment by segment", one)

for fam, lt in (("4", "ipv4"), ("6", "ipv6")):
    def one(fam=fam, lt=lt):
        path = capture(f"{lt}.pcap", lt, fam)
        out = path + ".json"
        with open(out, "w") as f:
            f.write(run("read", "--json", path).stdout)
        chk = subprocess.run([PY, INJECT, "check", out, fam], capture_output=True, text=True)
        assert chk.returncode == 0, chk.stdout
    test(f"link type {lt}: its scenarios, segment by segment", one)


# ---- summaries ----
def summaries():
    summ = [e for e in base_evs if e["type"] == "summary"]
    conns = {e["conn"] for e in base_evs if e["type"] in ("segment", "timeout")}
    assert sorted(s["conn"] for s in summ) == sorted(conns), "one summary per connection"
    by_port = {s["client_port"]: s for s in summ}
    s = by_port[41002]
    assert (s["end"], s["conn_state"], s["history"]) == ("simultaneous", "SF", "ShAFfa"), s
    assert (s["client_segments"], s["server_segments"]) == (4, 3), s
    # 2.000123 ms apart, seen through microsecond timestamps
    assert s["handshake_complete"] and 2000000 <= s["syn_to_synack_ns"] <= 2001000, s
    assert by_port[41006]["end"] == "refused" and by_port[41006]["end_by"] == "server"
    assert by_port[41004]["end"] == "reset" and by_port[41004]["end_by"] == "client"
    assert by_port[41013]["end"] == "timed_out" and by_port[41013]["conn_state"] == "S0"
    d = by_port[41005]
    assert d["client_bytes"] > 0 and d["server_bytes"] >= 0, d
    # Every final event's counts are the summary's.
    for e in base_evs:
        if e["type"] != "summary" and "client_segments" in e:
            s = next(x for x in summ if x["conn"] == e["conn"])
            assert e["client_segments"] == s["client_segments"], (e, s)
test("summaries: one per connection, how it ended, times, segments and bytes", summaries)


def summaries_only():
    # --summaries: exactly the summaries (JSON and text), nothing else,
    # with and without a filter; not with --ladder.
    want = [e for e in base_evs if e["type"] == "summary"]
    got = events(run("read", "--json", "--summaries", base).stdout)
    assert got == want, (len(got), len(want))
    text = run("read", "--color", "never", base).stdout.splitlines()
    only = run("read", "--color", "never", "--summaries", base).stdout.splitlines()
    assert only and only == [x for x in text if x.startswith("#") and " ended: " in x or
                             x.startswith("#") and " open: " in x], only[:3]
    sel = events(run("read", "--json", "--summaries", "--state", "REJ", base).stdout)
    assert sel and all(e["type"] == "summary" and e["conn_state"] == "REJ" for e in sel), sel
    assert "choose one" in run("read", "--ladder", "--summaries", base, rc=2).stderr
test("--summaries: only the summaries, filters still apply; not with --ladder", summaries_only)


def late_segment():
    # A connection reset by the client, whose RST comes again 2 ms later:
    # the flow lingers, the late RST is an event, the summary is not repeated.
    sys.path.insert(0, os.path.dirname(INJECT))
    import inject
    c, s = 1000, 5000
    segs = [("c", inject.S, c, 0), ("s", inject.S | inject.A, s, c + 1),
            ("c", inject.A, c + 1, s + 1), ("c", inject.R, c + 1, 0),
            ("c", inject.R, c + 1, 0)]
    pkts = []
    for who, fl, seq, ack in segs:
        a, b = (inject.C4, inject.S4) if who == "c" else (inject.S4, inject.C4)
        pa, pb = (43000, 80) if who == "c" else (80, 43000)
        pkts.append((False, *inject.tcp_packet(False, a, b, pa, pb, seq, ack, fl, 0)))
    path = os.path.join(OUT, "late.pcap")
    inject.write_pcap(path, "en10mb", packets=pkts)
    evs = events(run("read", "--json", path).stdout)
    segs_ev = [e for e in evs if e["type"] == "segment"]
    summ = [e for e in evs if e["type"] == "summary"]
    assert len(segs_ev) == 5 and segs_ev[4]["flags"] == ["RST"], segs_ev
    assert segs_ev[3]["conn_state"] == "RSTO" and segs_ev[4]["index"] == 4, segs_ev
    assert len(summ) == 1 and summ[0]["end"] == "reset", summ
    text = run("read", path).stdout
    assert text.count(" ended: ") == 1 and text.count("RST ") == 2, text
test("a late segment of an ended connection is shown, its summary not repeated", late_segment)


# ---- text, ladder, numbers, colour ----
def ladder():
    out = run("read", "--ladder", "--port", "41002", base).stdout
    lines = out.splitlines()[1:]  # a blank line sets each ladder apart
    assert "client" in lines[1] and "server" in lines[1], lines[:3]
    assert "198.51.100.1:41002" in lines[2] and "203.0.113.7:80" in lines[2], lines[2]
    assert any(l.strip().startswith("CLOSED |") and l.endswith("| LISTEN") for l in lines), out
    row = next(l for l in lines if "-- SYN seq=0 " in l)
    assert "SYN_SENT |" in row and row.rstrip().endswith("-->|"), row
    row = next(l for l in lines if "SYN,ACK seq=0 ack=1 --|" in l)
    assert "ESTABLISHED |<" in row and row.endswith("| SYN_RCVD"), row
    assert "    +2.00" in row, "time delta down the side"
    assert any("CLOSING" in l and "simultaneous_close" in l for l in lines), out
    assert lines[-1].startswith("#") and "simultaneous close" in lines[-1], lines[-1]
    assert "\033[" not in out, "colour when piped"
test("--ladder: the textbook figure, states where they change, deltas down the side", ladder)


def numbers():
    rel = run("read", "--port", "41001", base).stdout
    ab = run("read", "--absolute", "--port", "41001", base).stdout
    assert "SYN         seq=0 " in rel and "seq=1000 " not in rel, rel
    assert "seq=1000 " in ab and "ack=1001 " in ab, ab
    lad = run("read", "--ladder", "--absolute", "--port", "41001", base).stdout
    assert "SYN,ACK seq=5000 ack=1001" in lad, lad
test("relative numbers by default, raw with --absolute (timeline and ladder)", numbers)


def colour():
    assert "\033[" in run("read", "--color", "always", base).stdout
    assert "\033[" not in run("read", "--color", "never", base).stdout
    # auto: a terminal, unless NO_COLOR is set (script(1) makes the terminal)
    cmd = f"{SYNFIN} read --port 41006 {base}"
    tty = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True, env=ENV)
    assert "\033[" in tty.stdout, tty.stdout
    nc = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True,
                        env=dict(ENV, NO_COLOR="1"))
    assert "\033[" not in nc.stdout and "refused" in nc.stdout, nc.stdout
test("colour on a terminal, none when piped or with NO_COLOR", colour)


# ---- filters ----
def conns_of(text):
    evs = events(text)
    return {e["client_port"] if e["type"] == "summary" else None for e in evs} - {None}, evs


def filters():
    ports, evs = conns_of(run("read", "--json", "--port", "41006", base).stdout)
    assert ports == {41006} and all(41006 in (e["sport"], e["dport"]) for e in evs if e["type"] == "segment")
    ports, _ = conns_of(run("read", "--json", "--port", "41006", "--port", "41003", base).stdout)
    assert ports == {41006, 41003}, ports
    ports, evs = conns_of(run("read", "--json", "--host", "2001:db8:1::1", base).stdout)
    assert ports == {42001, 42002, 41006}, ports
    ports, _ = conns_of(run("read", "--json", "--host", "[2001:db8:2::7]", "--port", "42001", base).stdout)
    assert ports == {42001}, ports
    ports, evs = conns_of(run("read", "--json", "--state", "REJ", base).stdout)
    assert ports and all(e["conn_state"] == "REJ" for e in evs if e["type"] == "summary"), evs
    assert 41006 in ports
    ports, evs = conns_of(run("read", "--json", "--state", "incomplete", base).stdout)
    assert {41006, 41013} <= ports and not any(e["handshake_complete"] for e in evs if e["type"] == "summary")
    assert all(e["conn"] in {s["conn"] for s in evs if s["type"] == "summary"} for e in evs), "events of other connections"
    ports, _ = conns_of(run("read", "--json", "--state", "CLOSING", base).stdout)
    assert ports == {41002, 42002}, ports
    ports, _ = conns_of(run("read", "--json", "--state", "simultaneous,refused", base).stdout)
    assert ports == {41002, 42002, 41006, 41014}, ports  # 41014: 2nd refused
    # A filtered ladder: only those connections are drawn.
    lad = run("read", "--ladder", "--state", "refused", base).stdout
    assert lad.count(" ended: ") == 2 and lad.count("RST,ACK") == 2, lad
    for bad in (("--state", "bogus"), ("--port", "70000"), ("--host", "nohost"),
                ("--ladder", "--json"), ("--color", "sometimes")):
        p = run("read", *bad, base, rc=2)
        assert p.stderr.startswith("synfin: "), p.stderr
test("--port, --host, --state (conn_state, incomplete, TCP state, end) filter", filters)


def bounded():
    p = run("read", "--json", "--max-flows", "2", base)
    evs = events(p.stdout)
    assert "evicted" in p.stderr and " 0 evicted" not in p.stderr, p.stderr
    conns = {e["conn"] for e in evs if e["type"] != "summary"}
    assert conns == {e["conn"] for e in evs if e["type"] == "summary"}, "a connection without a summary"
test("--max-flows: a bounded table evicts, and every connection still ends", bounded)


# ---- bad files ----
def bad_files():
    p = run("read", os.path.join(OUT, "missing.pcap"), rc=1)
    assert "missing.pcap" in p.stderr and "No such file" in p.stderr, p.stderr
    junk = os.path.join(OUT, "junk.pcap")
    with open(junk, "wb") as f:
        f.write(b"this is not a capture file at all\n" * 4)
    p = run("read", junk, rc=1)
    assert "junk.pcap" in p.stderr, p.stderr
    data = open(base, "rb").read()
    cut = os.path.join(OUT, "cut.pcap")
    with open(cut, "wb") as f:
        f.write(data[:2000])
    p = run("read", "--json", cut, rc=1)
    assert "truncated" in p.stderr, p.stderr
    assert events(p.stdout)[0]["type"] == "segment", "what was read is shown"
    wifi = os.path.join(OUT, "wifi.pcap")
    with open(wifi, "wb") as f:
        f.write(data[:20] + (105).to_bytes(4, "little") + data[24:])
    p = run("read", wifi, rc=1)
    assert "link type 105" in p.stderr and "not supported" in p.stderr, p.stderr
    run("read", rc=2)
    # stdin
    p = subprocess.run([SYNFIN, "read", "--json", "-"], stdin=open(base, "rb"),
                       capture_output=True, text=True, env=ENV)
    assert p.returncode == 0 and strip_ts(events(p.stdout)) == strip_ts(base_evs), p.stderr
test("bad files: missing, not a capture, cut off, unknown link type; stdin", bad_files)

def json_contract():
    ver = open(os.path.join(TOP, "Kbuild")).read().split("SYNFIN_VERSION := ")[1].split()[0]
    out = run("--version").stdout.strip()
    assert out == synfin_json.VERSION_LINE.format(version=ver), f"--version says {out!r}"
    evs = events(run("read", "--json", base).stdout)
    kinds = {synfin_json.kind(e) for e in evs}
    assert {"segment", "summary"} <= kinds, kinds
    for e in evs:
        for gone in synfin_json.GONE.get(synfin_json.kind(e), ()):
            assert gone not in e, f"format 1's key {gone} in {e}"
    # One meaning a key: a summary's ports are the client's and the
    # server's; a segment's sport is its sender's, whoever that is.
    summ = [e for e in evs if e["type"] == "summary"]
    assert summ
    for s in summ:
        segs = [e for e in evs if e["type"] == "segment" and e["conn"] == s["conn"]]
        for e in segs:
            want = (s["client_port"], s["server_port"])
            if e["from"] == "server":
                want = want[::-1]
            assert (e["sport"], e["dport"]) == want, (s, e)
    assert any(e["from"] == "server" for e in evs if e["type"] == "segment")
    s = summ[0]
    # The contract is strict: a format-1 record fails it.
    old = dict(s, cport=s["client_port"], sport=s["server_port"])
    del old["client_port"], old["server_port"]
    try:
        synfin_json.check(old)
    except ValueError:
        return
    raise AssertionError("a format-1 summary passed the contract")


test("JSON format 2: --version says it; every key one meaning (client_port/server_port in summaries)", json_contract)


# ---- real captures from other projects ----
# history, conn_state and how it ended, per connection (Zeek's own
# baselines for its four RST traces: R OTH, SR RSTOS0, SaR RSTOS0, SaFR OTH).
REAL = {
    "01_tcpdump_whois.pcap": [("ShADadfF", "SF", "four_way")],
    "02_tcpdump_tcp-handshake-nano.pcap": [("ShA", "S1", "open")],
    "03_zeek_port4242-ipv6.pcap": [("ShADaFf", "SF", "three_way")],
    "04_zeek_irc-353-ipv6-rej.pcap": [("Sr", "REJ", "refused"), ("ShAaDFf", "SF", "four_way")],
    "05_zeek_syn-only.pcap": [("S", "S0", "open")],
    "06_suricata_bug-6269-01-ipv6-syn-retx.pcap": [("ShAD", "S1", "open")],
    "07_suricata_split-handshake-4whs.pcap": [("SsHaDR", "RSTO", "reset")],
    "08_zeek_get-gzip-simultaneous-close.pcap": [("ShADadFf", "SF", "simultaneous")],
    "09_zeek_ssl-to-http-server-ooo-fin.pcap": [("ShDafdtAF", "SF", "four_way")],
    "10_zeek_ctu-64702-888.pcap": [("^hAfdtFr", "RSTR", "reset")],
    "11_zeek_single-rst.pcap": [("R", "OTH", "reset")],
    "12_zeek_syn-then-rst.pcap": [("SR", "RSTOS0", "open")],
    "13_zeek_syn-then-ack-then-rst.pcap": [("SaR", "RSTOS0", "reset")],
    "14_zeek_syn-then-stuff-then-rst.pcap": [("SaFR", "OTH", "reset")],
    "15_zeek_fin_retransmission.pcap": [("SFhr", "RSTR", "refused")],
    "16_zeek_handshake-reorder.pcap": [("^hSADadFf", "SF", "three_way")],
}
if not os.path.isdir(SHARED):
    print(f"SKIP: real captures: {SHARED} is absent")
    skipped += 1
else:
    for name, want in sorted(REAL.items()):
        path = os.path.join(SHARED, name)
        if not os.path.exists(path):
            print(f"SKIP: {name}: absent")
            skipped += 1
            continue

        def one(path=path, want=want):
            evs = events(run("read", "--json", path).stdout)
            got = [(s["history"], s["conn_state"], s["end"]) for s in evs if s["type"] == "summary"]
            assert got == want, f"got {got}, want {want}"
            run("read", "--ladder", path)
            run("read", path)
        test(f"real capture {name}", one)

print(f"read: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
