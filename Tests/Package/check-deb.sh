#!/usr/bin/env bash
# The package test (make test runs it after the Swift tests): builds the .deb (make deb: the release build with
# the Swift runtime linked in), unpacks it into a temporary root with dpkg-deb -x, and checks what a fresh Debian
# machine without the Swift toolchain would get:
# - the control file: Depends names libcurl4, libsqlite3-0, libssl3 and adduser; /etc/notifier/config is a conffile;
# - ldd of the binary names only libraries in the system's folders, nothing under the toolchain, nothing missing;
# - the binary runs --version, parse over the sample corpus and the whole demo (scripts/demo.sh) with PATH and
#   LD_LIBRARY_PATH free of the toolchain, the demo once more under MemoryDenyWriteExecute's rule (prctl MDWE);
# - every man page renders with man -l (groff) without a warning, and there is one per command;
# - bash completion completes commands and options; the zsh script parses;
# - systemd-analyze security --offline=true scores every service unit 2.0 or better, and verify accepts every unit;
# - lintian reports no error (E:).
# Ends with "N passed, N failed".
set -uo pipefail
root_dir="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root_dir"
passed=0
failed=0
check() { # check NAME COMMAND...: runs the command, counts it, prints its output when it fails.
    local name=$1 output
    shift
    if output=$("$@" 2>&1); then
        passed=$((passed + 1))
        echo "ok    $name"
    else
        failed=$((failed + 1))
        echo "FAIL  $name"
        printf '%s\n' "$output" | sed 's/^/      /' | head -40
    fi
}
seconds() { date +%s; }

started=$(seconds)
package=$(make --no-print-directory deb | tail -1)
built=$(seconds)
if [ ! -f "$package" ]; then
    echo "FAIL  make deb made no package"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "make deb: $package in $((built - started)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
dpkg-deb -x "$package" "$root"
dpkg-deb -e "$package" "$work/DEBIAN"
binary="$root/usr/bin/notifier"
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
clean_env=(env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8)
mkdir -p "$work/home"

control_depends() {
    local depends
    depends=$(sed -n 's/^Depends: //p' "$work/DEBIAN/control")
    for package in adduser libcurl4 libsqlite3-0 libssl3 libc6; do
        [[ ", $depends," == *", $package "* || ", $depends," == *", $package,"* ]] ||
            { echo "Depends lacks $package: $depends"; return 1; }
    done
    ! grep -qi swift <<<"$depends" || { echo "Depends names Swift: $depends"; return 1; }
}
check "control: Depends names libcurl4, libsqlite3-0, libssl3, libc6 and adduser" control_depends
check "control: /etc/notifier/config is a conffile" grep -qx /etc/notifier/config "$work/DEBIAN/conffiles"
check "control: md5sums match the files" bash -c "cd '$root' && md5sum --quiet -c '$work/DEBIAN/md5sums'"

# The postinst with adduser, getent and install stood in for: what it would do on a machine without the user.
postinst_makes_the_user_and_folders() {
    local stubs="$work/stubs" log="$work/postinst.log"
    mkdir -p "$stubs"
    printf '#!/bin/sh\nexit 2\n' > "$stubs/getent"
    printf '#!/bin/sh\necho "$(basename "$0") $*" >> "%s"\n' "$log" > "$stubs/adduser"
    cp "$stubs/adduser" "$stubs/install"
    chmod +x "$stubs"/*
    PATH="$stubs:/usr/bin:/bin" sh "$work/DEBIAN/postinst" configure || return 1
    cat "$log"
    grep -qx "adduser --system --group --home /var/lib/notifier --no-create-home --gecos notifier --quiet notifier" "$log" &&
        grep -qx "install -d -m 0700 -o notifier -g notifier /var/lib/notifier" "$log" &&
        grep -qx "install -d -m 0755 /etc/notifier" "$log"
}
check "postinst: the notifier system user, /var/lib/notifier 0700, /etc/notifier" postinst_makes_the_user_and_folders

libraries_are_the_systems() {
    local listing path
    listing=$(ldd "$binary") || { echo "$listing"; return 1; }
    echo "$listing"
    ! grep -q "not found" <<<"$listing" || return 1
    while read -r path; do
        case "$path" in
            "$toolchain"/* | /opt/*) echo "from the toolchain: $path"; return 1 ;;
            /lib/* | /lib64/* | /usr/lib/* | /usr/lib64/*) ;;
            *) echo "outside the system's library folders: $path"; return 1 ;;
        esac
    done < <(grep -o '/[^ ]*' <<<"$listing")
    ! readelf -d "$binary" | grep -E 'R(UN)?PATH' || { echo "the binary has a run path"; return 1; }
}
check "ldd: only the system's libraries, none from $toolchain" libraries_are_the_systems

check "runs --version without the toolchain" \
    bash -c "${clean_env[*]} '$binary' --version | grep -qx 'notifier [0-9.]*'"
corpus=(Tests/MailParseTests/Fixtures/corpus/*.eml)
parse_corpus() {
    local out
    out=$("${clean_env[@]}" "$binary" parse --json "${corpus[@]}") || { echo "exit $?"; return 1; }
    [ "$(grep -c . <<<"$out")" -eq "${#corpus[@]}" ] || { echo "expected ${#corpus[@]} records:"; echo "$out"; return 1; }
    # ISO-2022-JP and the other legacy charsets decode without the toolchain's ICU data.
    grep -q '"trusted": true' <<<"$out" && grep -q '更新' <<<"$out"
}
check "parse --json over the corpus (${#corpus[@]} messages, ISO-2022-JP among them)" parse_corpus
demo() {
    local out
    out=$("${clean_env[@]}" bash scripts/demo.sh "$binary" 2>&1) || { echo "$out"; return 1; }
    grep -q "== notifier resend-url" <<<"$out" || { echo "$out"; return 1; }
}
check "the demo (scripts/demo.sh) with the unpacked binary" demo
# MemoryDenyWriteExecute=yes in the units: the kernel's own rule (PR_SET_MDWE, Linux 6.3 on, inherited by every
# child) refuses a writable mapping made executable. The demo runs under it as the units would run notifier.
mdwe_demo() {
    "${clean_env[@]}" python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit("prctl(PR_SET_MDWE) failed: errno %d" % ctypes.get_errno())
os.execv("/bin/bash", ["bash", "scripts/demo.sh", sys.argv[1]])' "$binary" >"$work/mdwe.out" 2>&1 ||
        { cat "$work/mdwe.out"; return 1; }
    grep -q "== notifier resend-url" "$work/mdwe.out"
}
if python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).prctl(66, 0, 0, 0, 0) < 0)'; then  # PR_GET_MDWE
    check "the demo under MemoryDenyWriteExecute (PR_SET_MDWE)" mdwe_demo
else
    echo "skip  the demo under MemoryDenyWriteExecute: this kernel has no PR_SET_MDWE (Linux 6.3 on)"
fi

man_pages_render() {
    local page warnings count=0
    for page in "$root"/usr/share/man/man1/*.1.gz; do
        warnings=$(LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
        [ -z "$warnings" ] || { echo "$(basename "$page"): $warnings"; return 1; }
        count=$((count + 1))
    done
    [ "$count" -gt 20 ] || { echo "only $count pages"; return 1; }
}
check "man -l renders every page without a warning" man_pages_render
one_page_per_command() {
    local name
    for name in $("${clean_env[@]}" "$binary" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p'); do
        [ -f "$root/usr/share/man/man1/notifier-$name.1.gz" ] || { echo "no page for $name"; return 1; }
    done
    for name in send status requeue lookup report remind; do
        [ -f "$root/usr/share/man/man1/notifier-notices-$name.1.gz" ] || { echo "no page for notices $name"; return 1; }
    done
    LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$root/usr/share/man/man1/notifier-notices-send.1.gz" |
        grep -q -- "--download-url-base URL" || { echo "notices send's page lacks --download-url-base"; return 1; }
}
check "a man page per command and subcommand" one_page_per_command

complete_words() { # complete_words WORD...: what bash completion offers for the last word.
    bash -c '
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_notifier
printf "%s\n" "${COMPREPLY[@]}"' completion "$root/usr/share/bash-completion/completions/notifier" "$@"
}
bash_completion() {
    [ "$(complete_words notifier notices se)" = "send" ] || { echo "notices se: $(complete_words notifier notices se)"; return 1; }
    complete_words notifier --db x.db notices send --fr | grep -qx -- --from || { echo "--fr"; return 1; }
    complete_words notifier watch --maildir "$work/ho" | grep -qx "$work/home" || { echo "--maildir DIR"; return 1; }
    ! complete_words notifier watch --maildir x --on | grep -q -- --maildir || { echo "--on"; return 1; }
    complete_words notifier watch --maildir x --on | grep -qx -- --once || { echo "--once"; return 1; }
    ! complete_words notifier "" | grep -qx internal || { echo "the hidden command is offered"; return 1; }
}
check "bash completion: commands, options, folders" bash_completion
# zsh: the script run by zsh with the completion system's functions stood in for by ones that print what they get.
zsh_words() {
    zsh -f -c '
_describe() { local list=$4; print -rl -- ${(P)list} }
_files() { print -r -- "FILES $*" }
_message() { print -r -- "MESSAGE $*" }
script=$1; shift
words=("$@"); CURRENT=$#; PREFIX=${words[-1]}
source $script' completion "$root/usr/share/zsh/vendor-completions/_notifier" "$@"
}
zsh_completion() {
    zsh_words notifier notices se | grep -q "^send:Give every eligible vendor" || { zsh_words notifier notices se; return 1; }
    zsh_words notifier --db x.db notices send --fr | grep -q "^--from:the sender" || { echo "--fr"; return 1; }
    [ "$(zsh_words notifier watch --maildir '')" = "FILES -/" ] || { echo "--maildir DIR"; return 1; }
    [ "$(zsh_words notifier notices send --vendor '')" = "MESSAGE a value" ] || { echo "--vendor CODE"; return 1; }
    ! zsh_words notifier "" | grep -q "^internal:" || { echo "the hidden command is offered"; return 1; }
}
check "zsh completion: commands, options, folders" zsh_completion

units="$root/lib/systemd/system"
unit_scores() {
    local unit score
    for unit in "$units"/*.service; do
        score=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
        [ -n "$score" ] || { systemd-analyze security --offline=true "$unit"; return 1; }
        echo "$(basename "$unit"): $score"
        awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { echo "above 2.0"; return 1; }
    done
}
check "systemd-analyze security --offline=true: every unit 2.0 or better" unit_scores
units_verify() {
    # verify wants ExecStart's binary where the unit says: copies that name the unpacked one.
    mkdir -p "$work/units"
    for unit in "$units"/*; do
        sed "s|/usr/bin/notifier|$binary|" "$unit" > "$work/units/$(basename "$unit")"
    done
    ! grep -l /usr/local/bin "$units"/* || { echo "a unit still names /usr/local/bin"; return 1; }
    # A unit systemd reads with a warning (an unknown key, a bad value) fails too.
    local out
    out=$(cd "$work/units" && systemd-analyze verify --man=no ./* 2>&1) || { echo "$out"; return 1; }
    [ -z "$out" ] || { echo "$out"; return 1; }
}
check "systemd-analyze verify: every unit" units_verify

# Known warnings: initial-upload-closes-no-bugs (the changelog closes no Debian bug: the package is not in Debian).
lintian_errors() {
    lintian --fail-on error --tag-display-limit 0 "$package" >"$work/lintian.out" 2>&1 || { cat "$work/lintian.out"; return 1; }
    ! grep '^E:' "$work/lintian.out"
}
check "lintian: no error" lintian_errors
sed -n 's/^\([WIE]\): /lintian \1: /p' "$work/lintian.out"

echo "package checks took $(($(seconds) - started)) s (make deb $((built - started)) s)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
