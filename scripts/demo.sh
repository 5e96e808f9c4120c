#!/usr/bin/env bash
# The demo on built-in defaults, on one machine with nothing else: the issuer imports its vendors and sends the
# year's update notices into a Maildir outbox; the vendor side watches that Maildir as its mailbox, keeps the URLs
# in its vault and prints one again for another PC; last, it reads the sample corpus (ISO-2022-JP, UTF-8 base64,
# HTML, a forward, phishing attempts).
set -euo pipefail
notifier=${1:-.build/debug/notifier}
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/notifier.sqlite3"

echo "== notifier vendors import: the issuer's registry"
"$notifier" --db "$db" vendors import "$root/examples/vendors.csv"
"$notifier" --db "$db" vendors list
echo
echo "== notifier notices send: one personal notice per vendor, into a Maildir outbox (--force: outside the window)"
"$notifier" --db "$db" notices send --force --connections 2 \
    --download-url-base https://bid.to-kousya.example/cert/download \
    --from "JKK東京 電子入札システム <nyusatsu@to-kousya.example>" --outbox "$work/outbox"
"$notifier" --db "$db" notices status
echo
echo "== notifier watch --once: the outbox as the vendors' mailbox; trusted notices go into the URL vault"
vendor_db="$work/vendor.sqlite3"
"$notifier" --db "$vendor_db" watch --maildir "$work/outbox" --once
echo
echo "== notifier urls: the vault (kept for installing on another PC)"
"$notifier" --db "$vendor_db" urls
echo
echo "== notifier resend-url --print: the URL again, for the second PC"
"$notifier" --db "$vendor_db" resend-url --vendor 5184962 --print
echo
echo "== notifier watch --once over the sample corpus: phishing is reported, never stored"
mkdir -p "$work/corpus/new" "$work/corpus/cur" "$work/corpus/tmp"
cp "$root"/Tests/MailParseTests/Fixtures/corpus/p*.eml "$work/corpus/new/"
"$notifier" --db "$vendor_db" watch --maildir "$work/corpus" --once --relay-command 'cat > /dev/null' 2>&1
