#!/usr/bin/env bash
# Peak memory and wall time of `notifier watch --imap --once` against each mode of Tests/Servers/faulty_imap.py,
# measured by /usr/bin/time -v (package time), with --timeout 10. Bounded: every run is killed after 30 s.
#
# Usage: Tests/Servers/with-servers.sh scripts/measure_hostile_imap.sh [NOTIFIER]
#   NOTIFIER: the binary to measure (default .build/debug/notifier), e.g. an older build for comparison.
set -uo pipefail
binary=${1:-.build/debug/notifier}
: "${FAULTY_IMAP_PORT_OK:?run under Tests/Servers/with-servers.sh}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-16s %6s %8s %10s  %s\n' mode status seconds "max RSS" "last line of standard error"
for mode in OVERSIZED LYING_SIZE UNTAGGED_FLOOD ENDLESS_LITERAL STALL; do
    port_var="FAULTY_IMAP_PORT_$mode"
    rm -f "$work/db"* "$work/time"
    start=$EPOCHREALTIME
    NOTIFIER_IMAP_PASSWORD=any /usr/bin/time -v -o "$work/time" timeout --foreground -s KILL 30 "$binary" --db "$work/db" \
        watch --imap "imap://127.0.0.1:${!port_var}/INBOX" --imap-user tanto --once --timeout 10 >"$work/out" 2>"$work/err"
    status=$?
    end=$EPOCHREALTIME
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
    printf '%-16s %6s %8.1f %7d MiB  %s\n' "$mode" "$status" "$(echo "$end - $start" | bc)" "$((rss / 1024))" \
        "$(tail -n 1 "$work/err" | cut -c1-110)"
done
