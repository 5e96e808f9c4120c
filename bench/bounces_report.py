#!/usr/bin/env python3
"""Compares notifier's bounce reader with flufl.bounce on the same files (bench/bounces.sh).

Usage: bounces_report.py NOTIFIER.jsonl FLUFL.jsonl NOTIFIER_SECONDS FLUFL_SECONDS FLUFL_VERSION

NOTIFIER.jsonl is `notifier parse --json` output (bounce_recipients per file), FLUFL.jsonl bench/bounces_peer.py's.
Prints each side's hit rate (files with at least one recipient), then, for the files where flufl.bounce finds a
recipient, whether notifier found the same set, an overlapping one, or a different one (no address in common), with
every file that is not the same listed with both sides. Exit status 1 when notifier finds a recipient in less than
97% of the files or finds a different recipient where flufl.bounce finds one; 0 otherwise.
"""

import json
import os
import re
import sys

# What an addr-spec looks like; flufl.bounce also reports strings that are none (a JSON fragment of an Amazon SES
# notification, an Exim pipe command or mailbox path): those are shown, not compared.
ADDRESS = re.compile(r"^[^@\s\"'<>()\[\]{},;:|]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


def load(path):
    records = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            record = json.loads(line)
            records[os.path.basename(record["file"])] = record
    return records


def main():
    ours_path, flufl_path, ours_seconds, flufl_seconds, flufl_version = sys.argv[1:6]
    ours, flufl = load(ours_path), load(flufl_path)
    files = sorted(set(ours) | set(flufl))
    total = len(files)

    def ours_of(name):
        return set((ours.get(name) or {}).get("bounce_recipients") or [])

    def flufl_raw(name):
        return {a for a in (flufl.get(name) or {}).get("recipients") or [] if a}

    def flufl_of(name):
        return {a for a in flufl_raw(name) if ADDRESS.match(a)}

    our_hits = sum(1 for name in files if ours_of(name))
    flufl_hits = sum(1 for name in files if flufl_raw(name))
    flufl_addresses = sum(1 for name in files if flufl_of(name))
    flufl_empty = sum(1 for name in files if not flufl_raw(name) and (flufl.get(name) or {}).get("recipients"))
    bounces = sum(1 for name in files if (ours.get(name) or {}).get("kind") == "bounce")
    print(f"{'reader':34} {'recipient found':>16} {'share':>7} {'seconds':>8}")
    print(f"{'notifier parse --json':34} {our_hits:>7} of {total:<6} {our_hits / total:>7.1%} {float(ours_seconds):>8.2f}")
    note = f"  (+{flufl_empty} with only an empty address)" if flufl_empty else ""
    print(f"{'flufl.bounce ' + flufl_version + ' all_failures':34} {flufl_hits:>7} of {total:<6} "
          f"{flufl_hits / total:>7.1%} {float(flufl_seconds):>8.2f}{note}")
    print(f"{'  of which an address (not a JSON':34} {flufl_addresses:>7} of {total:<6} {flufl_addresses / total:>7.1%}")
    print(f"{'  fragment, pipe or path)':34}")
    print(f"notifier: {bounces} of {total} files read as kind bounce; goal: a recipient in at least 97%")
    for name in files:
        junk = sorted(flufl_raw(name) - flufl_of(name))
        if junk:
            print(f"  flufl.bounce reports what is no address: {name}: {[j[:60] for j in junk]}"
                  f"; notifier {sorted(ours_of(name))}")

    same, overlap, different, flufl_only = [], [], [], []
    for name in files:
        theirs, mine = flufl_of(name), ours_of(name)
        if not theirs:
            continue
        if not mine:
            flufl_only.append(name)
        elif mine == theirs:
            same.append(name)
        elif mine & theirs:
            overlap.append(name)
        else:
            different.append(name)
    print(f"where flufl.bounce finds an address ({flufl_addresses} files): same {len(same)}, overlapping "
          f"{len(overlap)}, different {len(different)}, none found by notifier {len(flufl_only)}")
    for label, names in (("overlapping", overlap), ("DIFFERENT", different), ("notifier finds none", flufl_only)):
        for name in names:
            print(f"  {label}: {name}: notifier {sorted(ours_of(name))} flufl.bounce {sorted(flufl_of(name))}")
    not_bounces = [name for name in files if (ours.get(name) or {}).get("kind") != "bounce"]
    if not_bounces:
        print(f"not read as bounces by notifier: {', '.join(not_bounces)}")

    ok = our_hits >= 0.97 * total and not different and not flufl_only
    if not ok:
        print("bounces: FAIL: below 97% or a different recipient where flufl.bounce finds one", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
