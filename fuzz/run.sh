#!/usr/bin/env bash
# Fuzzes MailParse with libFuzzer for SECONDS (default 60).
#
#   bash fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#
# 1. Builds fuzz/out/build/mailparse-fuzz: Sources/MailParse/*.swift and fuzz/MailParseFuzz.swift compiled as one
#    module with swiftc -O -sanitize=fuzzer,address (skipped when nothing changed since the last build).
# 2. Runs every file of fuzz/regressions/ once (README.md aside): past findings must stay fixed.
# 3. Seeds fuzz/out/seeds/ from the *.eml test fixtures and fuzz/regressions/, and fuzzes for SECONDS into the working
#    corpus fuzz/out/corpus/ (kept between local runs; fuzz/out/ is git-ignored), with fuzz/mail.dict.
# 4. A crash, timeout (-timeout, 10 s per input), out-of-memory (-rss_limit_mb=2048) or leak is copied into
#    fuzz/regressions/ as libFuzzer names it (crash-<sha1>, timeout-<sha1>, oom-<sha1>, leak-<sha1>), and the script
#    exits 1. A clean run exits 0.
#
# Extra flags go to libFuzzer, e.g. `bash fuzz/run.sh 600 -fork=2 -ignore_crashes=1 -ignore_timeouts=1
# -ignore_ooms=1` to keep going after the first finding and collect them all.
# Environment: SWIFTC (default: swiftc on PATH), FUZZ_TIMEOUT (per input, default 10), FUZZ_MAX_LEN (default 65536).
set -euo pipefail

duration=${1:-60}
shift || true
if ! [[ $duration =~ ^[0-9]+$ ]]; then
    echo "usage: bash fuzz/run.sh [SECONDS] [libFuzzer flags...]" >&2
    exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz=$root/fuzz
out=$fuzz/out
build=$out/build
binary=$build/mailparse-fuzz
regressions=$fuzz/regressions
swiftc=${SWIFTC:-swiftc}
per_input_timeout=${FUZZ_TIMEOUT:-10}
max_len=${FUZZ_MAX_LEN:-65536}
rss_limit_mb=2048

# The Swift runtime's own crash handler (Swift 5.9+ on Linux) would catch a runtime trap before libFuzzer does and
# then trip AddressSanitizer while it reads memory for its backtrace; libFuzzer's handler prints the trace instead.
export SWIFT_BACKTRACE=enable=no
# Allocation stack traces are of little use for Swift (no use-after-free in safe code) and cost a third of the
# speed; a smaller quarantine keeps the RSS far below -rss_limit_mb. Set ASAN_OPTIONS to override.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:quarantine_size_mb=64}

if ! command -v "$swiftc" >/dev/null 2>&1; then
    echo "fuzz: $swiftc not found: put the Swift toolchain's bin on PATH or set SWIFTC" >&2
    exit 2
fi
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null 2>&1; then
    # The Swift toolchain has the fuzzer and ASan runtimes but no symbolizer; without one, traces are bare addresses.
    echo "fuzz: note: no llvm-symbolizer on PATH (Debian: apt-get install llvm); stack traces will not be symbolized"
fi
mkdir -p "$build" "$out/corpus" "$out/artifacts" "$regressions"

# --- 1. Build -------------------------------------------------------------------------------------------------------
sources=()
while IFS= read -r file; do sources+=("$file"); done < <(find "$root/Sources/MailParse" -name '*.swift' | LC_ALL=C sort)
if [ ${#sources[@]} -eq 0 ]; then
    echo "fuzz: no sources under Sources/MailParse" >&2
    exit 2
fi
flags=(-O -g -sanitize=fuzzer,address -parse-as-library -module-name MailParseFuzz)
# lld ships with the Swift toolchain; gold (the default) works too but prints a warning per ASan symbol.
if [ -x "$(dirname "$(command -v "$swiftc")")/ld.lld" ]; then flags+=(-use-ld=lld); fi

stamp=$( { "$swiftc" --version 2>&1; echo "${flags[*]}"; cat "${sources[@]}" "$fuzz/MailParseFuzz.swift"; } \
    | sha1sum | cut -d' ' -f1)
if [ -x "$binary" ] && [ "$(cat "$build/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "fuzz: $binary is up to date"
else
    echo "fuzz: building $binary"
    start=$(date +%s)
    rm -f "$binary" "$build/stamp"
    if ! "$swiftc" "${flags[@]}" "${sources[@]}" "$fuzz/MailParseFuzz.swift" -o "$binary" >"$build/build.log" 2>&1
    then
        grep -v "Cannot export local symbol" "$build/build.log" >&2 || true
        echo "fuzz: build failed" >&2
        exit 2
    fi
    echo "$stamp" >"$build/stamp"
    echo "fuzz: built in $(($(date +%s) - start)) s"
fi

limits=(-timeout="$per_input_timeout" -rss_limit_mb="$rss_limit_mb" -malloc_limit_mb="$rss_limit_mb")

# Prints a finding from a libFuzzer log: the error line, the stack frames in MailParse and the fuzz entry (Swift
# symbols demangled; repeated recursive frames collapsed), and the summary line. The log keeps the full trace.
summarize() {
    local demangle
    demangle=$(dirname "$(command -v "$swiftc")")/swift-demangle
    [ -x "$demangle" ] || demangle=cat
    local wanted="ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|^SUMMARY:|Swift runtime failure"
    wanted+="|^ +#[0-9]+ 0x[0-9a-f]+ in .*(/Sources/|/fuzz/[A-Za-z]+\.swift)"
    grep -E "$wanted" "$1" \
        | if [ "$demangle" = cat ]; then cat; else "$demangle" --simplified; fi \
        | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in /    /' | uniq -c | sed -E 's/^ +1 //; s/^ +([0-9]+) (.*)$/\2   (x\1)/' \
        | head -n 40 >&2 || true
}

# --- 2. Regressions -------------------------------------------------------------------------------------------------
regression_files=()
while IFS= read -r file; do regression_files+=("$file"); done < <(
    find "$regressions" -type f ! -name 'README.md' ! -name '.*' | LC_ALL=C sort)
failed=0
for file in ${regression_files[@]+"${regression_files[@]}"}; do
    log=$out/regression.log
    if ! "$binary" "${limits[@]}" "$file" >"$log" 2>&1; then
        echo "fuzz: REGRESSION: ${file#"$root"/} fails again:" >&2
        summarize "$log"
        failed=1
    fi
done
if [ $failed -ne 0 ]; then
    echo "fuzz: regression inputs fail; not fuzzing" >&2
    exit 1
fi
echo "fuzz: ${#regression_files[@]} regression inputs pass"

# --- 3. Fuzz --------------------------------------------------------------------------------------------------------
rm -rf "$out/seeds" "$out/artifacts"
mkdir -p "$out/seeds" "$out/artifacts"
seed_count=0
while IFS= read -r file; do
    relative=${file#"$root"/}
    cp "$file" "$out/seeds/${relative//\//_}"
    seed_count=$((seed_count + 1))
done < <(find "$root/Tests/MailParseTests/Fixtures" -type f -name '*.eml' 2>/dev/null | LC_ALL=C sort)
for file in ${regression_files[@]+"${regression_files[@]}"}; do
    cp "$file" "$out/seeds/regression_$(basename "$file")"
    seed_count=$((seed_count + 1))
done
echo "fuzz: $seed_count seed inputs; fuzzing for $duration s"

log=$out/fuzz.log
rc=0
"$binary" "${limits[@]}" -max_len="$max_len" -max_total_time="$duration" -dict="$fuzz/mail.dict" \
    -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@" "$out/corpus" "$out/seeds" >"$log" 2>&1 || rc=$?
grep -E "^#[0-9]+\s+(INITED|DONE)|^Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" \
    || grep -E "^#[0-9]+: cov:" "$log" | tail -n 1 || true  # -fork=N prints a status line per job instead

# --- 4. Findings ----------------------------------------------------------------------------------------------------
found=()
while IFS= read -r file; do found+=("$file"); done < <(
    find "$out/artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) \
        | LC_ALL=C sort)
if [ ${#found[@]} -gt 0 ] || [ $rc -ne 0 ]; then
    summarize "$log"
    for file in ${found[@]+"${found[@]}"}; do
        cp "$file" "$regressions/"
        echo "fuzz: FOUND: fuzz/regressions/$(basename "$file")" >&2
    done
    echo "fuzz: failed (libFuzzer exit $rc, ${#found[@]} findings; full log: ${log#"$root"/})" >&2
    echo "fuzz: reproduce one with: SWIFT_BACKTRACE=enable=no ${binary#"$root"/} fuzz/regressions/NAME" >&2
    echo "fuzz: minimize with:      SWIFT_BACKTRACE=enable=no ${binary#"$root"/} -minimize_crash=1 \\" >&2
    echo "          -max_total_time=60 -exact_artifact_path=fuzz/regressions/NAME.min fuzz/regressions/NAME" >&2
    exit 1
fi
echo "fuzz: clean"
