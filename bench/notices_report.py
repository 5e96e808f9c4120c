#!/usr/bin/env python3
"""The table and the goals of the `notices send` bench (bench/notices.sh).

Usage: notices_report.py RESULTS.tsv MESSAGES

RESULTS.tsv lines are written by notices.sh: label, connections, best wall seconds, worst exit status, note.
Rows whose label starts with "smtp-source" are the ceiling; the one with the same connection count is what a row's
"% of smtp-source" is measured against. The goals (from the issue): notifier at least 80% of smtp-source on one
connection and 40% on four. Exit status 1 when a goal is not met or a row has no ceiling to compare with.
"""

import sys

GOALS = {1: 0.80, 4: 0.40}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: notices_report.py RESULTS.tsv MESSAGES")
    messages = int(sys.argv[2])
    rows = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            rows.append({"label": parts[0], "connections": int(parts[1]), "seconds": float(parts[2]),
                         "status": int(parts[3]), "note": parts[4] if len(parts) > 4 else ""})
    ceiling = {r["connections"]: r for r in rows if r["label"].startswith("smtp-source")}

    def rate(row):
        return messages / max(row["seconds"], 1e-6)

    print(f"{'peer':<44} {'conns':>5} {'seconds':>8} {'msg/s':>8} {'% of smtp-source':>17}")
    for r in rows:
        top = ceiling.get(r["connections"])
        share = f"{100 * rate(r) / rate(top):.0f}%" if top else "-"
        status = "" if r["status"] == 0 else f"   (exit status {r['status']})"
        note = f"   {r['note']}" if r["note"] else ""
        print(f"{r['label']:<44} {r['connections']:>5} {r['seconds']:>8.3f} {rate(r):>8.0f} {share:>17}{status}{note}")
    print(f"(msg/s = {messages:,} messages / the best run's wall seconds, process start to exit)")
    print()

    failed = 0
    for connections, goal in GOALS.items():
        notifier = next((r for r in rows if r["label"].startswith("notifier") and r["connections"] == connections), None)
        top = ceiling.get(connections)
        label = f"goal: notifier >= {goal:.0%} of smtp-source on {connections} connection{'s' if connections > 1 else ''}"
        if not notifier or not top:
            failed += 1
            print(f"{label} ... NOT MEASURED")
            continue
        share = rate(notifier) / rate(top)
        met = share >= goal and notifier["status"] == 0
        failed += not met
        print(f"{label} ... {'MET' if met else 'NOT MET'} ({share:.0%}: {rate(notifier):.0f} of {rate(top):.0f} msg/s; "
              f"the goal needs {goal * rate(top):.0f})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
