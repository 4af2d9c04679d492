#!/usr/bin/python3
"""Two readers watched the same traffic at once, one on the "events"
group (each event a nest of attributes, what older readers join) and one
on "events-packed" (each event one struct): their JSON lines must be the
same, line for line, and cover what the test made.

  groupcheck.py NESTED.json PACKED.json
"""
import json
import sys

nested_path, packed_path = sys.argv[1:3]
nested = open(nested_path).read().splitlines()
packed = open(packed_path).read().splitlines()
errors = []
if not nested:
    errors.append("the events reader got nothing")
for i, (a, b) in enumerate(zip(nested, packed)):
    if a != b:
        errors.append(f"line {i + 1} differs:\n  events:        {a}\n  events-packed: {b}")
        break
if len(nested) != len(packed):
    errors.append(f"{len(nested)} lines from events, {len(packed)} from events-packed")

evs = [json.loads(line) for line in packed]
segs = [e for e in evs if e.get("type") == "segment"]
families = {e["family"] for e in segs}
finals = [e for e in evs if e.get("conn_state")]
ports = {e["dport"] for e in segs if e["from"] == "client"}
for want, have in (("ipv4 and ipv6", families == {"ipv4", "ipv6"}),
                   ("ports 9470, 9471, 9472", {9470, 9471, 9472} <= ports),
                   ("final events with history and counts",
                    any(e.get("history") and e.get("client_bytes") for e in finals)),
                   ("transitions", any(e.get("transitions") for e in segs)),
                   ("no lost events", not [e for e in evs if e.get("type") == "lost"])):
    if not have:
        errors.append(f"the events miss {want}")
for e in errors:
    print("ERROR:", e)
print(f"{len(packed)} events: both groups agree" if not errors else f"{len(errors)} errors")
sys.exit(1 if errors else 0)
