#!/usr/bin/env bash
# Throughput bench for the issuer's batch sender, `notifier notices send`.
#
# Usage: bench/notices.sh PATH/TO/notifier      (bench/run.sh calls it as its last section; it also runs alone)
#
# Generates a registry of 10,000 vendors (bench/notices_gen.py: seeded, Japanese names, addresses @example.test),
# imports it once into a fresh database, starts Postfix's smtp-sink on 127.0.0.1 (a free port the OS picks) and
# times, side by side in the same run:
#   notifier     `notices send --connections 1` and `--connections 4`, each run on a fresh copy of the imported
#                database, so every run plans, renders, encodes, sends and commits the state of all 10,000 notices;
#   smtp-source  Postfix's load generator with the same message (the notice `notifier compose update_notice`
#                writes for the first vendor) and the same connection count, each connection kept for message after
#                message (-d), as notifier does: the ceiling the issue names. It says HELO and waits for the
#                reply to every command; notifier pipelines (RFC 2920) where smtp-sink offers it, as it does;
#   smtplib      bench/notices_smtplib.py: Python's smtplib, the same messages pre-built, one connection: a peer.
# The peers run in rounds (each once per round, so a burst of other load on the machine hits them alike) and the
# fastest of BENCH_NOTICES_REPEAT rounds counts; a run longer than 30 s is not repeated. Then the goals: notifier
# at least 80% of smtp-source on one connection and 40% on four. Last, the send alone and beside four loops of
# `notices status` and `otp verify` on the same database: at least 0.7 of the throughput, integrity_check ok.
#
# Environment: BENCH_NOTICES_N (vendors, default 10000), BENCH_NOTICES_REPEAT (rounds, default 3), BENCH_OUT (default
# bench/out), BENCH_STRICT=1 (exit 1 when a goal is not met; without it only a failed run or a notice not sent
# fails). Needs Postfix's smtp-sink and smtp-source (Debian package postfix) and python3: `make deps` installs them.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: bench/notices.sh PATH/TO/notifier" >&2
    exit 2
fi
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NOTIFIER=$(realpath -m "$1")
N=${BENCH_NOTICES_N:-10000}
REPEAT=${BENCH_NOTICES_REPEAT:-3}
OUT=${BENCH_OUT:-$BENCH_DIR/out}
STRICT=${BENCH_STRICT:-0}
SLOW_RUN_SECONDS=30

SMTP_SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
SMTP_SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)
missing=()
[[ -x $SMTP_SINK ]] || missing+=("smtp-sink (Debian package: postfix)")
[[ -x $SMTP_SOURCE ]] || missing+=("smtp-source (Debian package: postfix)")
command -v python3 > /dev/null || missing+=("python3")
if ((${#missing[@]})); then
    echo "bench: missing: ${missing[*]}" >&2
    echo "bench: run \`make deps\` (apt-get install postfix python3) and try again" >&2
    exit 2
fi
if [[ ! -x $NOTIFIER ]]; then
    echo "bench: no notifier binary at $1: build it first (\`make bench\` runs swift build -c release)" >&2
    exit 2
fi

mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/notices.XXXXXX")
SINK_PID=""
cleanup() {
    if [[ -n $SINK_PID ]]; then
        kill "$SINK_PID" 2> /dev/null || true
        wait "$SINK_PID" 2> /dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
failures=0

FISCAL_YEAR=2027
FROM="JKK東京 電子入札システム <nyusatsu@to-kousya.example>"
SENDER=nyusatsu@to-kousya.example
URL_BASE=https://bid.to-kousya.example/cert/download
# An empty configuration file: a user's ~/.config/notifier/config (smtp_tls = required, a login, ...) must not
# change what is measured.
CONFIG=$WORK/empty.conf
: > "$CONFIG"

# ---- data: the registry, imported once; the message for the peers --------------------------------------------
python3 "$BENCH_DIR/notices_gen.py" "$WORK/vendors.csv" "$N"
"$NOTIFIER" --config "$CONFIG" --db "$WORK/base/notifier.db" vendors import "$WORK/vendors.csv" > "$WORK/import.out"
IFS=, read -r first_code first_name first_email _ < <(sed -n 2p "$WORK/vendors.csv")
# The notice the batch sender would write for the first vendor (a token of the same 22 characters in its URL).
MESSAGE=$WORK/notice.eml
"$NOTIFIER" --config "$CONFIG" compose update_notice --from "$FROM" --to "$first_email" \
    --var "vendor_name=$first_name" --var "vendor_code=$first_code" --var "url=$URL_BASE?t=AbCdEfGhIjKlMnOpQrStUv" \
    --var valid_from=$FISCAL_YEAR-04-01 --var valid_until=$((FISCAL_YEAR + 1))-03-31 > "$MESSAGE"
MESSAGE_BYTES=$(wc -c < "$MESSAGE")

# ---- the server: smtp-sink on a free port of 127.0.0.1, stopped by PID on exit ---------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sink_user=()
if [[ $(id -u) -eq 0 ]]; then sink_user=(-u nobody); fi # smtp-sink refuses to run as root without -u
# Up to 64 sessions at once (notifier's most), a listen backlog of 256; no STARTTLS (not offered), so plain SMTP.
"$SMTP_SINK" "${sink_user[@]}" -m 64 "127.0.0.1:$PORT" 256 > "$WORK/sink.log" 2>&1 &
SINK_PID=$!
if ! python3 - "$PORT" << 'EOF'; then
import socket, sys, time
deadline = time.monotonic() + 5
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.05)
EOF
    echo "bench: smtp-sink did not start on 127.0.0.1:$PORT:" >&2
    cat "$WORK/sink.log" >&2
    exit 1
fi

# ---- measuring --------------------------------------------------------------------------------------------------
# timed OUTPUT COMMAND...: runs COMMAND with stdout to OUTPUT; sets `seconds` (nanosecond clock) and `status`.
timed() {
    local output=$1 start end
    shift
    start=$(date +%s%N)
    if "$@" > "$output" 2> "$WORK/stderr"; then status=0; else status=$?; fi
    end=$(date +%s%N)
    seconds=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')
    if ((status != 0)); then
        echo "bench: $* exited with status $status; its stderr ends with:" >&2
        tail -n 5 "$WORK/stderr" >&2
    fi
}

# Per peer: the best seconds, the worst status, whether it is still to be repeated, a note.
declare -A best worst again note
PEERS=()
peer() { # peer KEY
    PEERS+=("$1")
    best[$1]=""
    worst[$1]=0
    again[$1]=1
    note[$1]=""
}
keep() { # keep KEY: after a run, folds `seconds` and `status` into the peer's record; sets `fastest` when it is best
    local key=$1
    fastest=0
    if [[ -z ${best[$key]} ]] || awk -v a="$seconds" -v b="${best[$key]}" 'BEGIN { exit !(a < b) }'; then
        best[$key]=$seconds
        fastest=1
    fi
    if [[ $status -gt ${worst[$key]} ]]; then worst[$key]=$status; fi
    if awk -v a="$seconds" -v b="$SLOW_RUN_SECONDS" 'BEGIN { exit !(a > b) }'; then
        again[$key]=0
        note[$key]="(not repeated: a run took over $SLOW_RUN_SECONDS s)"
    fi
}

run_notifier() { # run_notifier CONNECTIONS
    local connections=$1 key="notifier-$1" sent
    rm -rf "$WORK/run"
    cp -a "$WORK/base" "$WORK/run"
    timed "$WORK/notifier.out" "$NOTIFIER" --config "$CONFIG" --db "$WORK/run/notifier.db" notices send \
        --fiscal-year "$FISCAL_YEAR" --force --download-url-base "$URL_BASE" --from "$FROM" \
        --smtp "smtp://127.0.0.1:$PORT" --connections "$connections"
    keep "$key"
    # Every notice must be recorded as sent, and the summary must say so.
    sent=$("$NOTIFIER" --config "$CONFIG" --db "$WORK/run/notifier.db" notices status --fiscal-year "$FISCAL_YEAR" \
        --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["sent"])') || sent=-1
    if [[ $sent -ne $N ]] || ! grep -q "^fiscal year $FISCAL_YEAR: $N sent, 0 deferred, 0 failed" "$WORK/notifier.out"; then
        echo "bench: FAIL: notices send --connections $connections: $sent of $N notices sent; it said:" >&2
        head -n 3 "$WORK/notifier.out" >&2
        if [[ ${worst[$key]} -eq 0 ]]; then worst[$key]=1; fi # counted as a failure below
    fi
    rm -rf "$WORK/run"
}

run_source() { # run_source CONNECTIONS
    timed /dev/null "$SMTP_SOURCE" -d -s "$1" -m "$N" -F "$MESSAGE" -f "$SENDER" -t "$first_email" "127.0.0.1:$PORT"
    keep "smtp-source-$1"
}

run_smtplib() {
    timed "$WORK/smtplib.out" python3 "$BENCH_DIR/notices_smtplib.py" 127.0.0.1 "$PORT" "$MESSAGE" "$N"
    keep smtplib
    if ((fastest)); then
        note[smtplib]="(its sending loop alone: $(sed -n 's/.*: \([0-9]*\) msg\/s.*/\1/p' "$WORK/smtplib.out") msg/s)"
    fi
}

peer smtp-source-1
peer notifier-1
peer smtplib
peer smtp-source-4
peer notifier-4

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== notifier notices send bench: $(nproc) cores, load average $load before the run"
echo "$N vendors (bench/notices_gen.py, seeded), one notice each: $MESSAGE_BYTES bytes (UTF-8 base64, as" \
    "\`notifier compose update_notice\` writes it); Postfix smtp-sink on 127.0.0.1:$PORT; best of $REPEAT rounds"
echo "peers: Postfix $(dpkg-query -W -f '${Version}' postfix 2> /dev/null || echo '?') smtp-source, $(python3 --version) smtplib"
echo

for ((round = 0; round < REPEAT; round++)); do
    if [[ ${again[smtp-source-1]} == 1 ]]; then run_source 1; fi
    if [[ ${again[notifier-1]} == 1 ]]; then run_notifier 1; fi
    if [[ ${again[smtplib]} == 1 ]]; then run_smtplib; fi
    if [[ ${again[smtp-source-4]} == 1 ]]; then run_source 4; fi
    if [[ ${again[notifier-4]} == 1 ]]; then run_notifier 4; fi
done

RESULTS=$WORK/notices.tsv
label() {
    case $1 in
        smtp-source-*) echo "smtp-source -d (ceiling)" ;;
        notifier-*) echo "notifier notices send" ;;
        smtplib) echo "python smtplib (pre-built messages)" ;;
    esac
}
for key in "${PEERS[@]}"; do
    connections=${key##*-}
    [[ $key == smtplib ]] && connections=1
    printf '%s\t%s\t%s\t%s\t%s\n' "$(label "$key")" "$connections" "${best[$key]}" "${worst[$key]}" "${note[$key]}" \
        >> "$RESULTS"
    if [[ ${worst[$key]} -ne 0 ]]; then
        echo "bench: FAIL: $(label "$key") (connections: $connections) failed (worst exit status ${worst[$key]})" >&2
        failures=$((failures + 1))
    fi
done

echo "== notices send: $N notices of $MESSAGE_BYTES bytes to smtp-sink"
python3 "$BENCH_DIR/notices_report.py" "$RESULTS" "$N" || failures=$((failures + STRICT))
echo "reference (issue, this machine, ~3 KB messages): smtp-source ~3,700 msg/s on 1 connection and ~17,000 on 4;" \
    "python smtplib ~2,900 on 1; a mail command run once per vendor (msmtp) ~20"

# ---- beside other commands: the send alone, then with 4 loops of `notices status` and `otp verify` on the same
# database (a portal and an operator at work during the batch), alternating, best of BENCH_NOTICES_REPEAT each.
# Goal: throughput beside the loops at least 0.7 of alone, and PRAGMA integrity_check ok after every run.
# `notices send` as an operator runs it: its default of one connection.
BESIDE_CONNECTIONS=1
# Each loop pauses BESIDE_PAUSE seconds between rounds (default 0.2: together about 25 commands a second, far more
# than a portal and an operator make). Unpaced, four loops of process starts take both cores of a 2-core machine by
# themselves, and the figure would measure the CPU they take, not how the processes share the database.
BESIDE_PAUSE=${BENCH_BESIDE_PAUSE:-0.2}
beside_loops() { # beside_loops DB STOPFILE MODE: four loops until STOPFILE exists; counts rounds in $WORK/rounds
    local db=$1 stop=$2 mode=$3 i
    : > "$WORK/rounds"
    for ((i = 0; i < 4; i++)); do
        (
            while [[ ! -e $stop ]]; do
                if [[ $mode == beside ]]; then
                    "$NOTIFIER" --config "$CONFIG" --db "$db" notices status --fiscal-year "$FISCAL_YEAR" > /dev/null 2>&1 || true
                    echo ABCDEFGH | "$NOTIFIER" --config "$CONFIG" --db "$db" otp verify --vendor "$first_code" > /dev/null 2>&1 || true
                else
                    # The control: the same process starts, without a database.
                    "$NOTIFIER" --version > /dev/null 2>&1 || true
                    "$NOTIFIER" --version > /dev/null 2>&1 || true
                fi
                echo >> "$WORK/rounds"
                sleep "$BESIDE_PAUSE"
            done
        ) &
        LOOP_PIDS+=($!)
    done
}
run_beside() { # run_beside alone|beside|control: sets `seconds`, `status`, `integrity`
    local mode=$1
    rm -rf "$WORK/run" "$WORK/stop"
    cp -a "$WORK/base" "$WORK/run"
    LOOP_PIDS=()
    if [[ $mode != alone ]]; then beside_loops "$WORK/run/notifier.db" "$WORK/stop" "$mode"; fi
    timed "$WORK/notifier.out" "$NOTIFIER" --config "$CONFIG" --db "$WORK/run/notifier.db" notices send \
        --fiscal-year "$FISCAL_YEAR" --force --download-url-base "$URL_BASE" --from "$FROM" \
        --smtp "smtp://127.0.0.1:$PORT" --connections "$BESIDE_CONNECTIONS"
    touch "$WORK/stop"
    if ((${#LOOP_PIDS[@]})); then wait "${LOOP_PIDS[@]}" || true; fi
    integrity=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' \
        "$WORK/run/notifier.db" 2>&1) || integrity="unreadable"
    if ! grep -q "^fiscal year $FISCAL_YEAR: $N sent, 0 deferred, 0 failed" "$WORK/notifier.out"; then status=1; fi
    rm -rf "$WORK/run"
}
declare -A beside_best
beside_ok=1
for ((round = 0; round < REPEAT; round++)); do
    for mode in alone beside control; do
        run_beside "$mode"
        if [[ $status -ne 0 || $integrity != ok ]]; then
            echo "bench: FAIL: notices send ($mode): exit status $status, integrity_check: $integrity" >&2
            beside_ok=0
        fi
        if [[ -z ${beside_best[$mode]:-} ]] || awk -v a="$seconds" -v b="${beside_best[$mode]}" 'BEGIN { exit !(a < b) }'; then
            beside_best[$mode]=$seconds
            if [[ $mode == beside ]]; then beside_commands=$(($(wc -l < "$WORK/rounds") * 2)); fi
        fi
    done
done
echo
echo "== notices send beside other commands: $N notices, $BESIDE_CONNECTIONS connection, best of $REPEAT rounds"
awk -v n="$N" -v a="${beside_best[alone]}" -v b="${beside_best[beside]}" -v c="$beside_commands" \
    -v k="${beside_best[control]}" 'BEGIN {
    printf "%-62s %8.3f s %8.0f msg/s\n", "notices send alone", a, n / a
    printf "%-62s %8.3f s %8.0f msg/s\n", "notices send beside 4 loops of notices status + otp verify", b, n / b
    printf "(the loops ran %d commands beside the best run, %.0f a second)\n", c, c / b
    printf "%-62s %8.3f s %8.0f msg/s\n", "control: beside 4 loops of notifier --version (no database)", k, n / k
    printf "ratio beside / alone: %.2f; control / alone: %.2f (what the process starts alone cost)\n", a / b, a / k
}'
if awk -v a="${beside_best[alone]}" -v b="${beside_best[beside]}" 'BEGIN { exit !(a / b >= 0.7) }'; then
    echo "goal: throughput beside the loops >= 0.7 of alone ... MET"
else
    echo "goal: throughput beside the loops >= 0.7 of alone ... NOT MET"
    failures=$((failures + STRICT))
fi
if ((beside_ok)); then
    echo "integrity_check after every run: ok"
else
    echo "integrity_check after every run: FAILED"
    failures=$((failures + 1))
fi

if ((failures)); then
    echo "bench: notices: $failures check(s) failed"
    exit 1
fi
