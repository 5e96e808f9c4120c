#!/usr/bin/env python3
"""POP3 helpers for start.sh, the smoke test and the POP3 tests, with Python's poplib (a client that is not
notifier). Standard library only. The settings come from DIR/servers.env; every session is over pop3s.

  pop3util.py list DIR
      Prints the maildrop: one "NUMBER UIDL SIZE" line per message (a session of its own; nothing changes).
  pop3util.py delete DIR UIDL...
      Plays another mail program that deletes after download: DELE of the messages with these UIDLs, then QUIT.
  pop3util.py clear DIR
      DELE of every message, then QUIT: an empty maildrop for a test.
"""

import poplib
import ssl
import sys

import srvutil  # beside this file: servers.env


def connect(env):
    context = ssl.create_default_context(cafile=env["IMAP_CA_FILE"])
    client = poplib.POP3_SSL(env["IMAP_TLS_NAME"], int(env["POP3S_PORT"]), context=context, timeout=10)
    client.user(env["IMAP_USER"])
    client.pass_(env["IMAP_PASSWORD"])
    return client


def listing(client):
    """[(number, uidl, size)] of the session."""
    uids = {}
    for line in client.uidl()[1]:
        number, uid = line.decode().split(" ", 1)
        uids[int(number)] = uid
    sizes = {}
    for line in client.list()[1]:
        number, size = line.decode().split(" ", 1)
        sizes[int(number)] = int(size)
    return [(number, uids[number], sizes[number]) for number in sorted(uids)]


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    command, directory = argv[0], argv[1]
    env = srvutil.load_env(directory)
    client = connect(env)
    try:
        entries = listing(client)
        if command == "list":
            for number, uid, size in entries:
                print(number, uid, size)
        elif command == "delete":
            for number, uid, _ in entries:
                if uid in argv[2:]:
                    client.dele(number)
        elif command == "clear":
            for number, _, _ in entries:
                client.dele(number)
        else:
            sys.exit(f"pop3util: unknown command {command}")
    finally:
        client.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
