"""synfin's JSON output, format 2: the one statement of it in the tests.

Every record `synfin watch --json`, `synfin read --json`, `synfin flows
--json` and `synfin stats --json` prints is one JSON object a line. Each
key has one meaning whatever the record:

  src, sport, dst, dport    the segment's source and destination (events
                            only; a timeout's are the client's and the
                            server's)
  client, client_port,      the connection's endpoints: who sent the
  server, server_port       first SYN, and to whom (summaries, flows)
  client_*, server_*        that side's state, segments, bytes
  conn                      the connection's id in its network namespace
  *_ns                      nanoseconds (ts_ns, first_ns, last_ns: a
                            timestamp; the others: a duration)

Tests call check() on every record they read, so that a key renamed,
dropped, added or retyped in one place fails them all.
"""
import json

FORMAT = 2
VERSION_LINE = "synfin {version}, JSON format %d" % FORMAT

INT, STR, BOOL, LIST = int, str, bool, list
NONE = type(None)

# Keys of one event, by its "type".
_EVENT = {
    "type": (STR,), "ts_ns": (INT,), "cpu": (INT, NONE),
    "netns": (INT, NONE), "conn": (INT,), "index": (INT,), "family": (STR,),
    "src": (STR,), "sport": (INT,), "dst": (STR,), "dport": (INT,),
    "from": (STR, NONE), "flags": (LIST,), "seq": (INT, NONE),
    "ack": (INT, NONE), "rel_seq": (INT, NONE), "rel_ack": (INT, NONE),
    "win": (INT, NONE), "len": (INT, NONE), "client_state": (STR,),
    "server_state": (STR,), "transitions": (LIST,), "anomalies": (LIST,),
}
# Events that end a connection (and some others) carry its totals.
_EVENT_TOTALS = {
    "history": (STR,), "conn_state": (STR,), "client_segments": (INT,),
    "server_segments": (INT,), "client_bytes": (INT,), "server_bytes": (INT,),
}
_LOST = {
    "type": (STR,), "ts_ns": (INT,), "cpu": (INT, NONE),
    "netns": (INT, NONE), "conn": (NONE,), "index": (NONE,),
    "family": (NONE,), "src": (NONE,), "sport": (NONE,), "dst": (NONE,),
    "dport": (NONE,), "from": (NONE,), "flags": (LIST,), "seq": (NONE,),
    "ack": (NONE,), "rel_seq": (NONE,), "rel_ack": (NONE,), "win": (NONE,),
    "len": (NONE,), "client_state": (NONE,), "server_state": (NONE,),
    "transitions": (LIST,), "anomalies": (LIST,), "count": (INT, NONE),
}
_SUMMARY = {
    "type": (STR,), "conn": (INT,), "netns": (INT, NONE), "family": (STR,),
    "client": (STR,), "client_port": (INT,), "server": (STR,),
    "server_port": (INT,), "first_ns": (INT,), "last_ns": (INT,),
    "duration_ns": (INT,), "handshake_ns": (INT, NONE),
    "syn_to_synack_ns": (INT, NONE), "synack_to_ack_ns": (INT, NONE),
    "client_segments": (INT, NONE), "server_segments": (INT, NONE),
    "client_bytes": (INT, NONE), "server_bytes": (INT, NONE),
    "end": (STR,), "end_by": (STR, NONE), "how": (STR,),
    "client_state": (STR,), "server_state": (STR,),
    # null only in the summaries `watch --state` prints at exit for
    # connections still open, which have had no final event
    "handshake_complete": (BOOL,), "history": (STR, NONE),
    "conn_state": (STR, NONE),
}
_FLOW = {
    "conn": (INT,), "family": (STR,), "client": (STR,), "client_port": (INT,),
    "server": (STR,), "server_port": (INT,), "client_state": (STR,),
    "server_state": (STR,), "history": (STR,), "events": (INT,),
    "client_segments": (INT,), "server_segments": (INT,),
    "client_bytes": (INT,), "server_bytes": (INT,), "age_ns": (INT,),
    "idle_ns": (INT,),
}
STATS = ("segments", "malformed", "bad_checksum", "segments_untracked",
         "events_written", "events_dropped", "events_sent", "events_unheard",
         "nl_send_failed", "flows_active", "flows_created", "flows_evicted",
         "flows_timed_out", "flows_untracked", "events_unselected")

# Keys no record of format 2 has any more (format 1's names).
GONE = {"summary": ("cport",), "flow": ("cport",)}


def kind(rec):
    """What @rec is: segment, timeout, lost, summary, flow or stats."""
    if "type" in rec:
        return rec["type"]
    if "total" in rec:
        return "stats"
    return "flow"


def _keys(k, rec):
    if k in ("segment", "timeout"):
        want = dict(_EVENT)
        if "history" in rec or k == "timeout":
            want.update(_EVENT_TOTALS)
        return want
    return {"lost": _LOST, "summary": _SUMMARY, "flow": _FLOW}.get(k)


def _row(row, where, per_cpu):
    want = set(STATS) - ({"flows_active"} if per_cpu else set())
    if per_cpu:
        want.add("cpu")
    got = set(row)
    if got != want:
        raise ValueError(f"{where}: keys {sorted(got ^ want)} differ from the contract")
    for k, v in row.items():
        if type(v) is not int:
            raise ValueError(f"{where}: {k} is {v!r}, not a number")


def check(rec, want_kind=None):
    """Raise ValueError unless @rec is a record of format 2 (of @want_kind)."""
    k = kind(rec)
    if want_kind and k != want_kind:
        raise ValueError(f"a {k} record where a {want_kind} was due: {rec}")
    if k == "stats":
        _row(rec["total"], "stats total", False)
        for row in rec["cpus"]:
            _row(row, "stats cpu", True)
        return rec
    want = _keys(k, rec)
    if want is None:
        raise ValueError(f"unknown record type {k!r}: {rec}")
    missing = [x for x in want if x not in rec]
    extra = [x for x in rec if x not in want]
    if missing or extra:
        raise ValueError(f"{k}: missing {missing}, unknown {extra}: {rec}")
    for x, types in want.items():
        if type(rec[x]) not in types:
            raise ValueError(f"{k}: {x} is {rec[x]!r}, not {'/'.join(t.__name__ for t in types)}")
    return rec


def records(text, want_kind=None):
    """Parse and check each line of @text (blank lines skipped)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"line {n} is not JSON ({e}): {line!r}")
        out.append(check(rec, want_kind))
    return out
