#!/usr/bin/env python3
"""A deliberately misbehaving IMAP server for the IMAP client's integration tests (the counterpart of faulty_smtp.py).

One process serves every mode, each on its own port on 127.0.0.1 (the OS picks the ports). Standard library only.
Every mode speaks plain IMAP (no STARTTLS: so a client must refuse to log in to a non-loopback name unless told to)
and accepts LOGIN with any user and password. The mailbox is read-only and the same in every session.

Modes (the behaviour is fixed per port):
  ok               behaves: INBOX holds two trusted update notices (UID 1 and 2)
  cleartext        as ok, on a port of its own: the clear-text login test reads this log alone, while other suites
                   use ok at the same time
  oversized        INBOX holds a notice (UID 1), a message of OVERSIZED_BYTES (UID 2, just over 64 MiB) and a
                   second notice (UID 3); RFC822.SIZE tells the truth
  lying_size       as oversized, but RFC822.SIZE says every message is small: the client learns the size only from
                   the literal of BODY.PEEK[]
  untagged_flood   after LOGIN, answers EXAMINE with untagged lines ("* OK flood n"), as fast as the client reads,
                   and never the tagged answer
  idle_flood       as ok, but once IDLE has started it sends endless untagged lines ("* OK still here n")
  endless_literal  one message; UID FETCH of its body starts a literal of 10^12 bytes and trickles bytes (57 KB
                   every 10 ms), so the connection is never quiet
  stall            after LOGIN, never answers EXAMINE (nor anything else)

Bounds: nothing runs for ever. A flood or an endless literal stops after STREAM_SECONDS or STREAM_BYTES per
connection (whichever comes first) and then closes the connection; a stall holds the connection STALL_SECONDS at
most; a connection without a command for IDLE_TIMEOUT seconds is closed.

Log: DIR/faulty-imap-<mode>.log, one line per event, flushed at once:
  <conn> CONNECT            a connection was accepted
  <conn> <TAG> <COMMAND...> every command as received (LOGIN's arguments replaced by ***)
  <conn> STREAMED <bytes>   a flood or endless literal ended (the client left, or the bound was reached)
  <conn> CLOSE              the connection ended

When every port listens, the server writes DIR/faulty-imap.env (atomically) with FAULTY_IMAP_PORT_<MODE>=<port> lines
and FAULTY_IMAP_PID=<pid>; start.sh waits for it. SIGTERM or SIGINT stop it.
"""

import argparse
import asyncio
import os
import re
import sys

import faultyserve  # beside this file

MODES = ["ok", "cleartext", "oversized", "lying_size", "untagged_flood", "idle_flood", "endless_literal", "stall"]

IDLE_TIMEOUT = 120        # seconds without a command before we hang up
STALL_SECONDS = 120       # how long stall holds a connection at most
STREAM_SECONDS = 40       # how long a flood or an endless literal goes on at most per connection
STREAM_BYTES = 512 << 20  # how many bytes a flood or an endless literal sends at most per connection
TRICKLE_PAUSE = 0.01      # the endless literal's pause between chunks: always busy, never fast (about 5 MB/s)
OVERSIZED_BYTES = (64 << 20) + (1 << 20)   # 65 MiB: over the 64 MiB the client used to choke on
LINE_LIMIT = 1 << 20
UIDVALIDITY = 20261130


def oversized_message():
    """The header of the big message; its body is generated as it is sent (never held in memory)."""
    return (b"From: bulk@example.test\r\nTo: vendor@example.test\r\nSubject: big attachment\r\n"
            b"Message-ID: <oversized@faulty-imap.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n")


class Message:
    def __init__(self, data=None, size=None):
        self.data = data          # bytes, or None for the generated oversized message
        self.size = len(data) if data is not None else size


class ModeServer(faultyserve.ModeServer):
    def __init__(self, mode, directory, corpus):
        super().__init__(mode, os.path.join(directory, f"faulty-imap-{mode}.log"))
        with open(os.path.join(corpus, "p01_update_utf8_base64.eml"), "rb") as f:
            first = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with open(os.path.join(corpus, "p11_update_utf8_base64_2.eml"), "rb") as f:
            second = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if mode in ("oversized", "lying_size"):
            self.messages = {1: Message(first), 2: Message(None, OVERSIZED_BYTES), 3: Message(second)}
        elif mode == "endless_literal":
            self.messages = {1: Message(first)}
        else:
            self.messages = {1: Message(first), 2: Message(second)}



def uid_set(text, highest):
    """The UIDs of an IMAP sequence set ("1", "2:4", "3:*", "1,5") among 1...highest, with n:* meaning at least the
    highest (RFC 3501 §6.4.8)."""
    result = set()
    for item in text.split(","):
        low, _, high = item.partition(":")
        low = highest if low == "*" else int(low)
        high = low if not high else (highest if high == "*" else int(high))
        low, high = min(low, high), max(low, high)
        result.update(range(low, high + 1))
    return result


class Session(faultyserve.Session):
    def __init__(self, server, conn, reader, writer):
        super().__init__(server, conn, reader, writer)
        self.logged_in = False

    async def send(self, text):
        self.writer.write(text.encode("utf-8") if isinstance(text, str) else text)
        await self.writer.drain()

    async def run(self):
        self.log("CONNECT")
        await self.send(f"* OK [CAPABILITY IMAP4rev1 IDLE] faulty-imap mode={self.mode} ready\r\n")
        while True:
            raw = await asyncio.wait_for(self.reader.readline(), IDLE_TIMEOUT)
            if not raw:
                return
            line = raw.rstrip(b"\r\n").decode("utf-8", errors="backslashreplace")
            tag, _, rest = line.partition(" ")
            verb, _, argument = rest.partition(" ")
            verb = verb.upper()
            self.log(f"{tag} LOGIN ***" if verb == "LOGIN" else f"{tag} {verb} {argument}".rstrip())
            if self.logged_in and self.mode == "stall":
                await self.hold()
                return
            handler = getattr(self, "cmd_" + verb.lower(), None) if verb.isalpha() else None
            if handler is None:
                await self.send(f"{tag} BAD unknown command\r\n")
                continue
            if await handler(tag, argument) == "close":
                return

    async def hold(self):
        """Reads and ignores what comes until the client leaves (bounded by STALL_SECONDS)."""
        try:
            async with asyncio.timeout(STALL_SECONDS):
                while await self.reader.read(65536):
                    pass
        except TimeoutError:
            pass

    async def stream(self, chunk, pause=0):
        """Sends `chunk` again and again (`pause` seconds apart) until the client leaves or a bound is reached; then
        the caller closes."""
        sent = 0
        loop = asyncio.get_running_loop()
        end = loop.time() + STREAM_SECONDS
        try:
            while sent < STREAM_BYTES and loop.time() < end:
                self.writer.write(chunk)
                await self.writer.drain()
                sent += len(chunk)
                if pause:
                    await asyncio.sleep(pause)
        finally:
            self.log(f"STREAMED {sent}")
        return "close"

    async def cmd_capability(self, tag, argument):
        await self.send(f"* CAPABILITY IMAP4rev1 IDLE\r\n{tag} OK CAPABILITY completed\r\n")

    async def cmd_login(self, tag, argument):
        self.logged_in = True
        await self.send(f"{tag} OK [CAPABILITY IMAP4rev1 IDLE] LOGIN completed\r\n")

    async def cmd_noop(self, tag, argument):
        await self.send(f"{tag} OK NOOP completed\r\n")

    async def cmd_logout(self, tag, argument):
        await self.send(f"* BYE faulty-imap logging out\r\n{tag} OK LOGOUT completed\r\n")
        return "close"

    async def cmd_examine(self, tag, argument):
        if self.mode == "untagged_flood":
            lines = "".join(f"* OK flood {n} {'x' * 40}\r\n" for n in range(1000)).encode()
            return await self.stream(lines)
        messages = self.server.messages
        await self.send(f"* {len(messages)} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n"
                        f"* OK [UIDVALIDITY {UIDVALIDITY}] UIDs valid\r\n"
                        f"* OK [UIDNEXT {max(messages) + 1}] next UID\r\n"
                        f"{tag} OK [READ-ONLY] EXAMINE completed\r\n")

    cmd_select = cmd_examine

    async def cmd_uid(self, tag, argument):
        sub, _, rest = argument.partition(" ")
        sub = sub.upper()
        messages = self.server.messages
        if sub == "SEARCH":
            match = re.search(r"UID (\S+)", rest, re.IGNORECASE)
            uids = sorted(uid_set(match.group(1), max(messages)) & set(messages)) if match else sorted(messages)
            await self.send(f"* SEARCH {' '.join(map(str, uids))}\r\n{tag} OK SEARCH completed\r\n")
            return
        if sub != "FETCH":
            await self.send(f"{tag} BAD only UID SEARCH and UID FETCH\r\n")
            return
        numbers, _, items = rest.partition(" ")
        items = items.upper()
        for uid in sorted(uid_set(numbers, max(messages)) & set(messages)):
            message = messages[uid]
            reported = 3000 if self.mode in ("lying_size", "endless_literal") else message.size
            parts = [f"UID {uid}"]
            if "FLAGS" in items:
                parts.append("FLAGS ()")
            if "RFC822.SIZE" in items:
                parts.append(f"RFC822.SIZE {reported}")
            if "BODY.PEEK[]" not in items and "BODY[]" not in items:
                await self.send(f"* {uid} FETCH ({' '.join(parts)})\r\n")
                continue
            if self.mode == "endless_literal":
                await self.send(f"* {uid} FETCH ({' '.join(parts)} BODY[] {{1000000000000}}\r\n")
                return await self.stream(b"Received: endless\r\n" * 3000, TRICKLE_PAUSE)
            await self.send(f"* {uid} FETCH ({' '.join(parts)} BODY[] {{{message.size}}}\r\n")
            if message.data is not None:
                await self.send(message.data)
            else:
                header = oversized_message()
                await self.send(header)
                left = message.size - len(header)
                line = b"X" * 98 + b"\r\n"
                block = line * 10000
                while left > 0:
                    piece = block[:left]
                    await self.send(piece)
                    left -= len(piece)
            await self.send(")\r\n")
        await self.send(f"{tag} OK FETCH completed\r\n")

    async def cmd_idle(self, tag, argument):
        await self.send("+ idling\r\n")
        if self.mode == "idle_flood":
            return await self.stream("".join(f"* OK still here {n}\r\n" for n in range(1000)).encode())
        raw = await asyncio.wait_for(self.reader.readline(), IDLE_TIMEOUT)
        if not raw:
            return "close"
        await self.send(f"{tag} OK IDLE terminated\r\n")


ModeServer.session_class = Session


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="folder for logs and faulty-imap.env")
    parser.add_argument("--corpus", required=True, help="the sample notices (Tests/MailParseTests/Fixtures/corpus)")
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args()

    servers = []
    ports = {}
    for mode in MODES:
        mode_server = ModeServer(mode, options.dir, options.corpus)
        server = await asyncio.start_server(mode_server.handle, options.host, 0, limit=LINE_LIMIT)
        servers.append(server)
        ports[mode] = server.sockets[0].getsockname()[1]

    faultyserve.announce(options.dir, "faulty-imap.env", "FAULTY_IMAP", ports)
    await faultyserve.serve_until_signalled(servers)


if __name__ == "__main__":
    if sys.version_info < (3, 11):
        sys.exit("faulty_imap.py needs Python 3.11 or later (asyncio.timeout)")
    asyncio.run(main())
