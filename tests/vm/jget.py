#!/usr/bin/python3
"""Print one value of a JSON document: the VM suite's way to read a
counter of `synfin stats --json` (jget.py total.segments).

  jget.py PATH [FILE]

PATH is keys (and list indices) separated by dots; FILE defaults to
standard input. A missing key is an error (exit 1).
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", help="keys separated by dots, e.g. total.segments")
    ap.add_argument("file", nargs="?", type=argparse.FileType("r"), default=sys.stdin,
                    help="the JSON document (default: standard input)")
    args = ap.parse_args()
    v = json.load(args.file)
    for k in args.path.split("."):
        v = v[int(k)] if isinstance(v, list) else v[k]
    print(json.dumps(v) if isinstance(v, (dict, list)) else v)


if __name__ == "__main__":
    main()
