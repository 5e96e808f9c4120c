#!/usr/bin/env python3
"""Helpers of bench/imap_light.sh that read the counters bench/imap_tap.py writes (its STATS file, JSON).

  imap_light_report.py wait STATS COMMAND SECONDS    exit 0 once the client has sent COMMAND (e.g. IDLE) since the
                                                     last reset, 1 when SECONDS passed without it
  imap_light_report.py wait-reset STATS N SECONDS    exit 0 once the tap has reset its counters N times in all
  imap_light_report.py report MAILBOX_BYTES QUIET_SECONDS PEER_LABEL \
        NOTIFIER_FIRST NOTIFIER_QUIET PEER_FIRST PEER_QUIET
      prints the table (first-pass bytes and share of the mailbox, commands in the quiet window) and the goals;
      exits 1 when notifier misses a goal. The four files are copies of STATS taken after each measurement."""
import collections, json, sys, time

FIRST_PASS_GOAL = 0.05  # of the mailbox's bytes
QUIET_GOAL = 2  # commands in the quiet window


def load(path):
    with open(path) as f:
        return json.load(f)


def wait(path, predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate(load(path)):
                return 0
        except (OSError, ValueError):
            pass  # not written yet
        time.sleep(0.1)
    return 1


def commands(stats):
    """"UID FETCH ×9, UID SEARCH ×2, ..." (most frequent first), or "none"."""
    counts = collections.Counter(command["command"] for command in stats["commands"])
    return ", ".join(f"{name} ×{count}" for name, count in counts.most_common()) or "none"


def report(mailbox_bytes, quiet_seconds, peer_label, ours_first, ours_quiet, peer_first, peer_quiet):
    mailbox_bytes, quiet_seconds = int(mailbox_bytes), int(quiet_seconds)
    rows = [("notifier watch --imap", load(ours_first), load(ours_quiet)),
            (peer_label, load(peer_first), load(peer_quiet))]
    print(f"{'client':<44} {'first pass bytes':>17} {'of mailbox':>10} {'conns':>5}   "
          f"{'commands in ' + str(quiet_seconds) + ' quiet s':>24}")
    for label, first, quiet in rows:
        print(f"{label:<44} {first['bytes_from_server']:>17,} {first['bytes_from_server'] / mailbox_bytes:>10.1%} "
              f"{first['connections']:>5}   {len(quiet['commands']):>24}")
    for label, first, quiet in rows:
        print(f"{label}: first pass sent {commands(first)}")
        print(f"{label}: quiet window sent {commands(quiet)}"
              + (f" on {quiet['connections']} new connection(s)" if quiet["connections"] else ""))
        if first["starttls_connections"] or quiet["starttls_connections"]:
            print(f"{label}: did STARTTLS anyway: its commands after it were not seen (bytes still counted)")
    ours_first, ours_quiet = rows[0][1], rows[0][2]
    share = ours_first["bytes_from_server"] / mailbox_bytes
    quiet_count = len(ours_quiet["commands"])
    met_first, met_quiet = share <= FIRST_PASS_GOAL, quiet_count <= QUIET_GOAL
    print(f"goal: notifier's first pass downloads at most {FIRST_PASS_GOAL:.0%} of the mailbox ... "
          f"{'MET' if met_first else 'NOT MET'} ({share:.1%}, {ours_first['bytes_from_server']:,} of "
          f"{mailbox_bytes:,} bytes)")
    scaled = "" if quiet_seconds == 600 else f" (the goal is for 600 s; this window was {quiet_seconds} s)"
    print(f"goal: at most {QUIET_GOAL} commands from notifier in 10 quiet minutes with IDLE ... "
          f"{'MET' if met_quiet else 'NOT MET'} ({quiet_count}){scaled}")
    return 0 if met_first and met_quiet else 1


if __name__ == "__main__":
    action, arguments = sys.argv[1], sys.argv[2:]
    if action == "wait":
        path, command, seconds = arguments
        sys.exit(wait(path, lambda stats: any(c["command"] == command for c in stats["commands"]), float(seconds)))
    if action == "wait-reset":
        path, count, seconds = arguments
        sys.exit(wait(path, lambda stats: stats["resets"] >= int(count), float(seconds)))
    if action == "report":
        sys.exit(report(*arguments))
    sys.exit(f"imap_light_report.py: unknown action {action}")
