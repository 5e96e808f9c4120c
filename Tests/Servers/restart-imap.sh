#!/usr/bin/env bash
# Restarts the IMAP server (the second Dovecot instance) that start.sh DIR started: every IMAP client sees its
# connection dropped (Dovecot says "* BYE Server shutting down." and closes), and the server comes back on the same
# ports with the same user, password and mail. Postfix and its AUTH (the other Dovecot) are not touched. The new
# master's PID replaces the old one in DIR/pids (and in SERVERS_PIDS of DIR/servers.env), so stop.sh stops it.
# Returns once both ports greet again and a login works.
#
# Usage: restart-imap.sh DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: restart-imap.sh DIR" >&2; exit 2; }
DIR=$(realpath "$1")
[ -f "$DIR/imap/dovecot.conf" ] || { echo "restart-imap.sh: $DIR has no IMAP server" >&2; exit 1; }
exec /usr/bin/python3 "$here/imaputil.py" restart "$DIR"
