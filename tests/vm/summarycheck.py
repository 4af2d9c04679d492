#!/usr/bin/python3
"""A `watch --summaries --json` reader (the summaries group alone) and a
`watch --json` reader (every event) watched the same traffic at once:
the first must print exactly the second's summary lines, and nothing
else. (ynlcheck.py checks the group itself with the kernel's YNL.)

  summarycheck.py FULL.json SUMMARIES.json
"""
import json
import sys

full = [json.loads(x) for x in open(sys.argv[1])]
summ = [json.loads(x) for x in open(sys.argv[2])]
errors = []
want = [e for e in full if e["type"] == "summary"]
if not want:
    errors.append("the full reader printed no summary")
others = [e for e in summ if e["type"] != "summary"]
if others:
    errors.append(f"--summaries printed {len(others)} lines that are no summary: {others[0]}")
got = [e for e in summ if e["type"] == "summary"]
if got != want:
    for a, b in zip(want, got):
        if a != b:
            errors.append(f"summaries differ:\n  full:        {a}\n  --summaries: {b}")
            break
    errors.append(f"{len(want)} summaries from the full reader, {len(got)} from --summaries")
ends = {e["end"] for e in got}
if not {"four_way", "three_way"} & ends or "refused" not in ends:
    errors.append(f"no closed and refused connections among the summaries: {sorted(ends)}")
if {e["family"] for e in got} != {"ipv4", "ipv6"}:
    errors.append("not both families")

for e in errors:
    print("ERROR:", e)
print(f"{len(got)} summaries: --summaries agrees" if not errors else f"{len(errors)} errors")
sys.exit(1 if errors else 0)
