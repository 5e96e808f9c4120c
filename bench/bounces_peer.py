#!/usr/bin/env python3
"""The flufl.bounce peer of `bench/bounces.sh`: GNU Mailman's bounce detectors over the same files.

Usage: bounces_peer.py FILE...      (run with the Python of a virtual environment that has flufl.bounce)

For each file, one JSON line: {"file": NAME, "recipients": [...], "permanent": [...]} where `recipients` is every
address flufl.bounce's `all_failures` reports (temporary and permanent, as bytes decoded to text, lower-cased,
sorted) and `permanent` the ones `scan_message` reports. A file that makes flufl.bounce raise gets
"error" instead, and the loop goes on.
"""

import email
import json
import os
import sys

from flufl.bounce import all_failures


def text(address):
    if isinstance(address, bytes):
        address = address.decode("utf-8", "replace")
    return address.strip().lower()


def main():
    out = sys.stdout
    for path in sys.argv[1:]:
        record = {"file": os.path.basename(path)}
        try:
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read())
            temporary, permanent = all_failures(msg)
            record["recipients"] = sorted({text(a) for a in temporary | permanent if a})
            record["permanent"] = sorted({text(a) for a in permanent if a})
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the loop
            record["error"] = f"{type(error).__name__}: {error}"
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
