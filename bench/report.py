#!/usr/bin/env python3
"""Checks and tables for `bench/run.sh` (kept out of the shell script, where JSON and arithmetic are clumsy).

Usage:
  report.py verify EXPECTED.jsonl ACTUAL.jsonl    compare notifier's records with what gen_corpus.py put in
  report.py peers RESULTS.tsv BYTES MESSAGES      the side-by-side throughput table and the goals
  report.py memory RESULTS.tsv                    peak RSS for 1,000 vs all messages
  report.py one-record OUTPUT                     exactly one line holding a JSON object? prints its kind
  report.py hostile RESULTS.tsv                   the hostile-input table

RESULTS.tsv lines are written by run.sh: label, wall seconds, peak RSS in KiB, exit status, [bytes, [note]].
"""

import json
import os
import sys

# The keys of the `notifier parse --json` contract, in order.
CONTRACT_KEYS = ["file", "kind", "trusted", "vendor_code", "url", "valid_from", "valid_until", "otp",
                 "expires_at", "subject", "from", "message_id"]
# What gen_corpus.py knows about each message and so can check.
CHECKED_KEYS = ["kind", "trusted", "vendor_code", "url", "valid_from", "valid_until", "otp", "expires_at",
                "subject"]

MIB = 1024 * 1024


def read_results(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            rows.append({"label": parts[0], "seconds": float(parts[1]), "rss_kib": int(parts[2]),
                         "status": int(parts[3]), "bytes": int(parts[4]) if len(parts) > 4 and parts[4] else 0,
                         "note": parts[5] if len(parts) > 5 else ""})
    return rows


def verify(expected_path, actual_path):
    """Matches records by file name (notifier prints the path it was given), so the order does not matter."""
    expected = {}
    with open(expected_path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            expected[record["file"]] = record
    actual, bad_lines, missing_keys = {}, 0, 0
    with open(actual_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                record = json.loads(line)
            except ValueError:
                bad_lines += 1
                continue
            if not isinstance(record, dict):
                bad_lines += 1
                continue
            if any(key not in record for key in CONTRACT_KEYS):
                missing_keys += 1
            actual[os.path.basename(str(record.get("file", "")))] = record
    matched, field_misses, examples = 0, {}, []
    for name, want in expected.items():
        got = actual.get(name)
        if got is None:
            field_misses["(no record)"] = field_misses.get("(no record)", 0) + 1
            continue
        wrong = [key for key in CHECKED_KEYS if got.get(key) != want[key]]
        if not wrong:
            matched += 1
        for key in wrong:
            field_misses[key] = field_misses.get(key, 0) + 1
        if wrong and len(examples) < 5:
            examples.append(f"    {name}: " + ", ".join(f"{k} expected {want[k]!r} got {got.get(k)!r}" for k in wrong))
    total = len(expected)
    print(f"correctness: {matched}/{total} records match what the generator put in "
          f"({', '.join(CHECKED_KEYS)})")
    if bad_lines:
        print(f"  {bad_lines} output lines are not JSON objects")
    if missing_keys:
        print(f"  {missing_keys} records lack some of the contract keys ({', '.join(CONTRACT_KEYS)})")
    if field_misses:
        print("  mismatches by field: " + ", ".join(f"{k} {v}" for k, v in sorted(field_misses.items())))
        print("  first mismatches:")
        print("\n".join(examples))
    return 0 if matched == total and not bad_lines and not missing_keys else 1


def peers(results_path, total_bytes, messages):
    rows = read_results(results_path)
    python = next((r for r in rows if r["label"].startswith("python")), None)
    print(f"{'peer':<34} {'seconds':>8} {'MB/s':>8} {'msgs/s':>9} {'peak RSS MiB':>13} {'x Python':>10}")
    for r in rows:
        s = max(r["seconds"], 1e-6)
        ratio = f"{python['seconds'] / s:.1f}x" if python else "-"
        status = "" if r["status"] == 0 else f"   (exit status {r['status']})"
        print(f"{r['label']:<34} {r['seconds']:>8.3f} {total_bytes / 1e6 / s:>8.1f} {messages / s:>9.0f} "
              f"{r['rss_kib'] / 1024:>13.1f} {ratio:>10}{status}")
    print("(MB = 10^6 bytes; x Python = Python's seconds / the peer's: how many times faster)")
    notifier = next((r for r in rows if r["label"].startswith("notifier")), None)
    mshow = next((r for r in rows if r["label"].startswith("mshow")), None)
    failed = 0
    print()
    if notifier and mshow:
        ahead = notifier["seconds"] < mshow["seconds"]
        failed += not ahead
        print(f"goal: notifier ahead of mshow ............ {'MET' if ahead else 'NOT MET'} "
              f"({mshow['seconds'] / max(notifier['seconds'], 1e-6):.2f}x mshow's throughput)")
    if notifier and python:
        speedup = python["seconds"] / max(notifier["seconds"], 1e-6)
        failed += speedup < 10
        print(f"goal: notifier >= 10x Python ............. {'MET' if speedup >= 10 else 'NOT MET'} "
              f"({speedup:.1f}x)")
    single = next((r for r in rows if r["label"].endswith("--jobs 1")), None)
    if single and mshow and python:
        print(f"on one core (--jobs 1): {mshow['seconds'] / max(single['seconds'], 1e-6):.2f}x mshow's throughput, "
              f"{python['seconds'] / max(single['seconds'], 1e-6):.1f}x Python's (the goals above use the default, "
              f"all cores)")
    return 1 if failed else 0


def memory(results_path):
    rows = read_results(results_path)
    print(f"{'notifier parse --json, one process':<40} {'files':>6} {'MB':>7} {'peak RSS MiB':>13}")
    for r in rows:
        print(f"{'':<40} {r['note']:>6} {r['bytes'] / 1e6:>7.1f} {r['rss_kib'] / 1024:>13.1f}")
    small, large = rows[0]["rss_kib"], rows[-1]["rss_kib"]
    # Flat: ten times the messages may cost at most a quarter more memory (allocator noise, a bigger largest file).
    flat = large <= small * 1.25
    print(f"goal: memory flat in the number of messages ... {'MET' if flat else 'NOT MET'} "
          f"({large / max(small, 1):.2f}x the RSS for {rows[-1]['note']} files as for {rows[0]['note']})")
    return 0 if flat else 1


def one_record(output_path):
    """Prints the record's kind, or why there is no single record; exit status 1 in that case."""
    with open(output_path, "rb") as f:
        lines = f.read().splitlines()
    if len(lines) != 1:
        print(f"{len(lines)} lines")
        return 1
    try:
        record = json.loads(lines[0])
    except ValueError:
        print("not JSON")
        return 1
    if not isinstance(record, dict) or any(key not in record for key in CONTRACT_KEYS):
        print("not a full record")
        return 1
    print(record["kind"])
    return 0


def hostile(results_path):
    rows = read_results(results_path)
    print(f"{'input':<34} {'MiB':>7} {'seconds':>8} {'MB/s':>7} {'peak RSS MiB':>13} {'RSS/input':>10}  record")
    failed = 0
    for r in rows:
        size_mib = r["bytes"] / MIB
        ok = r["status"] == 0 and not r["note"].startswith("FAIL")
        failed += not ok
        rate = r["bytes"] / 1e6 / max(r["seconds"], 1e-6)
        per_input = f"{r['rss_kib'] / 1024 / size_mib:.1f}" if size_mib >= 1 else "-"
        status = "" if r["status"] == 0 else f" (exit status {r['status']})"
        print(f"{r['label']:<34} {size_mib:>7.2f} {r['seconds']:>8.3f} {rate:>7.1f} {r['rss_kib'] / 1024:>13.1f} "
              f"{per_input:>10}  {r['note']}{status}")
    print("(RSS/input: peak RSS per MiB of input, for inputs of 1 MiB and more; the baseline row is the fixed cost of\n"
          " starting notifier. record: exit status 0 and exactly one JSON line with all contract keys, and its kind)")
    print(f"hostile inputs: {len(rows) - failed} of {len(rows)} gave exit status 0 and one JSON record")
    return 1 if failed else 0


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "verify":
        return verify(*args)
    if command == "peers":
        return peers(args[0], int(args[1]), int(args[2]))
    if command == "memory":
        return memory(args[0])
    if command == "one-record":
        return one_record(args[0])
    if command == "hostile":
        return hostile(args[0])
    sys.exit(f"report.py: unknown command {command}")


if __name__ == "__main__":
    sys.exit(main())
