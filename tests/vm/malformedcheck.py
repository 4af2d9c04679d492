#!/usr/bin/python3
"""The module counted inject.py's malformed and odd segments exactly:
the segments and malformed counters rose by what inject.py says it sent
of each (doff < 5, cut short, bogus options, fragments).

  malformedcheck.py SENT.json --segments N --malformed N

SENT.json is `inject.py malformed`'s output; N are the rises of the
module's counters over the sending.
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sent", help="inject.py malformed's JSON: what it sent, what must be counted")
    ap.add_argument("--segments", type=int, required=True, help="the rise of the segments counter")
    ap.add_argument("--malformed", type=int, required=True, help="the rise of the malformed counter")
    args = ap.parse_args()
    with open(args.sent) as f:
        want = json.load(f)
    got = {"segments": args.segments, "malformed": args.malformed}
    print("sent", want["sent"], "want", want, "got", got)
    assert got == {"segments": want["segments"], "malformed": want["malformed"]}, (got, want)


if __name__ == "__main__":
    main()
