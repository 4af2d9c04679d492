#!/usr/bin/python3
"""Turn the `make bench` guest's measurements into BENCHMARKS.md and a plot.

  report.py BENCH.jsonl KERNEL MARKDOWN PNG

Every ratio is a configuration's result divided by the no-module result of
the same round, path and workload (rounds alternate the configurations in
one boot); the table gives each ratio's median, min and max over rounds.
"""
import json
import os
import statistics
import sys

jpath, kernel, md_path, png_path = sys.argv[1:5]
recs = [json.loads(l) for l in open(jpath) if l.strip()]
main = [r for r in recs if "config" in r]
loss = [r for r in recs if r.get("phase") == "loss"]
CONFIGS = ["synfin", "synfin_bare", "hooks_only", "conntrack", "tcpdump"]
LABEL = {"synfin": "synfin + reader (--json)", "synfin_bare": "synfin, no reader (the module alone)",
         "hooks_only": "synfin's hooks accepting at once (the floor)", "conntrack": "conntrack + conntrack -E",
         "tcpdump": "tcpdump (SYN/FIN/RST to a file)", "none": "no module"}
CASES = [("lo", "connrate"), ("lo", "bulk"), ("veth", "connrate"), ("veth", "bulk")]
TARGET = {"connrate": 0.97, "bulk": 0.99}
_n = int(os.environ.get("BENCH_VCPUS", "2"))
VCPUS = "1 vCPU" if _n == 1 else f"{_n} vCPUs, a host thread each"
ICOUNT = os.environ.get("BENCH_CLOCK", "icount") == "icount"
if ICOUNT:
    METHOD = [
        f"`make bench`: Linux {kernel} under QEMU (TCG, 1 vCPU) with the guest's clock",
        "counting instructions while the vCPU is busy (`-icount shift=0`: every",
        "instruction is 1 ns of guest time; an idle vCPU's time follows the host's).",
        "The workloads keep the vCPU busy, so a result is the work a configuration",
        "does per connection or per byte, whatever else the host runs: connection-rate",
        "rounds repeat within a fraction of a percent. It is not a cycle count: a",
        "cache miss or a slow instruction costs what any other instruction does. The",
        "absolute numbers are an emulator's; the ratios are what counts.",
    ]
else:
    METHOD = [
        f"`make bench`: Linux {kernel} under QEMU (TCG, {VCPUS}, the host's clock:",
        "the absolute numbers are an emulator's, the ratios are what counts, and",
        "the host's own load moves them).",
    ]

value = {(r["round"], r["config"], r["path"], r["workload"]): r["value"] for r in main}
rounds = sorted({r["round"] for r in main})


def ratios(cfg, path, wl):
    out = []
    for rd in rounds:
        base = value.get((rd, "none", path, wl))
        v = value.get((rd, cfg, path, wl))
        if base and v is not None:
            out.append(v / base)
    return out


def fmt_abs(wl, v):
    return f"{v:.0f} conn/s" if wl == "connrate" else f"{v / 1e9:.2f} Gbit/s"


lines = [
    "# Benchmarks",
    "",
    *METHOD,
    "",
    f"{len(rounds)} alternating rounds in one boot, each configuration measured",
    "for every workload in each round (its order rotated per round). A ratio is the",
    "configuration's result over the no-module result of the same round.",
    "",
    "- connrate: 8 clients making short connections (connect, 1 byte each way,",
    "  close) to a one-thread epoll server, connections per second",
    "  (`tests/bench/connrate.c`);",
    "- bulk: iperf3, one stream, bits per second;",
    "- lo: over loopback in a namespace; veth: between two namespaces. Every",
    "  measurement has namespaces made for it and deleted after it, so that no",
    "  run inherits the TIME_WAIT sockets of the one before.",
    "",
    "Configurations: synfin loaded (default parameters) with a `synfin watch --json`",
    "reader in each namespace; netfilter conntrack made active by an nftables",
    "`ct state` rule, with `conntrack -E` in each namespace; tcpdump capturing",
    "SYN/FIN/RST segments to a file. The module alone (no reader: events are",
    "written and drained, then counted as unheard) tells the kernel's share of",
    "synfin's cost from the reader's. The floor is a module with synfin's four",
    "netfilter hooks (IPv4 and IPv6, PRE_ROUTING and LOCAL_OUT, same priorities)",
    "that accept every packet at once (`tests/bench/nullhook`): what any tracer",
    "built on these hooks pays before it reads a header.",
    "",
    "| path | workload | no module (median) | configuration | ratio median | min | max | target |",
    "|---|---|---|---|---|---|---|---|",
]
summary = {}
for path, wl in CASES:
    base = [value[(rd, "none", path, wl)] for rd in rounds if (rd, "none", path, wl) in value]
    for cfg in CONFIGS:
        rs = ratios(cfg, path, wl)
        if not rs:
            continue
        med = statistics.median(rs)
        summary[(cfg, path, wl)] = med
        tgt = ""
        if cfg == "synfin":
            tgt = f"≥ {TARGET[wl]:.2f}: {'met' if med >= TARGET[wl] else 'NOT met'}"
        lines.append(f"| {path} | {wl} | {fmt_abs(wl, statistics.median(base)) if base else '-'} | "
                     f"{LABEL[cfg]} | {med:.3f} | {min(rs):.3f} | {max(rs):.3f} | {tgt} |")

# synfin's delivery during the connection-rate runs
sent = written = lost = 0
secs = 0.0
for r in main:
    if r["config"] == "synfin" and "before" in r:
        b, a = r["before"]["total"], r["after"]["total"]
        sent += a["events_sent"] - b["events_sent"]
        written += a["events_written"] - b["events_written"]
        lost += (a["events_dropped"] - b["events_dropped"]) + (a["nl_send_failed"] - b["nl_send_failed"])
        secs += r["seconds"]
lines += ["", "## synfin against the others", ""]
for path, wl in CASES:
    s = summary.get(("synfin", path, wl))
    if s is None:
        continue
    better = [c for c in ("conntrack", "tcpdump") if summary.get((c, path, wl)) is not None and s > summary[(c, path, wl)]]
    worse = [c for c in ("conntrack", "tcpdump") if c not in better]
    lines.append(f"- {path} {wl}: synfin {s:.3f}; better than {', '.join(better) or 'neither'}"
                 + (f"; not better than {', '.join(worse)}" if worse else ""))
lines += ["", "## Against the floor", ""]
for path, wl in CASES:
    f, b, s = (summary.get((c, path, wl)) for c in ("hooks_only", "synfin_bare", "synfin"))
    if f is None or b is None or s is None:
        continue
    lines.append(f"- {path} {wl}: the hooks alone leave {f:.3f}; synfin's tracking "
                 f"takes it to {b:.3f}, its reader to {s:.3f}"
                 + (f"; a {TARGET[wl]:.2f} target leaves a hook-based tracer "
                    f"{max(0.0, f - TARGET[wl]) * 100:.1f}% of the baseline for everything it does"
                    if wl == "connrate" else ""))
lines += ["", f"During the connection-rate runs synfin wrote {written} events and delivered {sent} "
          f"({sent / secs:.0f} per second of measurement) to its readers; lost: {lost} "
          "(ring overflow plus failed deliveries).", ""]

# where loss starts
if loss:
    lines += ["## Where loss starts", "",
              "SYNs to a closed port across the veth pair at rising rates with hping3 (each",
              "SYN and its RST are seen in both namespaces: four events), readers consuming",
              "`--json`. `dropped` is",
              "ring overflow (the drain worker too slow), `nl_send_failed` a reader's",
              "socket buffer overflowing (the reader too slow).", "",
              "| ring_size | hping3 rate (SYN/s) | events written/s | dropped | nl_send_failed |",
              "|---|---|---|---|---|"]
    first, top = {}, {}
    for r in loss:
        b, a = r["before"]["total"], r["after"]["total"]
        w = a["events_written"] - b["events_written"]
        d = a["events_dropped"] - b["events_dropped"]
        f = a["nl_send_failed"] - b["nl_send_failed"]
        lines.append(f"| {r['ring_size']} | {r['rate']} | {w / r['seconds']:.0f} | {d} | {f} |")
        top[r["ring_size"]] = max(top.get(r["ring_size"], 0), w / r["seconds"])
        if (d or f) and r["ring_size"] not in first:
            first[r["ring_size"]] = (r["rate"], w / r["seconds"], d, f)
    lines.append("")
    for ring in sorted({r["ring_size"] for r in loss}):
        if ring in first:
            rate, ws, d, f = first[ring]
            src = "ring overflow" if d else "reader overflow"
            lines.append(f"- ring_size {ring}: loss starts at {rate} SYN/s ({ws:.0f} events/s), from {src}.")
        else:
            lines.append(f"- ring_size {ring}: no loss at any rate tried, up to {top[ring]:.0f} events/s.")
    lines.append("")

lines += ["![median ratio to no module, with min and max](tests/bench/benchmarks.png)", ""]
open(md_path, "w").write("\n".join(lines))

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("report: no matplotlib, no plot", file=sys.stderr)
    sys.exit(0)
fig, ax = plt.subplots(figsize=(10, 4.5))
width = 0.16
for i, cfg in enumerate(CONFIGS):
    meds, lo, hi, xs = [], [], [], []
    for j, (path, wl) in enumerate(CASES):
        rs = ratios(cfg, path, wl)
        if not rs:
            continue
        m = statistics.median(rs)
        xs.append(j + (i - (len(CONFIGS) - 1) / 2) * width)
        meds.append(m)
        lo.append(m - min(rs))
        hi.append(max(rs) - m)
    ax.bar(xs, meds, width, yerr=[lo, hi], capsize=3, label=LABEL[cfg])
ax.axhline(1.0, color="black", linewidth=0.8)
ax.set_xticks(range(len(CASES)), [f"{p} {w}" for p, w in CASES])
ax.set_ylabel("ratio to no module (median, min-max)")
ax.set_title(f"synfin overhead, Linux {kernel}, {len(rounds)} rounds")
ax.set_ylim(bottom=max(0, min([0.5] + [min(ratios(c, p, w) or [1]) - 0.05 for c in CONFIGS for p, w in CASES])))
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
fig.savefig(png_path, dpi=100)
print(f"report: {md_path}, {png_path}")
