#!/usr/bin/env python3
"""A counting IMAP proxy for the bench: it listens on 127.0.0.1 (a free port the OS picks), forwards every
connection to an IMAP server's clear-text port, and counts what goes through: bytes from the server to the client
(what the client downloaded), bytes from the client, and the client's commands (a tag and a command name, and
DONE, which ends an IDLE). The arguments of a command are never kept: LOGIN carries the password.

Usage: imap_tap.py UPSTREAM_PORT STATS_FILE
  Prints the port it listens on (one line on standard output) once it listens. STATS_FILE is rewritten (atomically)
  every 0.2 s and at once after a reset, as JSON: connections, bytes_from_server, bytes_from_client, commands
  (a list of {"seconds": since the last reset, "connection": its number, "command": e.g. "UID FETCH"}), resets.
  SIGUSR1 resets the counters and the list (and adds one to resets); SIGTERM writes the file and exits.

The proxy takes STARTTLS out of the server's capability lists (a client that does STARTTLS would hide its
commands from the count): clients that use STARTTLS only when it is offered then log in in clear, which the test
Dovecot allows from 127.0.0.1. A client that sends STARTTLS anyway is passed through untouched from then on, and
its later commands are not seen (the file says so: starttls_connections). Both sides are read with IMAP's
literals in mind ({N} at a line's end: N bytes of data follow), so a message's text is never taken for a command
or a capability list."""
import asyncio, json, os, re, signal, sys, time

upstream_port, stats_path = int(sys.argv[1]), sys.argv[2]
LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n$")
TAGGED = re.compile(rb"^[!#$&'*+,\-./0-9:;<=>?@A-Z\[\\\]^_`a-z|~]+ ([A-Za-z]+)(?: ([A-Za-z]+))?")
CAPABILITY = re.compile(rb"^(\* |[^ ]+ OK \[|\* OK \[)?.*CAPABILITY", re.IGNORECASE)
STARTTLS = re.compile(rb" STARTTLS(?= |\]|\r?\n)", re.IGNORECASE)

stats = {"connections": 0, "bytes_from_server": 0, "bytes_from_client": 0, "commands": [], "resets": 0,
         "starttls_connections": 0}
began = time.monotonic()


def write_stats():
    temporary = stats_path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(stats, f)
    os.replace(temporary, stats_path)


def reset():
    global began
    began = time.monotonic()
    stats.update(connections=0, bytes_from_server=0, bytes_from_client=0, commands=[], starttls_connections=0)
    stats["resets"] += 1
    write_stats()


def command_name(line):
    """The command a client line starts ("UID FETCH", "IDLE", "DONE"), or None for a line that is not one (a SASL
    response, the rest of a command after a literal)."""
    if line.rstrip(b"\r\n").upper() == b"DONE":
        return "DONE"
    found = TAGGED.match(line)
    if not found:
        return None
    name = found.group(1).decode().upper()
    if name == "UID" and found.group(2):
        name += " " + found.group(2).decode().upper()
    return name


async def pipe_raw(reader, writer, key):
    while data := await reader.read(65536):
        stats[key] += len(data)
        writer.write(data)
        await writer.drain()


async def from_client(reader, writer, number, state):
    """Client to server, line by line; each line that starts a command is counted."""
    continuation = False  # the line after a literal continues the same command
    while True:
        if state["tls"]:
            return await pipe_raw(reader, writer, "bytes_from_client")
        line = await reader.readline()
        if not line:
            return
        stats["bytes_from_client"] += len(line)
        name = None if continuation else command_name(line)
        if name is not None:
            stats["commands"].append({"seconds": round(time.monotonic() - began, 3), "connection": number,
                                      "command": name})
        writer.write(line)
        await writer.drain()
        if name == "STARTTLS":
            # From the server's tagged OK on, TLS: stop reading lines (the server side switches too).
            state["tls"] = True
            stats["starttls_connections"] += 1
        literal = LITERAL.search(line)
        continuation = literal is not None
        if literal:
            data = await reader.readexactly(int(literal.group(1)))
            stats["bytes_from_client"] += len(data)
            writer.write(data)
            await writer.drain()


async def from_server(reader, writer, state):
    """Server to client, line by line outside literals; STARTTLS is taken out of capability lists."""
    while True:
        if state["tls"]:
            return await pipe_raw(reader, writer, "bytes_from_server")
        line = await reader.readline()
        if not line:
            return
        stats["bytes_from_server"] += len(line)
        if CAPABILITY.match(line):
            line = STARTTLS.sub(b"", line)
        writer.write(line)
        await writer.drain()
        literal = LITERAL.search(line)
        if literal:
            remaining = int(literal.group(1))
            while remaining:
                data = await reader.read(min(remaining, 65536))
                if not data:
                    return
                remaining -= len(data)
                stats["bytes_from_server"] += len(data)
                writer.write(data)
                await writer.drain()


async def handle(client_reader, client_writer):
    stats["connections"] += 1
    number = stats["connections"]
    state = {"tls": False}
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", upstream_port, limit=1 << 24)
    except OSError:
        client_writer.close()
        return
    tasks = [asyncio.ensure_future(from_client(client_reader, server_writer, number, state)),
             asyncio.ensure_future(from_server(server_reader, client_writer, state))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for writer in (client_writer, server_writer):
            try:
                writer.close()
            except Exception:
                pass


async def main():
    loop = asyncio.get_running_loop()
    stopped = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, reset)
    loop.add_signal_handler(signal.SIGTERM, lambda: stopped.done() or stopped.set_result(None))
    server = await asyncio.start_server(handle, "127.0.0.1", 0, limit=1 << 24)
    write_stats()
    print(server.sockets[0].getsockname()[1], flush=True)

    async def flush():
        while True:
            await asyncio.sleep(0.2)
            write_stats()

    flusher = asyncio.ensure_future(flush())
    await stopped
    flusher.cancel()
    server.close()
    write_stats()


asyncio.run(main())
