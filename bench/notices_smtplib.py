#!/usr/bin/env python3
"""The Python peer of the `notices send` bench (bench/notices.sh): Python's smtplib over one connection.

Usage: notices_smtplib.py HOST PORT MESSAGE.eml N

Builds N messages from MESSAGE.eml (a notice as `notifier compose update_notice` writes it, CRLF line ends) before
connecting, each with its own Message-ID and recipient of the same length, so every message has exactly the size
of MESSAGE.eml; then opens one `smtplib.SMTP` connection and hands them over one `sendmail` call each (EHLO once,
MAIL, RCPT, DATA per message, on one reused connection, as notifier does), and QUITs.
Prints one line: messages, seconds of the sending loop alone, messages/s. Exit status 1 if a message is refused.
Only the standard library is used.
"""

import re
import smtplib
import sys
import time

SENDER = "nyusatsu@to-kousya.example"


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: notices_smtplib.py HOST PORT MESSAGE.eml N")
    host, port, path, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    with open(path, "rb") as f:
        template = f.read()
    match = re.search(rb"^Message-ID: <([^>]*)>", template, re.MULTILINE | re.IGNORECASE)
    if not match:
        sys.exit(f"{path}: no Message-ID header")
    width = len(match.group(1))
    messages = []
    for i in range(count):
        # Same length as the original id, so the size does not change: a zero-padded counter, then the original tail.
        message_id = (b"%08d" % i + match.group(1)[8:]) if width > 8 else match.group(1)
        message = template[:match.start(1)] + message_id + template[match.end(1):]
        recipient = "nyusatsu.%07d@example.test" % (1_000_000 + i % 9_000_000)
        messages.append((recipient, message))

    refused = 0
    start = time.perf_counter()
    with smtplib.SMTP(host, port) as smtp:
        for recipient, message in messages:
            try:
                smtp.sendmail(SENDER, [recipient], message)
            except smtplib.SMTPException as error:
                refused += 1
                if refused <= 3:
                    print(f"refused: {error}", file=sys.stderr)
    seconds = time.perf_counter() - start
    print(f"{count} messages ({len(template)} bytes each) in {seconds:.3f} s: {count / seconds:.0f} msg/s"
          f"{f', {refused} refused' if refused else ''}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
