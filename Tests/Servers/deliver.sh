#!/usr/bin/env bash
# Delivers one message into the IMAP test user's INBOX the way an MDA does: Dovecot's own delivery agent
# (dovecot-lda) stores it in the Maildir (tmp/, then new/, owned by the mail user) and updates Dovecot's index, so
# that an IMAP client in IDLE hears "* N EXISTS" at once. The message is stored exactly as given (a file with LF line
# ends stays so on disk; IMAP clients get it with CRLF, as the protocol demands).
#
# Usage: deliver.sh DIR FILE [MAILBOX [USER]]
#   DIR: the folder given to start.sh; FILE: a raw message (- for standard input); MAILBOX: a folder other than INBOX,
#   by its UTF-8 name (created if missing), for tests that want a mailbox of their own; USER: another user than
#   IMAP_USER (IMAP_FOLDERS_USER, whose Maildir is its own).
set -euo pipefail

[ $# -ge 2 ] && [ $# -le 4 ] || { echo "usage: deliver.sh DIR FILE [MAILBOX [USER]]" >&2; exit 2; }
mailbox=${3:-INBOX}
DIR=$(realpath "$1")
conf=$DIR/imap/dovecot.conf
[ -f "$conf" ] && [ -f "$DIR/servers.env" ] || { echo "deliver.sh: $DIR has no running test servers" >&2; exit 1; }
user=${4:-$(sed -n 's/^IMAP_USER=//p' "$DIR/servers.env")}
if [ "$2" = - ]; then
    exec /usr/lib/dovecot/dovecot-lda -c "$conf" -d "$user" -m "$mailbox"
fi
[ -r "$2" ] || { echo "deliver.sh: cannot read $2" >&2; exit 1; }
# On standard input, opened here (as root): dovecot-lda -p would open the file after becoming the mail user.
exec /usr/lib/dovecot/dovecot-lda -c "$conf" -d "$user" -m "$mailbox" <"$2"
