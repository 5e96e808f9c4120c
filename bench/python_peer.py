#!/usr/bin/env python3
"""The Python peer of `bench/run.sh`: what a short script with the standard library would do to read the notices.

Usage: python_peer.py FILE...

For each file, in the same loop shape as `notifier parse --json FILE...` (one process, one file after the other,
one output line per file): read the bytes, parse them with `email.message_from_bytes(data,
policy=email.policy.default)` (the modern API, which decodes RFC 2047 headers and charsets), pick the body with
`get_body(('plain', 'html'))` and decode it with `get_content()`. It prints a minimal line (file, body length,
subject) so that the work cannot be skipped and the output stays small. It does not look for the notice fields:
the comparison is generous to Python, which only has to parse and decode.

A message that Python cannot decode (an unknown charset, say) gets an error line instead, and the loop goes on,
as notifier's does.
"""

import email
import email.policy
import sys


def main():
    out = sys.stdout
    for path in sys.argv[1:]:
        try:
            with open(path, "rb") as f:
                data = f.read()
            msg = email.message_from_bytes(data, policy=email.policy.default)
            body = msg.get_body(("plain", "html"))
            text = body.get_content() if body is not None else ""
            subject = str(msg.get("Subject", "")).replace("\t", " ").replace("\n", " ")
            out.write(f"{path}\t{len(text)}\t{subject}\n")
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the loop
            out.write(f"{path}\terror\t{type(error).__name__}: {error}\n")


if __name__ == "__main__":
    main()
