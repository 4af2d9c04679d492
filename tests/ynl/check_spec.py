#!/usr/bin/python3
"""The YNL spec and the C uAPI header must describe the same family.

  check_spec.py SPEC.yaml HEADER.h YNL_DIR SCHEMA.yaml

The spec is loaded by the kernel's own YNL library (from Debian's
linux-source), which validates it against the genetlink-legacy schema.
Then every attribute, command, enum and flag of the spec, named the C
way (name-prefix + NAME), must have the header's value, and every
constant of the header's enums must be in the spec.
"""
import re
import sys

spec_path, header_path, ynl_dir, schema = sys.argv[1:5]
sys.path.insert(0, ynl_dir)
from lib import SpecFamily  # noqa: E402

family = SpecFamily(spec_path, schema)
text = open(header_path).read()

# The header's constants: enum members (counted, or explicit) and #defines.
header = {}
for body in re.findall(r"enum \w+ \{(.*?)\};", text, re.S):
    value = 0
    for line in body.splitlines():
        m = re.match(r"\s*(\w+)\s*(?:=\s*(\w+))?,", line)
        if not m:
            continue
        if m.group(2):
            value = int(m.group(2), 0)
        header[m.group(1)] = value
        value += 1
for name, value in re.findall(r"#define (SYNFIN_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", text):
    header[name] = int(value, 0)
strings = dict(re.findall(r'#define (SYNFIN_\w+)\s+"([^"]*)"', text))

errors = []
seen = set()


def expect(cname, value):
    seen.add(cname)
    if cname not in header:
        errors.append(f"{cname} is in the spec, not in the header")
    elif header[cname] != value:
        errors.append(f"{cname}: spec {value}, header {header[cname]}")


def c(prefix, name):
    return (prefix + name).upper().replace("-", "_")


if family.name != strings.get("SYNFIN_GENL_NAME"):
    errors.append(f"family {family.name!r}, header {strings.get('SYNFIN_GENL_NAME')!r}")
groups = [g["name"] for g in family.yaml["mcast-groups"]["list"]]
if groups != [strings.get("SYNFIN_MCGRP_EVENTS")]:
    errors.append(f"multicast groups {groups}")

for aset in family.attr_sets.values():
    prefix = aset.yaml["name-prefix"]
    for attr in aset.attrs.values():
        expect(c(prefix, attr.name), attr.value)
for op in family.yaml["operations"]["list"]:
    expect(c(family.yaml["operations"]["name-prefix"], op["name"]), op["value"])
for d in family.yaml["definitions"]:
    prefix = d.get("name-prefix", f"synfin-{d['name']}-")
    for i, entry in enumerate(d["entries"]):
        name = entry if isinstance(entry, str) else entry["name"]
        value = i + d.get("value-start", 0)
        expect(c(prefix, name), 1 << value if d["type"] == "flags" else value)

# Everything numbered in the header's family enums must be in the spec.
for cname in header:
    if re.match(r"SYNFIN_(A|E|T|S|SU|CMD|ST|EV|END|CS|CLOSE|SEL)_", cname) and \
            not re.search(r"_(UNSPEC|MAX|COUNT)$", cname) and cname not in seen:
        errors.append(f"{cname} is in the header, not in the spec")
for cname in ("SYNFIN_TCP_FIN", "SYNFIN_AN_HALF_CLOSE", "SYNFIN_ISN_SERVER",
              "SYNFIN_CLIENT", "SYNFIN_SERVER"):
    if cname not in seen:
        errors.append(f"{cname} is not in the spec")

for e in errors:
    print("ERROR:", e)
print(f"ynl spec: {len(seen)} constants agree with {header_path}" if not errors
      else f"ynl spec: {len(errors)} disagreements")
sys.exit(1 if errors else 0)
