#!/usr/bin/env python3
"""A deliberately misbehaving SMTP server for the SMTP client's integration tests.

One process serves every mode, each on its own port on 127.0.0.1 (the OS picks the ports, so there is no race
with other programs). Only the standard library is used, so it runs under any python3 >= 3.11 (for
StreamWriter.start_tls), and every byte it sends is under our control -- which is the point: Postfix cannot be
made to fail on demand.

Modes (the behaviour is fixed per port):
  ok           behaves well: accepts every message (a baseline for the log-based counting tests)
  greeting421  answers 421 at the greeting and closes the connection
  rcpt451      answers every RCPT TO with 451 4.7.1 (temporary failure)
  rcpt550      answers every RCPT TO with 550 5.1.1 (unknown user)
  data451      answers 451 4.3.0 after the end of DATA (temporary failure of the whole message)
  data552      answers 552 5.3.4 after the end of DATA
  drop_data    closes the connection in the middle of DATA, after receiving up to 3 lines of the message
  stall        accepts the TCP connection and never sends the greeting
  stall_data   behaves until the end of DATA, then never answers
  mail530      answers MAIL FROM with 530 5.7.0 Authentication required (a server that wants a login)
  noauth       behaves, but never offers AUTH (a client told to log in must not send without logging in)
  hangup       accepts a message, then says 421 unasked and closes (as a server does with an idle connection
               when it times out or shuts down)
  recipient    the recipient decides: an address containing "+451" gets 451 4.7.1, one containing "+550" gets
               550 5.1.1, anything else 250 (for batch tests where some recipients fail)

All modes that answer EHLO offer SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, AUTH PLAIN LOGIN (any user and
password is accepted; not noauth) and, when --cert/--key are given, STARTTLS (not notls).

Every mode runs twice: as above, and as <mode>_pipelining, which also offers PIPELINING (RFC 2920). Both watch the
client's manners: a command that arrives while the reply to the one before it has not been sent yet (the client
did not wait) is logged as EARLY -- on a plain port for any command, on a _pipelining port for those RFC 2920
allows only at the end of a group (EHLO, HELO, STARTTLS, AUTH, QUIT, and DATA: no message before the 354). The
command is then served as usual; tests look for EARLY lines in the log.

Log: DIR/faulty-<mode>.log gets one line per event, flushed at once, written *before* the reply is sent, so a
client that has its answer can read the log right away:
  <conn> CONNECT <peer>        a TCP connection was accepted (conn counts from 1 per mode)
  <conn> <VERB> <arguments>    every SMTP command: the verb in capitals, the arguments as received (AUTH
                               credentials are replaced by "***")
  <conn> DATA-END <bytes>      the end-of-data dot arrived; <bytes> is the size of the message after un-stuffing
  <conn> EARLY <VERB>          the client sent more before this command's reply (see above); EARLY MESSAGE: it
                               sent the next command before the reply to the end-of-data dot (plain ports only)
  <conn> GROUPED <VERB>        the same where PIPELINING allows it (a _pipelining port, not a group's last command)
  <conn> DROP                  drop_data closed the connection in the middle of DATA
  <conn> HANGUP                hangup is about to say 421 and close, after a message it accepted
  <conn> CLOSE                 the connection ended (logged after the fact: may lag behind the client)
Counting CONNECT lines against "MAIL FROM" lines tells how many messages travelled over one connection.

Messages accepted with 250 are saved as DIR/faulty-<mode>/<conn>-<n>.eml (raw, dot-unstuffed, CRLF as received).

When every port is listening, the server writes DIR/faulty.env (atomically: a temporary file then rename) with
FAULTY_PORT_<MODE>=<port> lines (FAULTY_PORT_RCPT451, FAULTY_PORT_RCPT451_PIPELINING...) and FAULTY_PID=<pid>;
start.sh waits for that file. SIGTERM or SIGINT stop it.
"""

import argparse
import asyncio
import os
import ssl
import sys

import faultyserve  # beside this file

MODES = ["ok", "notls", "greeting421", "rcpt451", "rcpt550", "data451", "data552", "drop_data", "stall", "stall_data",
         "mail530", "hangup", "recipient", "noauth"]

IDLE_TIMEOUT = 300      # seconds without a command before we hang up: no connection can outlive a test run
STALL_SECONDS = 600     # how long the stall modes hold a connection at most (the client should time out first)
DROP_AFTER_LINES = 3    # drop_data closes after this many message lines (or the end-of-data dot, if sooner)
LINE_LIMIT = 1 << 20    # longest line accepted (RFC 5321 says 1000, but a client under test may send more)
HOSTNAME = "localhost"


# RFC 2920 §3.1 (and RFC 3207, RFC 4954 for STARTTLS and AUTH): commands that may only end a group.
GROUP_ENDERS = {"EHLO", "HELO", "STARTTLS", "AUTH", "DATA", "QUIT"}


class ModeServer(faultyserve.ModeServer):
    """The state shared by all connections of one mode and flavour: its counter, log file and message folder."""

    def __init__(self, mode, pipelining, directory, tls_context):
        self.name = mode + ("_pipelining" if pipelining else "")
        super().__init__(mode, os.path.join(directory, f"faulty-{self.name}.log"))
        self.pipelining = pipelining
        self.tls_context = tls_context
        self.message_dir = os.path.join(directory, f"faulty-{self.name}")
        os.makedirs(self.message_dir, exist_ok=True)



class Session(faultyserve.Session):
    """One SMTP connection."""

    def __init__(self, server, conn, reader, writer):
        super().__init__(server, conn, reader, writer)
        self.tls = False
        self.messages = 0
        self.reset()

    def reset(self):
        self.sender = None
        self.recipients = []

    def client_sent_ahead(self):
        """Whether more of the client's bytes are already here, before the reply to what was just read.

        StreamReader keeps them in its (private) buffer; this server is a test tool pinned to CPython 3.11+.
        """
        return len(self.reader._buffer) > 0

    async def reply(self, *lines):
        """Sends a (possibly multi-line) reply: all lines but the last get a '-' after the code."""
        out = []
        for index, line in enumerate(lines):
            code, _, text = line.partition(" ")
            separator = " " if index == len(lines) - 1 else "-"
            out.append(f"{code}{separator}{text}\r\n")
        self.writer.write("".join(out).encode("utf-8"))
        await self.writer.drain()

    async def read_line(self, timeout=IDLE_TIMEOUT):
        """One line without its line ending, or None at end of file."""
        line = await asyncio.wait_for(self.reader.readline(), timeout)
        if not line:
            return None
        return line.rstrip(b"\r\n").decode("utf-8", errors="backslashreplace")

    async def hold_until_eof(self):
        """Reads and ignores whatever comes until the client hangs up (bounded by STALL_SECONDS)."""
        try:
            async with asyncio.timeout(STALL_SECONDS):
                while await self.reader.read(65536):
                    pass
        except TimeoutError:
            pass

    async def run(self):
        peer = self.writer.get_extra_info("peername")
        self.log(f"CONNECT {peer[0]}:{peer[1]}" if peer else "CONNECT")
        if self.mode == "stall":
            await self.hold_until_eof()
            return
        if self.mode == "greeting421":
            await self.reply(f"421 4.3.2 {HOSTNAME} Service not available, closing transmission channel")
            return
        await self.reply(f"220 {HOSTNAME} ESMTP faulty-smtp mode={self.mode}")
        while True:
            line = await self.read_line()
            if line is None:
                return
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            if self.client_sent_ahead():
                allowed = self.server.pipelining and verb not in GROUP_ENDERS
                self.log(f"{'GROUPED' if allowed else 'EARLY'} {verb}")
            # The verb is logged in capitals whatever the client sent (tests can count " MAIL " lines), the rest
            # as received, except AUTH credentials.
            self.log(f"AUTH {argument.split(' ')[0]} ***" if verb == "AUTH" else f"{verb} {argument}".rstrip())
            handler = getattr(self, "cmd_" + verb.lower(), None) if verb.isalpha() else None
            if handler is None:
                await self.reply("502 5.5.2 Error: command not recognized")
                continue
            if await handler(argument) == "close":
                return

    # --- commands: each returns "close" to end the connection ---

    async def cmd_ehlo(self, argument):
        self.reset()
        lines = [f"250 {HOSTNAME}", "250 SIZE 10240000", "250 8BITMIME", "250 SMTPUTF8", "250 ENHANCEDSTATUSCODES"]
        if self.server.mode != "noauth":
            lines.append("250 AUTH PLAIN LOGIN")
        if self.server.pipelining:
            lines.append("250 PIPELINING")
        # notls: a server that never offers STARTTLS (for clients that must refuse to send in clear).
        if self.server.tls_context is not None and not self.tls and self.server.mode != "notls":
            lines.append("250 STARTTLS")
        await self.reply(*lines)

    async def cmd_helo(self, argument):
        self.reset()
        await self.reply(f"250 {HOSTNAME}")

    async def cmd_starttls(self, argument):
        if self.server.tls_context is None or self.tls or self.server.mode == "notls":
            await self.reply("454 4.7.0 TLS not available")
            return
        await self.reply("220 2.0.0 Ready to start TLS")
        await self.writer.start_tls(self.server.tls_context)
        self.tls = True
        self.reset()

    async def cmd_auth(self, argument):
        # Any credentials are accepted: these modes test the mail transaction, not authentication. The exchange is
        # still carried out faithfully (initial response or 334 continuations) so a client's AUTH code runs.
        parts = argument.split()
        mechanism = parts[0].upper() if parts else ""
        if self.server.mode == "noauth" or mechanism not in ("PLAIN", "LOGIN"):
            await self.reply("504 5.5.4 Unrecognized authentication type")
            return
        if mechanism == "PLAIN":
            if len(parts) < 2:
                await self.reply("334 ")
                if await self.read_line() in (None, "*"):
                    await self.reply("501 5.7.0 Authentication aborted")
                    return
        else:
            prompts = ["334 UGFzc3dvcmQ6"] if len(parts) >= 2 else ["334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"]
            for prompt in prompts:
                await self.reply(prompt)
                if await self.read_line() in (None, "*"):
                    await self.reply("501 5.7.0 Authentication aborted")
                    return
        await self.reply("235 2.7.0 Authentication successful")

    async def cmd_mail(self, argument):
        if self.sender is not None:
            await self.reply("503 5.5.1 Error: nested MAIL command")
            return
        if self.mode == "mail530":
            await self.reply("530 5.7.0 Authentication required")
            return
        self.sender = argument
        await self.reply("250 2.1.0 Ok")

    async def cmd_rcpt(self, argument):
        if self.sender is None:
            await self.reply("503 5.5.1 Error: need MAIL command")
            return
        address = argument.partition(":")[2].strip()
        if self.mode == "rcpt451" or (self.mode == "recipient" and "+451" in address):
            await self.reply(f"451 4.7.1 {address}: Recipient address rejected: try again later")
        elif self.mode == "rcpt550" or (self.mode == "recipient" and "+550" in address):
            await self.reply(f"550 5.1.1 {address}: Recipient address rejected: User unknown")
        else:
            self.recipients.append(address)
            await self.reply("250 2.1.5 Ok")

    async def cmd_data(self, argument):
        if self.sender is None:
            await self.reply("503 5.5.1 Error: need MAIL command")
            return
        if not self.recipients:
            await self.reply("554 5.5.1 Error: no valid recipients")
            return
        await self.reply("354 End data with <CR><LF>.<CR><LF>")
        data = bytearray()
        received_lines = 0
        while True:
            raw = await asyncio.wait_for(self.reader.readline(), IDLE_TIMEOUT)
            if not raw:
                return "close"
            if self.mode == "drop_data":
                received_lines += 1
                if received_lines >= DROP_AFTER_LINES or raw.rstrip(b"\r\n") == b".":
                    self.log("DROP")
                    return "close"
            if raw.rstrip(b"\r\n") == b".":
                break
            data += raw[1:] if raw.startswith(b"..") else raw
        self.log(f"DATA-END {len(data)}")
        if self.client_sent_ahead() and not self.server.pipelining:
            self.log("EARLY MESSAGE")
        sender, self.sender, self.recipients = self.sender, None, []
        if self.mode == "stall_data":
            await self.hold_until_eof()
            return "close"
        if self.mode == "data451":
            await self.reply("451 4.3.0 Error: temporary failure, try again later")
        elif self.mode == "data552":
            await self.reply("552 5.3.4 Error: message too big for this test server")
        else:
            self.messages += 1
            path = os.path.join(self.server.message_dir, f"{self.conn}-{self.messages}.eml")
            with open(path, "wb") as message_file:
                message_file.write(data)
            await self.reply(f"250 2.0.0 Ok: queued as C{self.conn}M{self.messages}")
            if self.mode == "hangup":
                self.log("HANGUP")
                await self.reply(f"421 4.4.2 {HOSTNAME} Error: timeout exceeded")
                return "close"

    async def cmd_rset(self, argument):
        self.reset()
        await self.reply("250 2.0.0 Ok")

    async def cmd_noop(self, argument):
        await self.reply("250 2.0.0 Ok")

    async def cmd_vrfy(self, argument):
        await self.reply("252 2.0.0 Cannot VRFY user")

    async def cmd_quit(self, argument):
        await self.reply("221 2.0.0 Bye")
        return "close"


ModeServer.session_class = Session


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="folder for logs, saved messages and faulty.env")
    parser.add_argument("--cert", help="certificate (chain) file for STARTTLS")
    parser.add_argument("--key", help="private key file for STARTTLS")
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args()

    tls_context = None
    if options.cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(options.cert, options.key)

    servers = []
    ports = {}
    for mode in MODES:
        for pipelining in (False, True):
            mode_server = ModeServer(mode, pipelining, options.dir, tls_context)
            server = await asyncio.start_server(mode_server.handle, options.host, 0, limit=LINE_LIMIT)
            servers.append(server)
            ports[mode_server.name] = server.sockets[0].getsockname()[1]

    # Announce the ports only now that every one of them accepts connections.
    faultyserve.announce(options.dir, "faulty.env", "FAULTY", ports)
    await faultyserve.serve_until_signalled(servers)


if __name__ == "__main__":
    if sys.version_info < (3, 11):
        sys.exit("faulty_smtp.py needs Python 3.11 or later (asyncio StreamWriter.start_tls, asyncio.timeout)")
    asyncio.run(main())
