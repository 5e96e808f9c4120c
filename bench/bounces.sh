#!/usr/bin/env bash
# Bounce reader bench: notifier's hit rate on the real bounces beside flufl.bounce's (GNU Mailman's detectors).
#
# Usage: bench/bounces.sh PATH/TO/notifier [BOUNCE_DIR]
#
# BOUNCE_DIR defaults to ../shared/corpus/bounces beside the repository, else the test fixtures' copy
# (Tests/MailParseTests/Fixtures/bounces). flufl.bounce runs from a virtual environment under $BENCH_OUT
# (default bench/out/bounces-venv), made with `python3 -m venv` and `pip install flufl.bounce` the first time
# (the only step that needs the network); later runs reuse it. The product never depends on Python.
# Prints both hit rates and, where flufl.bounce finds a recipient, whether notifier finds the same
# (bench/bounces_report.py); exits 1 when notifier is below 97% or finds a different recipient.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: bench/bounces.sh PATH/TO/notifier [BOUNCE_DIR]" >&2
    exit 2
fi
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
NOTIFIER=$(realpath -m "$1")
if [[ $# -eq 2 ]]; then
    CORPUS=$2
elif [[ -d $REPO/../shared/corpus/bounces ]]; then
    CORPUS=$(cd "$REPO/../shared/corpus/bounces" && pwd)
else
    CORPUS=$REPO/Tests/MailParseTests/Fixtures/bounces
fi
OUT=${BENCH_OUT:-$BENCH_DIR/out}
VENV=$OUT/bounces-venv
if [[ ! -x $NOTIFIER ]]; then
    echo "bounces: no notifier binary at $1" >&2
    exit 2
fi
mkdir -p "$OUT"
if ! "$VENV/bin/python" -c 'import flufl.bounce' 2> /dev/null; then
    echo "bounces: installing flufl.bounce into $VENV (once)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet flufl.bounce
fi
FLUFL_VERSION=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("flufl.bounce"))')
WORK=$(mktemp -d "$OUT/bounces.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

FILES=("$CORPUS"/*.eml)
seconds() { # seconds COMMAND... : runs it, prints the wall time
    local start end
    start=$(date +%s%N)
    "$@"
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.4f", ns / 1e9 }'
}
run_notifier() { "$NOTIFIER" parse --json "${FILES[@]}" > "$WORK/notifier.jsonl"; }
run_flufl() { "$VENV/bin/python" "$BENCH_DIR/bounces_peer.py" "${FILES[@]}" > "$WORK/flufl.jsonl"; }
ours_seconds=$(seconds run_notifier)
flufl_seconds=$(seconds run_flufl)
echo "== bounces: ${#FILES[@]} real bounces in $CORPUS (sisimai/set-of-emails, BSD)"
python3 "$BENCH_DIR/bounces_report.py" "$WORK/notifier.jsonl" "$WORK/flufl.jsonl" "$ours_seconds" \
    "$flufl_seconds" "$FLUFL_VERSION"
