#!/usr/bin/env bash
# Gives the IMAP test user's INBOX (or another folder) a new UIDVALIDITY, as a server does when it rebuilds or moves a mailbox: the
# messages stay (with their UIDs), but a client must forget every UID it knew. Dovecot closes sessions that have
# the mailbox open ("* BYE IMAP session state is inconsistent, please relogin."). Prints "OLD NEW".
#
# Usage: reset-uidvalidity.sh DIR [MAILBOX]      MAILBOX: a folder other than INBOX, by its UTF-8 name
set -euo pipefail

[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: reset-uidvalidity.sh DIR [MAILBOX]" >&2; exit 2; }
mailbox=${2:-INBOX}
DIR=$(realpath "$1")
conf=$DIR/imap/dovecot.conf
[ -f "$conf" ] && [ -f "$DIR/servers.env" ] || { echo "reset-uidvalidity.sh: $DIR has no running test servers" >&2; exit 1; }
user=$(sed -n 's/^IMAP_USER=//p' "$DIR/servers.env")
old=$(doveadm -c "$conf" -f flow mailbox status -u "$user" uidvalidity "$mailbox" | sed -n 's/.*uidvalidity=\([0-9]*\).*/\1/p')
[ -n "$old" ] || { echo "reset-uidvalidity.sh: cannot read the UIDVALIDITY of $mailbox" >&2; exit 1; }
# Any other 32-bit value would do; larger than both the old one and the clock keeps it looking like Dovecot's own.
new=$(( $(date +%s) > old ? $(date +%s) : old + 1 ))
doveadm -c "$conf" mailbox update -u "$user" --uid-validity "$new" "$mailbox"
echo "$old $new"
