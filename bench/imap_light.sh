#!/usr/bin/env bash
# Light-watcher bench: what `notifier watch --imap` costs a real mailbox, on the test Dovecot (Tests/Servers), beside
# fetchmail in the same run, on the same mailbox, through the same counting proxy.
#
# Usage: bench/imap_light.sh PATH/TO/notifier      (bench/run.sh calls it as its last section; it also runs alone)
#
# It starts the test servers (Tests/Servers/start.sh; stopped on exit), fills the test user's INBOX through
# Dovecot's delivery agent with 200 ordinary messages of about 200 KB (bench/imap_light_gen.py: seeded, a base64
# attachment each, varied senders, dates in the last four months) and two trusted update notices from the corpus
# (p01 and p11) in the middle of the UID order, and puts bench/imap_tap.py, a proxy that counts bytes and the
# client's commands, in front of Dovecot's clear-text IMAP port (it hides STARTTLS, so that the commands can be
# read; Dovecot allows a login in clear from 127.0.0.1). Then it measures, each client through a tap of its own:
#   first pass   bytes from the server for `notifier watch --imap URL --once` on a fresh database (which must then
#                list the 2 notices' URLs in `notifier urls --json`), as a share of the mailbox (the messages'
#                sizes with CRLF line ends, what IMAP sends); the peer: `fetchmail --keep --all` (an MDA that
#                discards), which downloads every message;
#   quiet window `notifier watch --imap URL` (IDLE, the default) and `fetchmail --idle --keep`, side by side: once
#                each has sent IDLE, 5 s more, then the tap's counters are reset and every command each client sends
#                in BENCH_QUIET_SECONDS (default 600) is counted; then both are stopped (SIGTERM).
# Goals (issue 14): notifier's first pass at most 5% of the mailbox; at most 2 commands in 10 quiet minutes.
#
# Environment: BENCH_QUIET_SECONDS (default 600; shorter for a trial run), BENCH_IMAP_N (ordinary messages, default
# 200), BENCH_OUT (default bench/out), BENCH_STRICT=1 (exit 1 when a goal is not met; without it only a failed run
# fails: a client that exits or never reaches IDLE, notices not found, a peer that fails). Needs root (the test
# servers), the Debian packages of Tests/Servers, fetchmail and python3: `make deps` installs them.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: bench/imap_light.sh PATH/TO/notifier" >&2
    exit 2
fi
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
NOTIFIER=$(realpath -m "$1")
QUIET=${BENCH_QUIET_SECONDS:-600}
N=${BENCH_IMAP_N:-200}
OUT=${BENCH_OUT:-$BENCH_DIR/out}
STRICT=${BENCH_STRICT:-0}
IDLE_WAIT=60     # seconds a client may take to reach IDLE
SETTLE=5         # seconds after IDLE before the quiet window starts
if [[ -d $REPO/../shared/corpus ]]; then
    CORPUS=$(cd "$REPO/../shared/corpus" && pwd)
else
    CORPUS=$REPO/Tests/MailParseTests/Fixtures/corpus
fi
NOTICES=("$CORPUS/p01_update_utf8_base64.eml" "$CORPUS/p11_update_utf8_base64_2.eml")

missing=()
command -v fetchmail > /dev/null || missing+=("fetchmail (Debian package: fetchmail)")
command -v python3 > /dev/null || missing+=("python3")
if ((${#missing[@]})); then
    echo "bench: missing: ${missing[*]}" >&2
    echo "bench: run \`make deps\` (apt-get install fetchmail python3) and try again" >&2
    exit 2
fi
if [[ ! -x $NOTIFIER ]]; then
    echo "bench: no notifier binary at $1: build it first (\`make bench\` runs swift build -c release)" >&2
    exit 2
fi
if ! [[ $QUIET =~ ^[0-9]+$ && $QUIET -ge 1 && $N =~ ^[0-9]+$ && $N -ge 2 ]]; then
    echo "bench: BENCH_QUIET_SECONDS takes seconds (at least 1), BENCH_IMAP_N a count (at least 2)" >&2
    exit 2
fi
for notice in "${NOTICES[@]}"; do
    [[ -r $notice ]] || { echo "bench: cannot read the notice $notice" >&2; exit 2; }
done

mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/imap-light.XXXXXX")
SERVERS=$(mktemp -d) # start.sh wants a short path every user can reach
PIDS=()              # the taps and clients started here, stopped on exit
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2> /dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2> /dev/null || true
    done
    "$REPO/Tests/Servers/stop.sh" "$SERVERS" > /dev/null || true
    rm -rf "$WORK" "$SERVERS"
}
trap cleanup EXIT
failures=0
fail() {
    echo "bench: FAIL: $*" >&2
    failures=$((failures + 1))
}

# ---- the servers and the mailbox --------------------------------------------------------------------------------
if ! "$REPO/Tests/Servers/start.sh" "$SERVERS" > "$WORK/start.log" 2>&1; then
    cat "$WORK/start.log" >&2
    echo "bench: the test servers did not start" >&2
    exit 1
fi
IMAP_PORT=$(sed -n 's/^IMAP_PORT=//p' "$SERVERS/servers.env")
IMAP_USER=$(sed -n 's/^IMAP_USER=//p' "$SERVERS/servers.env")
IMAP_PASSWORD=$(sed -n 's/^IMAP_PASSWORD=//p' "$SERVERS/servers.env")

places=$(python3 "$BENCH_DIR/imap_light_gen.py" "$WORK/mailbox" "$N" "${NOTICES[@]}")
MESSAGES=("$WORK/mailbox"/*.eml)
for message in "${MESSAGES[@]}"; do
    "$REPO/Tests/Servers/deliver.sh" "$SERVERS" "$message"
done
MAILBOX_BYTES=$(cat "${MESSAGES[@]}" | wc -c)

# ---- the taps: one per client, in front of Dovecot's clear-text port ----------------------------------------------
start_tap() { # start_tap NAME: starts bench/imap_tap.py, sets TAP_PID and TAP_PORT
    python3 "$BENCH_DIR/imap_tap.py" "$IMAP_PORT" "$WORK/$1.json" > "$WORK/$1.port" 2> "$WORK/$1.stderr" &
    TAP_PID=$!
    PIDS+=("$TAP_PID")
    local i
    for ((i = 0; i < 100; i++)); do
        TAP_PORT=$(head -n 1 "$WORK/$1.port")
        [[ -n $TAP_PORT ]] && return 0
        sleep 0.1
    done
    cat "$WORK/$1.stderr" >&2
    echo "bench: the IMAP tap $1 did not start" >&2
    exit 1
}
resets=0
reset_taps() { # reset_taps: zeroes both taps' counters and waits until both say so
    resets=$((resets + 1))
    kill -USR1 "$OURS_TAP" "$PEER_TAP"
    local tap
    for tap in ours peer; do
        python3 "$BENCH_DIR/imap_light_report.py" wait-reset "$WORK/$tap.json" "$resets" 10 || {
            echo "bench: the IMAP tap $tap did not reset its counters" >&2
            exit 1
        }
    done
}
snapshot() { # snapshot TAP NAME: a copy of the tap's counters once they have settled (written every 0.2 s)
    sleep 0.5
    cp "$WORK/$1.json" "$WORK/$2.json"
}
start_tap ours
OURS_TAP=$TAP_PID OURS_PORT=$TAP_PORT
start_tap peer
PEER_TAP=$TAP_PID PEER_PORT=$TAP_PORT

# ---- the clients ------------------------------------------------------------------------------------------------
# notifier: an empty configuration file, so that a user's own (a trust policy, imap_tls = required) changes nothing;
# the password in its environment only.
CONFIG=$WORK/empty.conf
: > "$CONFIG"
notifier_watch() { # notifier_watch ARGS...: `notifier watch` through our tap, on the bench's database
    NOTIFIER_IMAP_PASSWORD=$IMAP_PASSWORD "$NOTIFIER" --config "$CONFIG" --db "$WORK/notifier.sqlite3" watch \
        --imap "imap://127.0.0.1:$OURS_PORT/INBOX" --imap-user "$IMAP_USER" "$@"
}
# fetchmail: the password in a run-control file of mode 0600 (never argv), its state under FETCHMAILHOME; sslproto ''
# because the tap hides STARTTLS (fetchmail would otherwise insist on TLS).
FETCHMAIL_HOME=$WORK/fetchmail
mkdir -m 700 "$FETCHMAIL_HOME"
(
    umask 077
    cat > "$FETCHMAIL_HOME/fetchmailrc" << EOF
set no syslog
poll 127.0.0.1 service $PEER_PORT protocol IMAP auth password
    user "$IMAP_USER" password "$IMAP_PASSWORD" is root here
    folder INBOX
    sslproto ''
EOF
)
fetchmail_run() { # fetchmail_run ARGS...: fetchmail through the peer's tap, every message to an MDA that discards it
    FETCHMAILHOME=$FETCHMAIL_HOME fetchmail -f "$FETCHMAIL_HOME/fetchmailrc" --nodetach --mda "cat >/dev/null" "$@"
}
FETCHMAIL_VERSION=$(dpkg-query -W -f '${Version}' fetchmail 2> /dev/null || fetchmail --version 2> /dev/null |
    sed -n 's/.*release \([^+ ]*\).*/\1/p')
PEER_LABEL="fetchmail $FETCHMAIL_VERSION --keep --all / --idle"

# ---- 1. first pass ----------------------------------------------------------------------------------------------
reset_taps
status=0
notifier_watch --once > "$WORK/notifier-once.out" 2> "$WORK/notifier-once.err" || status=$?
if ((status != 0)); then
    tail -n 5 "$WORK/notifier-once.err" >&2
    fail "notifier watch --imap --once exited with status $status"
fi
snapshot ours ours-first
urls=$("$NOTIFIER" --config "$CONFIG" --db "$WORK/notifier.sqlite3" urls --json | wc -l)
if ((urls != ${#NOTICES[@]})); then
    fail "after the first pass notifier urls --json lists $urls URLs, not ${#NOTICES[@]}"
fi
if ! fetchmail_run --keep --all > "$WORK/fetchmail-all.out" 2>&1; then
    tail -n 5 "$WORK/fetchmail-all.out" >&2
    fail "fetchmail --keep --all failed"
fi
snapshot peer peer-first

# ---- 2. the quiet window, both clients side by side -------------------------------------------------------------
reset_taps
notifier_watch > "$WORK/notifier-idle.out" 2> "$WORK/notifier-idle.err" &
OURS_CLIENT=$!
PIDS+=("$OURS_CLIENT")
# Without --all fetchmail asks only for unseen messages: its first pass marked every one seen, so it goes to IDLE.
fetchmail_run --keep --idle > "$WORK/fetchmail-idle.out" 2>&1 &
PEER_CLIENT=$!
PIDS+=("$PEER_CLIENT")
python3 "$BENCH_DIR/imap_light_report.py" wait "$WORK/ours.json" IDLE "$IDLE_WAIT" ||
    fail "notifier watch --imap sent no IDLE within $IDLE_WAIT s"
python3 "$BENCH_DIR/imap_light_report.py" wait "$WORK/peer.json" IDLE "$IDLE_WAIT" ||
    fail "fetchmail --idle sent no IDLE within $IDLE_WAIT s"
sleep "$SETTLE"
reset_taps
sleep "$QUIET"
snapshot ours ours-quiet
snapshot peer peer-quiet
# A client that died in the window sent nothing: that is a failure, not a quiet client.
kill -0 "$OURS_CLIENT" 2> /dev/null || fail "notifier watch --imap exited during the quiet window"
kill -0 "$PEER_CLIENT" 2> /dev/null || fail "fetchmail --idle exited during the quiet window"
kill -TERM "$OURS_CLIENT" "$PEER_CLIENT" 2> /dev/null || true
status=0
wait "$OURS_CLIENT" || status=$?
if ((status != 0 && status != 143)); then
    tail -n 5 "$WORK/notifier-idle.err" >&2
    fail "notifier watch --imap exited with status $status"
fi
wait "$PEER_CLIENT" || true # fetchmail ends with its own status on SIGTERM

# ---- report -----------------------------------------------------------------------------------------------------
echo "== light watcher: IMAP on Dovecot (127.0.0.1), $N messages of ~200 KB + ${#NOTICES[@]} notices at UIDs" \
    "${places// /, } ($(awk -v b="$MAILBOX_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB); bytes and commands" \
    "counted by bench/imap_tap.py"
python3 "$BENCH_DIR/imap_light_report.py" report "$MAILBOX_BYTES" "$QUIET" "$PEER_LABEL" \
    "$WORK/ours-first.json" "$WORK/ours-quiet.json" "$WORK/peer-first.json" "$WORK/peer-quiet.json" ||
    failures=$((failures + STRICT))
echo "notifier found $urls of ${#NOTICES[@]} notices (notifier urls --json)"

if ((failures)); then
    echo "bench: imap light: $failures check(s) failed"
    exit 1
fi
