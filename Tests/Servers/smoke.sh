#!/usr/bin/env bash
# Smoke test of the test mail servers, run by `make test` before the Swift suite (as root, about 10 s): start them
# in a fresh folder, send through every port with Python's smtplib (and curl when installed), exercise every faulty
# mode, stop them, and check that no process is left and no port still listens. The Swift tests check notifier
# against these servers; this checks the servers themselves, with clients that are not notifier, so that a broken
# server is not taken for a broken notifier.
#
# Usage: smoke.sh          (the folder is removed after a pass and kept, for its logs, after a failure)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=$(mktemp -d)
stopped=no

finish() {
    local status=$?
    [ "$stopped" = yes ] || "$here/stop.sh" "$DIR" || true
    if [ "$status" -eq 0 ]; then
        rm -rf "$DIR"
    else
        echo "smoke: FAILED; logs kept in $DIR (postfix.log, dovecot.log, faulty-*.log, faulty.stderr)" >&2
    fi
}
trap finish EXIT

"$here/start.sh" "$DIR"
ports=$(sed -n 's/^[A-Z_0-9]*PORT[A-Z_0-9]*=//p' "$DIR/servers.env")

/usr/bin/python3 "$here/smoke_check.py" "$DIR"

began=$EPOCHREALTIME
"$here/stop.sh" "$DIR"
stopped=yes
awk -v began="$began" -v now="$EPOCHREALTIME" 'BEGIN { printf "# stop took %.1f s\n", now - began }'

# Nothing may be left: no process that mentions DIR, no listener on any of the ports.
if ! /usr/bin/python3 "$here/srvutil.py" leftovers "$DIR"; then
    echo "smoke: FAIL - processes left after stop.sh (listed above)" >&2
    exit 1
fi
for port in $ports; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "smoke: FAIL - port $port still accepts connections after stop.sh" >&2
        exit 1
    fi
done
echo "ok - stop.sh left no process and no listening port"
