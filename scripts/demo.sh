#!/usr/bin/env bash
# The demo on built-in defaults: read the sample notices (real shapes of Japanese mail: ISO-2022-JP, UTF-8 base64,
# HTML, a forward, two phishing attempts) the way notifier's vendor side reads a mailbox.
set -euo pipefail
notifier=${1:-.build/debug/notifier}
corpus="$(dirname "$0")/../Tests/MailParseTests/Fixtures/corpus"

echo "== notifier parse: what each sample message is"
"$notifier" parse "$corpus"/*.eml
echo
echo "== notifier parse --json: the same as JSON lines, for other tools"
"$notifier" parse --json "$corpus"/*.eml
