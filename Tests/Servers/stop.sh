#!/usr/bin/env bash
# Stops the mail servers that start.sh DIR started, and nothing else.
#
# Usage: stop.sh DIR
# Only the PIDs listed in DIR/pids are signalled, and only if their command line or environment names DIR (so a
# PID reused by another program is left alone), plus their descendants (Postfix's and Dovecot's masters fork
# children). SIGTERM first -- what `postfix stop` sends to Postfix's master too, without its 1 s polling -- then,
# after 10 s, SIGKILL for whatever is left. Waits until they are gone. Safe to run twice, or after a failed start.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

[ $# -eq 1 ] || { echo "usage: stop.sh DIR" >&2; exit 2; }
[ -d "$1" ] || { echo "stop.sh: $1 is not a directory" >&2; exit 1; }
DIR=$(realpath "$1")

if [ ! -e "$DIR/pids" ]; then
    echo "stop.sh: no $DIR/pids: nothing was started there" >&2
    exit 0
fi
/usr/bin/python3 "$here/srvutil.py" stop "$DIR" 10
