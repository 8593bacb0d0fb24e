#!/usr/bin/env python3
"""Compares a live catalogue (the output of shared/surface.sql) with the
checklist of SPEC.md section 9.

A key of the checklist passes when the live output has a line with the same
KIND | KEY and every ESSENTIALS name=value pair among its attributes. Live
keys that the checklist does not list are reported as extra, except those
named with --allow-extra. Keys matching --pending are parts of the surface
whose issue has not landed yet: they are neither required nor reported.

Exit status 0 when every required key passes and nothing unexpected is extra.
"""
import argparse
import re
import sys


def parse_lines(lines):
    entries = {}
    for line in lines:
        line = line.rstrip("\n")
        parts = line.split(" | ")
        if len(parts) != 3 or parts[0] == "comment":
            continue
        kind, key, attrs = parts
        pairs = set() if attrs == "-" else set(attrs.split("; "))
        entries[f"{kind} | {key}"] = pairs
    return entries


def checklist(spec_text):
    block = re.search(r"## 9\. Checklist.*?```\n(.*?)```", spec_text, re.S)
    if not block:
        sys.exit("check_surface: no checklist block in the SPEC")
    return parse_lines(block.group(1).splitlines())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("live")
    ap.add_argument("--pending", default=None, help="regex of keys not yet required")
    ap.add_argument("--allow-extra", action="append", default=[], help="a live key allowed beyond the SPEC")
    args = ap.parse_args()

    with open(args.spec) as f:
        want = checklist(f.read())
    with open(args.live) as f:
        have = parse_lines(f)
    pending = re.compile(args.pending) if args.pending else None

    def is_pending(key):
        return bool(pending and pending.search(key))

    failures = 0
    checked = 0
    for key, pairs in sorted(want.items()):
        if is_pending(key):
            continue
        checked += 1
        if key not in have:
            print(f"MISSING  {key}")
            failures += 1
            continue
        wrong = sorted(pairs - have[key])
        if wrong:
            print(f"DIFFERS  {key}: want {'; '.join(wrong)}")
            failures += 1
    extra = [k for k in sorted(have) if k not in want and k not in args.allow_extra and not is_pending(k)]
    for key in extra:
        print(f"EXTRA    {key}")
    failures += len(extra)
    print(f"surface: {checked - failures if failures <= checked else 0} of {checked} checklist keys match"
          f"{', ' + str(len(extra)) + ' unexpected extra' if extra else ''}")
    print(f"{checked + len(extra) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
