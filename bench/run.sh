#!/usr/bin/env bash
# Throughput and robustness bench for notifier's mail parser.
#
# Usage: bench/run.sh PATH/TO/notifier      (`make bench` builds with `swift build -c release --static-swift-stdlib` and calls this)
#
# In one run, on one generated corpus (bench/gen_corpus.py: 10,000 Japanese mails, about 30 MB), it times side by
# side what bounds notifier from above and what it is measured against:
#   cat      reading the files alone: the I/O ceiling (page cache warm, as for every peer);
#   notifier `notifier parse --json FILE...`, one process for all files, output checked against expected.jsonl;
#   python   bench/python_peer.py: the standard library's email package, same loop shape;
#   mshow    mblaze's renderer (C), every body of every file.
# and reports wall seconds, MB/s, messages/s and peak RSS (GNU time's %M), then the goals: notifier ahead of mshow,
# and at least 10x Python. Then it shows that notifier's memory is flat in the number of messages (1,000 files vs
# all), and runs notifier on each hostile input of bench/gen_hostile.py: time, peak RSS, one JSON record out.
# Then the bounce reader's hit rate on ../shared/corpus/bounces beside flufl.bounce's (bench/bounces.sh), the batch
# sender's throughput (bench/notices.sh), the OTP relay latency (bench/relay_latency.py), and last the light watcher
# (bench/imap_light.sh): on the test Dovecot with 200 messages of 200 KB and 2 notices, the bytes `watch --imap`
# downloads on its first pass and the commands it sends in 10 quiet minutes of IDLE, beside fetchmail's.
#
# Environment: BENCH_N (messages, default 10000), BENCH_SMALL_N (default 1000), BENCH_REPEAT (runs per peer, the
# fastest counts; default 3), BENCH_OUT (default bench/out), BENCH_STRICT=1 (exit 1 when a goal is not met or a
# record is wrong; without it only a crash, a missing record or a failed hostile input fails the run),
# BENCH_QUIET_SECONDS (the light watcher's quiet window, default 600).
# Needs the Debian packages `time` (/usr/bin/time), `mblaze` (mshow) and `fetchmail`, and python3: `make deps`
# installs them.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: bench/run.sh PATH/TO/notifier" >&2
    exit 2
fi
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NOTIFIER=$(realpath -m "$1")
N=${BENCH_N:-10000}
SMALL_N=${BENCH_SMALL_N:-1000}
REPEAT=${BENCH_REPEAT:-3}
OUT=${BENCH_OUT:-$BENCH_DIR/out}
STRICT=${BENCH_STRICT:-0}

# ---- dependencies: fail loudly, never skip a peer ---------------------------------------------------------------
missing=()
[[ -x /usr/bin/time ]] || missing+=("/usr/bin/time (Debian package: time)")
command -v mshow > /dev/null || missing+=("mshow (Debian package: mblaze)")
command -v python3 > /dev/null || missing+=("python3")
if ((${#missing[@]})); then
    echo "bench: missing: ${missing[*]}" >&2
    echo "bench: run \`make deps\` (apt-get install time mblaze) and try again" >&2
    exit 2
fi
if [[ ! -x $NOTIFIER ]]; then
    echo "bench: no notifier binary at $1: build it first (\`make bench\` runs swift build -c release)" >&2
    exit 2
fi

mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failures=0

# ---- data -------------------------------------------------------------------------------------------------------
# Generation is deterministic, so a corpus made by the same generator for the same N is reused (it takes ~20 s).
generate() { # generate SCRIPT DIR STAMP ARGS...
    local script=$1 dir=$2 stamp=$3
    shift 3
    if [[ ! -f $dir/.stamp || $(cat "$dir/.stamp") != "$stamp" ]]; then
        rm -rf "$dir"
        python3 "$BENCH_DIR/$script" "$dir" "$@"
        echo "$stamp" > "$dir/.stamp"
    fi
}
CORPUS=$OUT/corpus-$N
HOSTILE=$OUT/hostile
generate gen_corpus.py "$CORPUS" "$N $(sha256sum < "$BENCH_DIR/gen_corpus.py")" "$N"
generate gen_hostile.py "$HOSTILE" "$(sha256sum < "$BENCH_DIR/gen_hostile.py")"

FILES=("$CORPUS"/m*.eml)
SMALL_FILES=("${FILES[@]:0:SMALL_N}")
if ((${#FILES[@]} != N)); then
    echo "bench: expected $N files in $CORPUS, found ${#FILES[@]}" >&2
    exit 1
fi
BYTES=$(cat "${FILES[@]}" | wc -c) # this read also warms the page cache for every peer alike
SMALL_BYTES=$(cat "${SMALL_FILES[@]}" | wc -c)

# ---- measuring --------------------------------------------------------------------------------------------------
# measure RESULTS LABEL OUTPUT REPEAT BYTES NOTE -- COMMAND...
# Runs COMMAND REPEAT times with stdout to OUTPUT, and appends to RESULTS: label, the fastest wall time (from the
# nanosecond clock: GNU time's %e has only 10 ms steps), the largest peak RSS in KiB (GNU time's %M), the worst exit
# status, BYTES and NOTE.
measure() {
    local results=$1 label=$2 output=$3 repeat=$4 bytes=$5 note=$6
    shift 6
    if [[ $1 == -- ]]; then shift; fi
    local best="" rss_max=0 status_max=0 i start end seconds rss status
    for ((i = 0; i < repeat; i++)); do
        start=$(date +%s%N)
        if /usr/bin/time -f '%M' -o "$WORK/time" "$@" > "$output" 2> "$WORK/stderr"; then
            status=0
        else
            status=$?
        fi
        end=$(date +%s%N)
        seconds=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')
        rss=$(tail -n 1 "$WORK/time")
        if [[ -z $best ]] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$seconds; fi
        if ((rss > rss_max)); then rss_max=$rss; fi
        if ((status > status_max)); then status_max=$status; fi
        if ((status != 0)); then
            echo "bench: $label exited with status $status; its stderr ends with:" >&2
            tail -n 5 "$WORK/stderr" >&2
        fi
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$best" "$rss_max" "$status_max" "$bytes" "$note" >> "$results"
}

echo "== notifier parse bench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "corpus: $N messages, $(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB in $CORPUS" \
    "(seeded, made by bench/gen_corpus.py); best of $REPEAT runs, page cache warm"
echo "peers: $(python3 --version), mblaze $(dpkg-query -W -f '${Version}' mblaze 2> /dev/null || echo '?')"
echo

# ---- 1. throughput peers on the same files ----------------------------------------------------------------------
PEERS=$WORK/peers.tsv
NOTIFIER_OUT=$OUT/notifier-$N.jsonl
measure "$PEERS" "cat (read only: I/O ceiling)" /dev/null "$REPEAT" "" "" -- cat "${FILES[@]}"
measure "$PEERS" "notifier parse --json" "$NOTIFIER_OUT" "$REPEAT" "" "" -- "$NOTIFIER" parse --json "${FILES[@]}"
# The same on one core (--jobs 1), so that the comparison with the single-threaded peers is plain too.
measure "$PEERS" "notifier parse --json --jobs 1" /dev/null "$REPEAT" "" "" -- \
    "$NOTIFIER" parse --json --jobs 1 "${FILES[@]}"
measure "$PEERS" "python email (policy.default)" "$WORK/python.out" "$REPEAT" "" "" -- \
    python3 "$BENCH_DIR/python_peer.py" "${FILES[@]}"
# mshow: -n leaves mblaze's current-message link alone; MBLAZE points away from any user profile (filters, seq),
# the pager and colouring are off, so it renders every message to the pipe as plain text.
measure "$PEERS" "mshow -n (mblaze)" /dev/null "$REPEAT" "" "" -- \
    env MBLAZE=/nonexistent MBLAZE_PAGER=cat MBLAZE_NOCOLOR=1 mshow -n "${FILES[@]}"

echo "== throughput: $N messages, one process each"
python3 "$BENCH_DIR/report.py" peers "$PEERS" "$BYTES" "$N" || failures=$((failures + STRICT))
echo

# Every peer must have run to the end, and notifier must have written one record per file.
while IFS=$'\t' read -r label _ _ status _; do
    if ((status != 0)); then
        echo "bench: FAIL: $label exited with status $status" >&2
        failures=$((failures + 1))
    fi
done < "$PEERS"
records=$(wc -l < "$NOTIFIER_OUT")
python_lines=$(wc -l < "$WORK/python.out")
echo "records: notifier wrote $records lines for $N files; python $python_lines"
if ((records != N)); then
    echo "bench: FAIL: notifier wrote $records records for $N files" >&2
    failures=$((failures + 1))
fi
python3 "$BENCH_DIR/report.py" verify "$CORPUS/expected.jsonl" "$NOTIFIER_OUT" || failures=$((failures + STRICT))
echo

# ---- 2. memory flat in the number of messages -------------------------------------------------------------------
MEMORY=$WORK/memory.tsv
measure "$MEMORY" "small" /dev/null 1 "$SMALL_BYTES" "$SMALL_N" -- "$NOTIFIER" parse --json "${SMALL_FILES[@]}"
measure "$MEMORY" "all" /dev/null 1 "$BYTES" "$N" -- "$NOTIFIER" parse --json "${FILES[@]}"
echo "== memory: peak RSS of one process by number of messages"
python3 "$BENCH_DIR/report.py" memory "$MEMORY" || failures=$((failures + STRICT))
echo

# ---- 3. hostile inputs ------------------------------------------------------------------------------------------
# Each alone, once, under a time limit: a hang is a failure, not a stuck bench.
HOSTILE_RESULTS=$WORK/hostile.tsv
# The fixed cost first: one ordinary message, for the RSS that is not due to the input.
for file in "${FILES[0]}" "$HOSTILE"/h*.eml; do
    name=$(basename "$file")
    if [[ $file == "${FILES[0]}" ]]; then name="(baseline: one corpus message)"; fi
    measure "$WORK/one.tsv" "$name" "$WORK/hostile.out" 1 "" "" -- \
        timeout 120 "$NOTIFIER" parse --json "$file"
    if note=$(python3 "$BENCH_DIR/report.py" one-record "$WORK/hostile.out"); then
        note="ok: $note"
    else
        note="FAIL: $note"
    fi
    IFS=$'\t' read -r label seconds rss status _ < <(tail -n 1 "$WORK/one.tsv")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$seconds" "$rss" "$status" "$(wc -c < "$file")" "$note" \
        >> "$HOSTILE_RESULTS"
done
echo "== hostile inputs: notifier parse --json FILE, one at a time (timeout 120 s)"
python3 "$BENCH_DIR/report.py" hostile "$HOSTILE_RESULTS" || failures=$((failures + 1))
echo

# ---- 4. bounces: the bounce reader's hit rate beside flufl.bounce's (bench/bounces.sh) -----------------------------
bash "$BENCH_DIR/bounces.sh" "$NOTIFIER" || failures=$((failures + 1))
echo

# ---- 4b. notices send throughput (bench/notices.sh: smtp-sink, smtp-source, Python smtplib) ----------------------
bash "$BENCH_DIR/notices.sh" "$NOTIFIER" || failures=$((failures + 1))
echo

# ---- 5. OTP relay latency: IMAP IDLE against polling, real Dovecot and SMTP servers on 127.0.0.1 ---------------
"$BENCH_DIR/../Tests/Servers/with-servers.sh" sh -c 'python3 "$0" "$1" "$SERVERS_DIR" 100' \
    "$BENCH_DIR/relay_latency.py" "$NOTIFIER" || failures=$((failures + 1))
echo

# ---- 6. the light watcher: first-pass bytes and quiet-window commands beside fetchmail (bench/imap_light.sh) -----
bash "$BENCH_DIR/imap_light.sh" "$NOTIFIER" || failures=$((failures + 1))
echo

if ((failures)); then
    echo "bench: $failures check(s) failed"
    exit 1
fi
echo "bench: done"
