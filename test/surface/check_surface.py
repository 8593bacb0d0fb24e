#!/usr/bin/env python3
"""test/surface/check_surface.py: compares the live catalogue of the
installed extension (what catalogue.sql prints) with expected.txt.

Every expected KIND | KEY must be live with exactly the expected attributes,
and every live key must be expected. Keys matching --pending belong to work
that has not landed: they are not required, and a pending key that is live
fails the check (the pending list must shrink when the work lands).

With --pgvector-only the expected surface is pgvector's alone: the entries
before the line ADDITIONS_MARKER, plus the settings after it (they come with
the library, not the script). That is what CREATE EXTENSION vector VERSION
'0.8.0' must create.

Prints one line per difference, then 'N passed, N failed'; exit status 0
when nothing differs.
"""
import argparse
import re
import sys

ADDITIONS_MARKER = "# vecsim's own objects (not in pgvector)"


def read_catalogue(path, comments, pgvector_only=False):
    """KIND | KEY -> ATTRIBUTES. With comments (the expected file), blank
    lines and lines starting with # are skipped; in the live catalogue every
    line must be an entry (a blank one would be an object without a name)."""
    entries = {}
    in_additions = False
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if comments and line == ADDITIONS_MARKER:
                in_additions = True
            if comments and (not line or line.startswith("#")):
                continue
            if pgvector_only and in_additions and not line.startswith("guc | "):
                continue
            parts = line.split(" | ")
            if len(parts) != 3:
                sys.exit(f"{path}:{number}: not KIND | KEY | ATTRIBUTES: {line}")
            key = f"{parts[0]} | {parts[1]}"
            if key in entries:
                sys.exit(f"{path}:{number}: {key} listed twice")
            entries[key] = parts[2]
    return entries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("expected")
    ap.add_argument("live")
    ap.add_argument("--pending", default=None, help="regex of keys whose work has not landed")
    ap.add_argument("--pgvector-only", action="store_true", help="expect pgvector's surface alone")
    args = ap.parse_args()

    want = read_catalogue(args.expected, comments=True, pgvector_only=args.pgvector_only)
    if args.pgvector_only and len(want) == len(read_catalogue(args.expected, comments=True)):
        sys.exit(f"{args.expected}: no line {ADDITIONS_MARKER!r}")
    have = read_catalogue(args.live, comments=False)
    pending = re.compile(args.pending) if args.pending else None

    def is_pending(key):
        return bool(pending and pending.search(key))

    passed = failed = 0
    for key in sorted(want):
        if is_pending(key):
            if key in have:
                print(f"LANDED   {key}: remove it from --pending")
                failed += 1
            continue
        if key not in have:
            print(f"MISSING  {key}")
            failed += 1
        elif have[key] != want[key]:
            print(f"DIFFERS  {key}\n  want {want[key]}\n  have {have[key]}")
            failed += 1
        else:
            passed += 1
    for key in sorted(set(have) - set(want)):
        print(f"EXTRA    {key} | {have[key]}")
        failed += 1
    print(f"surface: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
