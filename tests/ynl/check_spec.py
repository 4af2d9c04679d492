#!/usr/bin/python3
"""The YNL spec and the C uAPI header must describe the same family.

  check_spec.py SPEC.yaml HEADER.h YNL_DIR SCHEMA.yaml

The spec is loaded by the kernel's own YNL library (from Debian's
linux-source), which validates it against the genetlink-legacy schema.
Then every attribute, command, enum and flag of the spec, named the C
way (name-prefix + NAME), must have the header's value, and every
constant of the header's enums must be in the spec. Each struct of the
spec must be the header's struct synfin_<name>, member by member: names,
sizes and offsets (the header's arrays of structs, such as trans[], as
the spec's trans0-who, trans0-from, ...), and no hole the spec does not
have.
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
if groups != [strings.get("SYNFIN_MCGRP_EVENTS"), strings.get("SYNFIN_MCGRP_PACKED"),
              strings.get("SYNFIN_MCGRP_SUMMARIES")]:
    errors.append(f"multicast groups {groups}")

SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "s8": 1, "s16": 2, "s32": 4,
         "s64": 8, "char": 1}


def c_struct(name):
    """The members of struct NAME of the header as (name, offset, size),
    laid out as the C compiler does on Linux (natural alignment)."""
    m = re.search(r"struct %s \{(.*?)\};" % name, text, re.S)
    if not m:
        return None
    out, offset, align = [], 0, 1
    for line in m.group(1).splitlines():
        line = re.sub(r"/\*.*?\*/", "", line).strip()
        if not line:
            continue
        d = re.fullmatch(r"(struct \w+|__[us]\d+|char)\s+(\w+)(?:\[(\w+)\])?;", line)
        if not d:
            raise SystemExit(f"check_spec: cannot read '{line}' of struct {name}")
        ctype, field, count = d.groups()
        n = (header[count] if count in header else int(count, 0)) if count else 1
        if ctype.startswith("struct "):
            inner = c_struct(ctype.split()[1])
            isize = inner.pop()[1]
            ialign = max(SIZES_OF[(ctype, x[0])] for x in inner)
            offset = -(-offset // ialign) * ialign
            for i in range(n):
                for iname, ioff, isz in inner:
                    out.append((f"{field}{i if count else ''}_{iname}",
                                offset + i * isize + ioff, isz))
            offset += n * isize
            align = max(align, ialign)
            continue
        size = SIZES[ctype.lstrip("_")]
        offset = -(-offset // size) * size
        SIZES_OF[("struct " + name, field)] = size
        out.append((field, offset, size * n))
        offset += size * n
        align = max(align, size)
    total = -(-offset // align) * align
    out.append(("<end>", total, 0))
    return out


SIZES_OF = {}
structs_checked = 0
for d in family.yaml["definitions"]:
    if d["type"] != "struct":
        continue
    want = c_struct("synfin_" + d["name"].replace("-", "_"))
    if want is None:
        errors.append(f"struct {d['name']} is in the spec, not in the header")
        continue
    have, offset = [], 0
    for mem in d["members"]:
        size = mem["len"] if mem["type"] in ("binary", "pad") else SIZES[mem["type"]]
        if mem["type"] != "pad":
            have.append((mem["name"].replace("-", "_"), offset, size))
        offset += size
    have.append(("<end>", offset, 0))
    for h, w in zip(have, want):
        if h != w:
            errors.append(f"struct {d['name']}: spec has {h[0]} at {h[1]} "
                          f"({h[2]} bytes), header {w[0]} at {w[1]} ({w[2]} bytes)")
            break
    structs_checked += 1
if not structs_checked:
    errors.append("the spec has no struct")

for aset in family.attr_sets.values():
    prefix = aset.yaml["name-prefix"]
    for attr in aset.attrs.values():
        expect(c(prefix, attr.name), attr.value)
for op in family.yaml["operations"]["list"]:
    expect(c(family.yaml["operations"]["name-prefix"], op["name"]), op["value"])
for d in family.yaml["definitions"]:
    if d["type"] == "struct":
        continue
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
