#!/usr/bin/env bash
# Starts real mail servers on 127.0.0.1 for the SMTP client's integration tests:
#   - Postfix (its own config_directory, queue and log under DIR) with two smtpd listeners:
#       plain port:       STARTTLS offered, AUTH only after STARTTLS, relaying for authenticated users,
#                         mail for @example.test accepted without AUTH;
#       submissions port: implicit TLS (wrapper mode), AUTH required for every recipient;
#     everything accepted lands in one Maildir, nothing ever leaves the machine;
#   - Dovecot, for its SASL auth service only (Postfix asks it to check AUTH PLAIN/LOGIN against a passwd-file);
#   - a second Dovecot instance serving IMAP (STARTTLS port and implicit-TLS port) for one test user whose INBOX is
#     a Maildir; separate so that restart-imap.sh can drop IMAP connections without touching Postfix's AUTH;
#   - faulty_smtp.py, a misbehaving SMTP server with one port per failure mode;
#   - faulty_imap.py, a misbehaving IMAP server (plain IMAP, any login) with one port per failure mode;
#   - oauth_introspect.py, an OAuth2 token introspection endpoint (RFC 7662) for both Dovecots' oauth2 passdb: one
#     more user, OAUTH_USER, logs in to IMAP and SMTP with XOAUTH2 or OAUTHBEARER and the per-run token OAUTH_TOKEN
#     (IMAP_OAUTH_USER and IMAP_OAUTH_TOKEN in servers.env). That user has no mail of its own: Dovecot's static
#     userdb gives it the same Maildir as IMAP_USER, so deliver.sh's mail is read by either.
#   - faulty_pop3.py, a POP3 server without STLS (any login), for the clear-text login test.
# Then it waits until each one answers and writes DIR/servers.env (KEY=value lines, no quotes, no spaces: valid
# shell and trivial to parse) and DIR/pids ("name pid" lines, for stop.sh).
#
# Usage: start.sh DIR     DIR: a fresh, empty folder (e.g. from mktemp -d), at most 60 characters long.
# Stop with stop.sh DIR. The servers outlive this script (they are daemons): the caller must run stop.sh, also
# when its tests fail. Needs root (Postfix's master and Dovecot start as root and drop privileges) and the Debian
# packages postfix, dovecot-core, openssl and python3; it installs nothing and fails naming what is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=/usr/bin/python3   # Debian's python3; faulty_smtp.py and srvutil.py use only its standard library

die() { echo "start.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: start.sh DIR"
[ -d "$1" ] || die "$1 is not a directory"
DIR=$(realpath "$1")

# --- Preconditions: fail loudly, naming the Debian package, rather than letting a test skip or hang. ---
[ "$(id -u)" -eq 0 ] || die "must run as root: Postfix's master and Dovecot start as root and drop privileges"
need() { # need PATH PACKAGE
    [ -x "$1" ] || die "missing $1: install the Debian package $2 (make deps installs it)"
}
need /usr/sbin/postfix postfix
need /usr/sbin/postconf postfix
need /usr/sbin/dovecot dovecot-core
need /usr/bin/doveadm dovecot-core
need /usr/lib/dovecot/imap dovecot-imapd
need /usr/lib/dovecot/imap-login dovecot-imapd
need /usr/lib/dovecot/pop3 dovecot-pop3d
need /usr/lib/dovecot/pop3-login dovecot-pop3d
need /usr/bin/openssl openssl
need "$python" python3
for user in postfix dovecot dovenull; do
    getent passwd "$user" >/dev/null || die "system user $user is missing: reinstall the Debian package" \
        "$([ "$user" = postfix ] && echo postfix || echo dovecot-core)"
done
"$python" -c 'import sys, ssl; sys.exit(sys.version_info < (3, 11))' ||
    die "$python must be Python >= 3.11 with the ssl module (Debian 12's python3 is)"
# Unix socket paths are limited to 107 bytes; Postfix's and Dovecot's sockets live below DIR.
[ ${#DIR} -le 60 ] || die "$DIR is too long (${#DIR} > 60 characters) for the Unix sockets below it: use mktemp -d"
# DIR goes into main.cf, dovecot.conf and servers.env unquoted.
[[ "$DIR" =~ ^[A-Za-z0-9/._-]+$ ]] || die "$DIR: use a path of letters, digits and / . _ - only (e.g. mktemp -d)"
[ ! -e "$DIR/pids" ] && [ ! -e "$DIR/servers.env" ] || die "$DIR was already used: give a fresh folder"

# mktemp -d makes the folder 0700; the postfix, dovecot and nobody users need to traverse it, and every folder
# above it (a DIR under /root would not do).
chmod 755 "$DIR"
runuser -u nobody -- test -x "$DIR" ||
    die "$DIR cannot be reached by unprivileged users (a parent folder is not world-searchable): use mktemp -d"

# If anything below fails, stop what was already started (stop.sh only touches PIDs written to DIR/pids) and show
# the servers' own logs, which usually say why.
started=no
on_exit() {
    local status=$?
    if [ "$started" != yes ]; then
        echo "start.sh: failed (status $status); stopping what was started. Logs:" >&2
        for log in postfix-start.log postfix.log dovecot.log imap.log faulty.stderr faulty-imap.stderr \
            faulty-pop3.stderr oauth-introspect.stderr; do
            [ -s "$DIR/$log" ] && { echo "--- $DIR/$log (last lines)" >&2; tail -n 20 "$DIR/$log" >&2; }
        done
        if [ -n "${imap_check:-}" ]; then kill "$imap_check" 2>/dev/null || true; fi
        "$here/stop.sh" "$DIR" >&2 || true
    fi
}
trap on_exit EXIT

began=$EPOCHREALTIME
# One Python start for four secrets: token identifies this instance's banners; the two passwords and the OAuth2
# access token are per run.
read -r token smtp_password imap_password oauth_token < <("$python" -c \
    'import secrets; print(secrets.token_hex(6), secrets.token_urlsafe(12), secrets.token_urlsafe(12),
    secrets.token_urlsafe(24))')
mail_user=nobody   # owner of the delivered files: the virtual delivery agent refuses root
mail_uid=$(id -u "$mail_user")
mail_gid=$(id -g "$mail_user")
smtp_user=sender@example.test
imap_user=vendor@example.test
oauth_user=oauth@example.test
# A second IMAP user with a Maildir of its own (DIR/folders-maildir), for the tests of several folders and of the
# junk folder: a Junk (or 迷惑メール) folder there never shows up in the other tests' watches of IMAP_USER.
folders_user=folders@example.test

# --- TLS: a throw-away CA and a server certificate for localhost and 127.0.0.1 signed by it. ---
# EC keys because they are generated in milliseconds. The extensions are the ones strict verifiers want
# (Python 3.13's VERIFY_X509_STRICT needs the key identifiers; the leaf must say CA:FALSE and serverAuth).
tls=$DIR/tls
mkdir -m 755 "$tls"
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc -days 7 \
    -subj "/CN=notifier test CA $token" -keyout "$tls/ca.key" -out "$tls/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
cat >"$tls/server.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 7 -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null
chmod 600 "$tls/ca.key" "$tls/server.key"   # read by root only: smtpd loads its key before dropping privileges
chmod 644 "$tls/ca.pem" "$tls/server.pem"

# --- The faulty server: started first, in the background; it announces its ports in DIR/faulty.env. ---
# setsid + redirections: it must not hold the caller's terminal or pipes (a caller reading our output to EOF
# would hang), and it outlives this script like the other daemons.
setsid "$python" "$here/faulty_smtp.py" --dir "$DIR" --cert "$tls/server.pem" --key "$tls/server.key" \
    </dev/null >>"$DIR/faulty.stderr" 2>&1 &
echo "faulty $!" >>"$DIR/pids"
setsid "$python" "$here/faulty_imap.py" --dir "$DIR" --corpus "$here/../../Tests/MailParseTests/Fixtures/corpus" \
    </dev/null >>"$DIR/faulty-imap.stderr" 2>&1 &
echo "faulty-imap $!" >>"$DIR/pids"
setsid "$python" "$here/faulty_pop3.py" --dir "$DIR" --corpus "$here/../../Tests/MailParseTests/Fixtures/corpus" \
    </dev/null >>"$DIR/faulty-pop3.stderr" 2>&1 &
echo "faulty-pop3 $!" >>"$DIR/pids"

# --- Ports for Postfix and Dovecot: picked only once the faulty servers listen on theirs. Both ask the OS for a
# free port, and a port that free-ports found and let go could otherwise be handed to a faulty server a moment later
# (seen: Postfix "bind 127.0.0.1 port N: Address already in use"). ---
for _ in $(seq 200); do
    [ -s "$DIR/faulty.env" ] && [ -s "$DIR/faulty-imap.env" ] && [ -s "$DIR/faulty-pop3.env" ] && break
    sleep 0.05
done
mapfile -t ports < <("$python" "$here/srvutil.py" free-ports 7)
plain_port=${ports[0]}
submissions_port=${ports[1]}
imap_port=${ports[2]}
imaps_port=${ports[3]}
introspect_port=${ports[4]}
pop3_port=${ports[5]}
pop3s_port=${ports[6]}

# --- The token introspection endpoint both Dovecots ask about an OAuth2 token (oauth_introspect.py). ---
mkdir -m 755 "$DIR/oauth"
printf '%s\n' "$oauth_token" >"$DIR/oauth/token"
chmod 600 "$DIR/oauth/token"
setsid "$python" "$here/oauth_introspect.py" --dir "$DIR" --port "$introspect_port" --token-file "$DIR/oauth/token" \
    --user "$oauth_user" </dev/null >>"$DIR/oauth-introspect.stderr" 2>&1 &
echo "oauth-introspect $!" >>"$DIR/pids"
# Read by Dovecot's unprivileged auth process: no secret in it (the token is only in the introspection server).
cat >"$DIR/oauth/dovecot-oauth2.conf.ext" <<EOF
introspection_mode = post
introspection_url = http://127.0.0.1:$introspect_port/
username_attribute = email
active_attribute = active
active_value = true
force_introspection = yes
timeout_msecs = 5000
EOF
chmod 644 "$DIR/oauth/dovecot-oauth2.conf.ext"

# --- Dovecot: SASL authentication only (no IMAP/POP3), from one config file. ---
# The passwd-file must be readable by Dovecot's unprivileged auth process, hence 644 (a test password).
mkdir -m 755 "$DIR/dovecot" "$DIR/sasl"
echo "$smtp_user:{PLAIN}$smtp_password::::::" >"$DIR/dovecot/users"
chmod 644 "$DIR/dovecot/users"
cat >"$DIR/dovecot/dovecot.conf" <<EOF
# Generated by Tests/Servers/start.sh: Dovecot as Postfix's SASL back end for the tests, nothing else.
protocols =
base_dir = $DIR/dovecot/run
state_dir = $DIR/dovecot/state
instance_name = notifier-test-$token
log_path = $DIR/dovecot.log
ssl = no
# Postfix itself offers AUTH only under TLS (smtpd_tls_auth_only); Dovecot cannot see the TLS and would hide the
# plaintext mechanisms from Postfix without this.
disable_plaintext_auth = no
# XOAUTH2 and OAUTHBEARER for OAUTH_USER, checked by the oauth2 passdb against oauth_introspect.py.
auth_mechanisms = plain login xoauth2 oauthbearer
auth_verbose = yes
# A wrong password is answered sooner (the default waits 2 s); Dovecot 2.3 still takes about 0.5 s (the period of
# its failure timer; a "nodelay" passdb field does not help on a password mismatch).
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/dovecot/users
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DIR/oauth/dovecot-oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=/nonexistent
}
# No auth penalty either: after a failure Dovecot would delay every AUTH from 127.0.0.1 by 2, 4, 8... s (through
# anvil). Without access to this socket the penalty is off (Dovecot's documented way to disable it).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener $DIR/sasl/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF

# --- Dovecot for IMAP and POP3: a second instance, so that restart-imap.sh can drop IMAP clients without Postfix's AUTH ---
# (the SASL instance above) failing meanwhile. One user, IMAP_USER, whose INBOX is the Maildir DIR/imap-maildir,
# served by the unprivileged user nobody (Dovecot refuses root as a mail user). deliver.sh, restart-imap.sh and
# reset-uidvalidity.sh act on this instance through DIR/imap/dovecot.conf. The same user reads the same INBOX over
# POP3 too (STLS on the pop3 port, implicit TLS on the pop3s port): the POP3 maildrop is the IMAP INBOX.
mkdir -m 755 "$DIR/imap"
echo "$imap_user:{PLAIN}$imap_password::::::" >"$DIR/imap/users"
echo "$folders_user:{PLAIN}$imap_password::::::" >>"$DIR/imap/users"
chmod 644 "$DIR/imap/users"
echo "$folders_user::$mail_uid:$mail_gid::$DIR/folders-home::userdb_mail=maildir:$DIR/folders-maildir" \
    >"$DIR/imap/folders-userdb"
chmod 644 "$DIR/imap/folders-userdb"
mkdir -m 700 "$DIR/imap-maildir" "$DIR/imap-maildir/cur" "$DIR/imap-maildir/new" "$DIR/imap-maildir/tmp" \
    "$DIR/imap-home" "$DIR/folders-maildir" "$DIR/folders-home"
chown -R "$mail_uid:$mail_gid" "$DIR/imap-maildir" "$DIR/imap-home" "$DIR/folders-maildir" "$DIR/folders-home"
cat >"$DIR/imap/dovecot.conf" <<EOF
# Generated by Tests/Servers/start.sh: Dovecot as the IMAP and POP3 server for the tests, on 127.0.0.1 only.
protocols = imap pop3
listen = 127.0.0.1
base_dir = $DIR/imap/run
state_dir = $DIR/imap/state
instance_name = notifier-test-imap-$token
log_path = $DIR/imap.log
# The greeting names this instance, so that a wait for it cannot be answered by another server.
login_greeting = notifier-test-$token ready.
# STARTTLS on the imap port, implicit TLS on the imaps port, with the certificate SMTP uses. Dovecot counts a
# connection from 127.0.0.1 as secure, so LOGIN works there without STARTTLS too (clients decide).
ssl = yes
ssl_cert = <$tls/server.pem
ssl_key = <$tls/server.key
auth_mechanisms = plain login xoauth2 oauthbearer
auth_verbose = yes
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/imap/users
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DIR/oauth/dovecot-oauth2.conf.ext
}
# FOLDERS_USER first (its own Maildir); every other user falls through to the static userdb.
userdb {
  driver = passwd-file
  args = $DIR/imap/folders-userdb
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$DIR/imap-home
}
mail_location = maildir:$DIR/imap-maildir
# Junk is the junk folder by SPECIAL-USE (RFC 6154), as providers mark theirs; a 迷惑メール folder has no flag
# and is found by its name.
namespace inbox {
  inbox = yes
  mailbox Junk {
    special_use = \\Junk
  }
}
# deliver.sh DIR FILE MAILBOX creates a missing folder (tests that want a mailbox of their own).
lda_mailbox_autocreate = yes
# IDLE learns of new mail through inotify at once; the check interval is the fallback where inotify is missing.
mailbox_idle_check_interval = 1 secs
# The tests open many short connections (and an idler) from one address.
mail_max_userip_connections = 100
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
# POP3: STLS on the pop3 port, implicit TLS on the pop3s port. Every session's end is logged with what it fetched
# (Dovecot's default pop3_logout_format: "top=COUNT/BYTES, retr=COUNT/BYTES, del=COUNT/MESSAGES, size=BYTES"),
# which the tests read to prove that only candidates were downloaded and nothing deleted.
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3_port
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $pop3s_port
    ssl = yes
  }
}
EOF

# Both masters daemonize; record their PIDs at once, so that a failure further down stops them too.
/usr/sbin/dovecot -c "$DIR/dovecot/dovecot.conf" </dev/null >>"$DIR/dovecot.log" 2>&1 ||
    die "dovecot did not start (see $DIR/dovecot.log)"
/usr/sbin/dovecot -c "$DIR/imap/dovecot.conf" </dev/null >>"$DIR/imap.log" 2>&1 ||
    die "dovecot (IMAP) did not start (see $DIR/imap.log)"
for name_and_pid_file in "dovecot $DIR/dovecot/run/master.pid" "imap $DIR/imap/run/master.pid"; do
    read -r name pid_file <<<"$name_and_pid_file"
    for _ in $(seq 200); do [ -s "$pid_file" ] && break; sleep 0.02; done
    [ -s "$pid_file" ] || die "dovecot wrote no $pid_file"
    echo "$name $(tr -d ' \n' <"$pid_file")" >>"$DIR/pids"
done

# IMAP's check runs while Postfix starts (it takes about 0.1 s, Postfix about 0.4 s): both ports must greet with
# this instance's token, and one STARTTLS + LOGIN + EXAMINE INBOX must work. Its result is collected below.
"$python" "$here/imaputil.py" wait "$imap_port" "$imaps_port" "notifier-test-$token" "$tls/ca.pem" \
    "$imap_user" "$imap_password" 10 </dev/null &
imap_check=$!

# --- Postfix: its own config_directory, queue, data directory and log file, all inside DIR. ---
# meta_directory, daemon_directory etc. keep their defaults (/etc/postfix, /usr/lib/postfix/sbin: the package's).
mkdir -m 755 "$DIR/postfix" "$DIR/postfix-queue"
mkdir -m 700 "$DIR/postfix-data"
chown postfix:postfix "$DIR/postfix-data"
# The Maildir: everything accepted is delivered here by the virtual delivery agent as $mail_user.
mkdir -p -m 755 "$DIR/maildir/new" "$DIR/maildir/cur" "$DIR/maildir/tmp"
mkdir -p -m 755 "$DIR/bounces/new" "$DIR/bounces/cur" "$DIR/bounces/tmp"
chown -R "$mail_uid:$mail_gid" "$DIR/maildir" "$DIR/bounces"

cat >"$DIR/postfix/main.cf" <<EOF
# Generated by Tests/Servers/start.sh: a Postfix for the SMTP client's tests, on 127.0.0.1 only.
compatibility_level = 3.6
queue_directory = $DIR/postfix-queue
data_directory = $DIR/postfix-data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = localhost
mydomain = example.test
myorigin = \$myhostname
smtpd_banner = \$myhostname ESMTP notifier-test-$token

# There is no syslog here: postlogd (see master.cf) writes this file. Without maillog_file_prefixes covering it,
# Postfix refuses a log file outside /var.
maillog_file = $DIR/postfix.log
maillog_file_prefixes = $DIR

# Delivery: no local domains, no aliases. All of example.test is a virtual mailbox domain whose every address
# goes to DIR/maildir/ (mailboxes.regexp), except two kinds. bounces@example.test, with any +extension (VERP), goes
# to DIR/bounces/: the issuer's return-path mailbox, where Postfix's own delivery status notifications land.
# nouser...@example.test has no mailbox at all: smtpd accepts it (smtpd_reject_unlisted_recipient = no), then the
# virtual delivery agent finds no mailbox and Postfix bounces the message (5.1.1, "User unknown in virtual mailbox
# table") to its envelope sender, as a relay does for a mailbox that does not exist behind it. Mail relayed for
# authenticated users (other domains) goes to DIR/maildir/ too (default_transport = virtual), so nothing ever
# leaves the machine and tests can read it.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
recipient_delimiter = +
virtual_mailbox_domains = example.test
virtual_mailbox_base = $DIR
virtual_mailbox_maps = regexp:$DIR/postfix/mailboxes.regexp
smtpd_reject_unlisted_recipient = no
virtual_uid_maps = static:$mail_uid
virtual_gid_maps = static:$mail_gid
default_transport = virtual
relay_transport = virtual

# TLS (STARTTLS offered on the plain port; the submissions port overrides in master.cf).
smtpd_tls_cert_file = $tls/server.pem
smtpd_tls_key_file = $tls/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes

# AUTH through Dovecot's auth service.
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DIR/sasl/auth
smtpd_sasl_security_options = noanonymous
smtpd_sasl_authenticated_header = yes

# Who may send what: example.test is accepted from anyone, other domains only after AUTH (no permit_mynetworks:
# every client here is on 127.0.0.1). unknown@example.test is refused, for tests of a permanent RCPT failure.
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access inline:{ {unknown@example.test = 550 5.1.1 User unknown} }
message_size_limit = 10240000

# Tests want answers at once: no sleeping after errors, no flow-control delay, no reverse DNS of 127.0.0.1.
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 1000
in_flow_delay = 0
smtpd_peername_lookup = no
biff = no
EOF

cat >"$DIR/postfix/mailboxes.regexp" <<'EOF'
/^bounces(\+[^@]*)?@example\.test$/ bounces/
!/^nouser/ maildir/
EOF

# Only the services these tests need. No smtp/lmtp/local delivery services at all: even a misrouted message cannot
# leave the machine. Every listener is bound to 127.0.0.1:PORT explicitly. chroot is off ("n"): the queue is in DIR.
cat >"$DIR/postfix/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$plain_port inet n - n - - smtpd
  -o syslog_name=postfix/plain
127.0.0.1:$submissions_port inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

# Postfix re-reads a configuration file whose mtime is less than 2 s old, sleeping 300 ms between tries, until it
# is older (it fears a file still being written): backdating the new files saves about 2 s of start-up.
touch -d '-1 minute' "$DIR/postfix/main.cf" "$DIR/postfix/master.cf" "$DIR/postfix/mailboxes.regexp"

# "postfix start" creates the queue directories with their owners (post-install create-missing), checks, and waits
# for the master to finish initialising (master -w): when it returns, the listeners are bound.
/usr/sbin/postfix -c "$DIR/postfix" start </dev/null >>"$DIR/postfix-start.log" 2>&1 || {
    [ -s "$DIR/postfix-queue/pid/master.pid" ] &&
        echo "postfix $(tr -d ' \n' <"$DIR/postfix-queue/pid/master.pid")" >>"$DIR/pids"
    die "postfix did not start (see $DIR/postfix-start.log and $DIR/postfix.log)"
}
echo "postfix $(tr -d ' \n' <"$DIR/postfix-queue/pid/master.pid")" >>"$DIR/pids"

# --- Wait until everything answers (each has 10 s; normally all are ready by now). ---
for _ in $(seq 200); do [ -s "$DIR/faulty.env" ] && break; sleep 0.05; done
[ -s "$DIR/faulty.env" ] || die "the faulty SMTP server did not announce its ports (see $DIR/faulty.stderr)"
for _ in $(seq 200); do [ -S "$DIR/sasl/auth" ] && break; sleep 0.05; done
[ -S "$DIR/sasl/auth" ] || die "dovecot's auth socket $DIR/sasl/auth did not appear (see $DIR/dovecot.log)"
"$python" "$here/srvutil.py" wait-smtp "$plain_port" "notifier-test-$token" 10
"$python" "$here/srvutil.py" wait-smtp "$submissions_port" "notifier-test-$token" 10 --implicit-tls "$tls/ca.pem"
# The faulty server writes faulty.env only once all its ports listen; check it is still alive.
faulty_pid=$(sed -n 's/^FAULTY_PID=//p' "$DIR/faulty.env")
kill -0 "$faulty_pid" 2>/dev/null || die "the faulty SMTP server exited (see $DIR/faulty.stderr)"
# setsid forks when it is a process-group leader (a caller with job control): then $! above was setsid's PID.
grep -qx "faulty $faulty_pid" "$DIR/pids" || echo "faulty $faulty_pid" >>"$DIR/pids"
for _ in $(seq 200); do [ -s "$DIR/faulty-imap.env" ] && break; sleep 0.05; done
[ -s "$DIR/faulty-imap.env" ] || die "the faulty IMAP server did not announce its ports (see $DIR/faulty-imap.stderr)"
faulty_imap_pid=$(sed -n 's/^FAULTY_IMAP_PID=//p' "$DIR/faulty-imap.env")
kill -0 "$faulty_imap_pid" 2>/dev/null || die "the faulty IMAP server exited (see $DIR/faulty-imap.stderr)"
grep -qx "faulty-imap $faulty_imap_pid" "$DIR/pids" || echo "faulty-imap $faulty_imap_pid" >>"$DIR/pids"
[ -s "$DIR/faulty-pop3.env" ] || die "the faulty POP3 server did not announce its ports (see $DIR/faulty-pop3.stderr)"
faulty_pop3_pid=$(sed -n 's/^FAULTY_POP3_PID=//p' "$DIR/faulty-pop3.env")
kill -0 "$faulty_pop3_pid" 2>/dev/null || die "the faulty POP3 server exited (see $DIR/faulty-pop3.stderr)"
grep -qx "faulty-pop3 $faulty_pop3_pid" "$DIR/pids" || echo "faulty-pop3 $faulty_pop3_pid" >>"$DIR/pids"
wait "$imap_check" || die "IMAP does not work (see $DIR/imap.log)"
"$python" "$here/srvutil.py" wait-http "$introspect_port" /ready 10 ||
    die "the token introspection server does not answer (see $DIR/oauth-introspect.stderr)"
# One real STARTTLS + AUTH, so that a broken Postfix-Dovecot link fails here, loudly, and not later in a test.
"$python" "$here/srvutil.py" check-auth "$plain_port" "$tls/ca.pem" "$smtp_user" "$smtp_password" ||
    die "AUTH through Dovecot does not work (see $DIR/postfix.log and $DIR/dovecot.log)"

# --- servers.env: what the tests need. Written last and atomically, so its presence means "ready". ---
{
    echo "SMTP_HOST=127.0.0.1"
    echo "SMTP_TLS_NAME=localhost"
    echo "SMTP_PLAIN_PORT=$plain_port"
    echo "SMTP_SUBMISSIONS_PORT=$submissions_port"
    echo "SMTP_CA_FILE=$tls/ca.pem"
    echo "SMTP_USER=$smtp_user"
    echo "SMTP_PASSWORD=$smtp_password"
    echo "SMTP_DOMAIN=example.test"
    echo "SMTP_UNKNOWN_RECIPIENT=unknown@example.test"
    echo "SMTP_MAILDIR=$DIR/maildir"
    echo "SMTP_BOUNCE_ADDRESS=bounces@example.test"
    echo "SMTP_BOUNCE_MAILDIR=$DIR/bounces"
    echo "SMTP_NO_MAILBOX_PREFIX=nouser"
    echo "SMTP_LOG=$DIR/postfix.log"
    echo "DOVECOT_LOG=$DIR/dovecot.log"
    echo "IMAP_HOST=127.0.0.1"
    echo "IMAP_TLS_NAME=localhost"
    echo "IMAP_PORT=$imap_port"
    echo "IMAPS_PORT=$imaps_port"
    echo "IMAP_CA_FILE=$tls/ca.pem"
    echo "IMAP_USER=$imap_user"
    echo "IMAP_PASSWORD=$imap_password"
    echo "IMAP_MAILDIR=$DIR/imap-maildir"
    echo "IMAP_LOG=$DIR/imap.log"
    echo "IMAP_OAUTH_USER=$oauth_user"
    echo "IMAP_FOLDERS_USER=$folders_user"
    echo "IMAP_OAUTH_TOKEN=$oauth_token"
    echo "OAUTH_INTROSPECT_LOG=$DIR/oauth-introspect.log"
    echo "POP3_PORT=$pop3_port"
    echo "POP3S_PORT=$pop3s_port"
    grep '^FAULTY_PORT_' "$DIR/faulty.env"
    grep '^FAULTY_IMAP_PORT_' "$DIR/faulty-imap.env"
    grep '^FAULTY_POP3_PORT_' "$DIR/faulty-pop3.env"
    echo "FAULTY_LOG_DIR=$DIR"
    echo "SERVERS_PIDS=$(awk '{print $2}' "$DIR/pids" | paste -sd, -)"
    echo "SERVERS_DIR=$DIR"
} >"$DIR/servers.env.tmp"
mv "$DIR/servers.env.tmp" "$DIR/servers.env"

started=yes
awk -v began="$began" -v now="$EPOCHREALTIME" -v env="$DIR/servers.env" \
    'BEGIN { printf "start.sh: mail servers ready in %.1f s; settings in %s\n", now - began, env }'
