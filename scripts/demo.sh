#!/usr/bin/env bash
# The demo on built-in defaults, on one machine with nothing else: the issuer imports its vendors and sends the
# year's update notices into a Maildir outbox; notifier then reads those notices the way the vendor side reads a
# mailbox, and reads the sample corpus (ISO-2022-JP, UTF-8 base64, HTML, a forward, two phishing attempts).
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
echo "== notifier parse: the notices as a vendor's mailbox receives them"
"$notifier" parse --json "$work"/outbox/new/*
echo
echo "== notifier parse: the sample corpus (real shapes of Japanese mail, two of them phishing)"
"$notifier" parse "$root"/Tests/MailParseTests/Fixtures/corpus/*.eml
