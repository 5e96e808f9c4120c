#!/usr/bin/env python3
"""A POP3 server without TLS for the POP3 client's clear-text login test (the counterpart of faulty_imap.py's
cleartext mode). Standard library only.

One process, one port per mode on 127.0.0.1 (the OS picks the ports). Every mode speaks plain POP3: CAPA lists no
STLS, so a client must refuse to log in to a non-loopback name unless told to. USER and PASS accept anything. The
maildrop is read-only and the same in every session; DELE is refused and logged.

Modes:
  cleartext   the maildrop holds two trusted update notices (UIDL notice-1 and notice-2)
  notop       as cleartext, but TOP is refused ("-ERR unknown command", as a server without the optional TOP)
  in_use      PASS is refused with "-ERR [IN-USE] ...": another session (the vendor's mail program) holds the maildrop

Log: DIR/faulty-pop3-<mode>.log, one line per event, flushed at once:
  <conn> CONNECT            a connection was accepted
  <conn> <COMMAND...>       every command as received (PASS's argument replaced by ***)
  <conn> CLOSE              the connection ended

When every port listens, the server writes DIR/faulty-pop3.env (atomically) with FAULTY_POP3_PORT_<MODE>=<port> lines
and FAULTY_POP3_PID=<pid>; start.sh waits for it. SIGTERM or SIGINT stop it.
"""

import argparse
import asyncio
import os
import sys

import faultyserve  # beside this file

MODES = ["cleartext", "notop", "in_use"]
IDLE_TIMEOUT = 120  # seconds without a command before we hang up


class ModeServer(faultyserve.ModeServer):
    def __init__(self, mode, directory, corpus):
        super().__init__(mode, os.path.join(directory, f"faulty-pop3-{mode}.log"))
        self.messages = []
        for name in ("p01_update_utf8_base64.eml", "p11_update_utf8_base64_2.eml"):
            with open(os.path.join(corpus, name), "rb") as f:
                self.messages.append(f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def stuffed(data):
    """The message as a multi-line answer: dot-stuffed, ended by CRLF . CRLF (RFC 1939 §3)."""
    lines = data.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines) + b".\r\n"


class Session(faultyserve.Session):
    async def send(self, data):
        self.writer.write(data.encode("utf-8") if isinstance(data, str) else data)
        await self.writer.drain()

    async def run(self):
        self.log("CONNECT")
        await self.send(f"+OK faulty-pop3 mode={self.mode} ready\r\n")
        messages = self.server.messages
        while True:
            raw = await asyncio.wait_for(self.reader.readline(), IDLE_TIMEOUT)
            if not raw:
                return
            line = raw.rstrip(b"\r\n").decode("utf-8", errors="backslashreplace")
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            self.log("PASS ***" if verb == "PASS" else line)
            if verb == "CAPA":
                await self.send("+OK\r\nUSER\r\nUIDL\r\nTOP\r\nRESP-CODES\r\n.\r\n")
            elif verb == "PASS" and self.mode == "in_use":
                await self.send("-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n")
            elif verb in ("USER", "PASS", "NOOP", "RSET"):
                await self.send("+OK\r\n")
            elif verb == "QUIT":
                await self.send("+OK bye\r\n")
                return
            elif verb == "STAT":
                await self.send(f"+OK {len(messages)} {sum(map(len, messages))}\r\n")
            elif verb == "UIDL" and not argument:
                await self.send("+OK\r\n" + "".join(f"{n} notice-{n}\r\n" for n in range(1, len(messages) + 1))
                                + ".\r\n")
            elif verb == "LIST" and not argument:
                await self.send("+OK\r\n" + "".join(f"{n} {len(m)}\r\n" for n, m in enumerate(messages, 1)) + ".\r\n")
            elif verb == "TOP" and self.mode == "notop":
                await self.send("-ERR unknown command\r\n")
            elif verb in ("RETR", "TOP"):
                words = argument.split()
                number = int(words[0]) if words and words[0].isdigit() else 0
                if not 1 <= number <= len(messages):
                    await self.send("-ERR no such message\r\n")
                    continue
                data = messages[number - 1]
                if verb == "TOP":
                    data = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                await self.send(b"+OK\r\n" + stuffed(data))
            else:
                await self.send("-ERR not here\r\n")


ModeServer.session_class = Session


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="folder for logs and faulty-pop3.env")
    parser.add_argument("--corpus", required=True, help="the sample notices (Tests/MailParseTests/Fixtures/corpus)")
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args()

    servers = []
    ports = {}
    for mode in MODES:
        mode_server = ModeServer(mode, options.dir, options.corpus)
        server = await asyncio.start_server(mode_server.handle, options.host, 0)
        servers.append(server)
        ports[mode] = server.sockets[0].getsockname()[1]

    faultyserve.announce(options.dir, "faulty-pop3.env", "FAULTY_POP3", ports)
    await faultyserve.serve_until_signalled(servers)


if __name__ == "__main__":
    asyncio.run(main())
