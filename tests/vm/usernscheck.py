#!/usr/bin/python3
"""A user namespace's root, asking from a fresh netns of its own, gets
that netns's counters (every one zero, on every CPU) and no flow, not
the host's: while the host itself has had traffic and holds flows.

  usernscheck.py HOST.json USERNS.json USERNS.flows --rc N --flows-rc N --err FILE

HOST.json is `synfin stats --json` in the host; USERNS.json and
USERNS.flows are `synfin stats --json` and `synfin flows --json` run by
`unshare --user --map-root-user --net`, with exit statuses --rc and
--flows-rc and their standard error in --err.
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("host", help="synfin stats --json in the host")
    ap.add_argument("userns", help="synfin stats --json in the user namespace")
    ap.add_argument("flows", help="synfin flows --json in the user namespace")
    ap.add_argument("--rc", type=int, required=True, help="exit status of the stats request")
    ap.add_argument("--flows-rc", type=int, required=True, help="exit status of the flows request")
    ap.add_argument("--err", required=True, help="their standard error")
    args = ap.parse_args()
    with open(args.host) as f:
        host = json.load(f)["total"]
    print("host: segments", host["segments"], "flows_active", host["flows_active"])
    assert host["segments"] > 0 and host["flows_active"] > 0, "no host traffic: no test"
    with open(args.err) as f:
        err = f.read()
    assert args.rc == 0 and args.flows_rc == 0, err
    with open(args.userns) as f:
        mine = json.load(f)
    t = mine["total"]
    nonzero = {k: v for k, v in t.items() if v}
    print("user namespace: nonzero:", nonzero or "none")
    # A fresh namespace has had no traffic: every counter of its own is 0.
    assert t["segments"] == 0 and t["flows_active"] == 0 and not nonzero, t
    assert all(not any(c.get(k) for k in c if k != "cpu") for c in mine["cpus"]), mine["cpus"]
    with open(args.flows) as f:
        flows = f.read()
    assert flows.strip() == "", flows


if __name__ == "__main__":
    main()
