#!/usr/bin/env bash
# Runs a command while the test mail servers are up, and stops them afterwards whatever happens (failure, Ctrl-C).
#
# Usage: with-servers.sh COMMAND [ARGS...]      e.g.  Tests/Servers/with-servers.sh swift test --skip-build
# The command sees every servers.env setting as an environment variable (SMTP_PLAIN_PORT, FAULTY_PORT_RCPT451...)
# and SERVERS_ENV, the path of servers.env itself. Its exit status is this script's. The folder with the servers'
# logs is removed after a success and kept (its path is printed) after a failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: with-servers.sh COMMAND [ARGS...]" >&2; exit 2; }

DIR=$(mktemp -d)
finish() {
    local status=$?
    "$here/stop.sh" "$DIR" || status=1
    if [ "$status" -eq 0 ]; then
        rm -rf "$DIR"
    else
        echo "with-servers.sh: status $status; the servers' logs are kept in $DIR" >&2
    fi
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$here/start.sh" "$DIR"
set -a
# shellcheck source=/dev/null
. "$DIR/servers.env"
set +a
export SERVERS_ENV="$DIR/servers.env"

# The command runs in the background and we wait for it: bash runs a trap only after a foreground command ends,
# while `wait` returns at once on a signal. The signal is passed on to the command, and the EXIT trap stops the
# servers. "<&0" keeps our standard input (a background command would get /dev/null).
"$@" <&0 &
child=$!
trap 'kill -INT "$child" 2>/dev/null; exit 130' INT
trap 'kill -TERM "$child" 2>/dev/null; exit 143' TERM
wait "$child"
