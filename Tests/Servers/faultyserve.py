"""What the misbehaving test servers (faulty_smtp.py, faulty_imap.py) share: a mode's connection handling and log,
announcing their ports once every one accepts connections, then serving until SIGTERM or SIGINT. Standard library
only."""

import asyncio
import os
import signal


def announce(directory, file_name, prefix, ports):
    """Writes DIRECTORY/FILE_NAME atomically: PREFIX_PORT_<NAME>=<port> lines and PREFIX_PID=<pid>, which start.sh
    waits for."""
    path = os.path.join(directory, file_name)
    with open(path + ".tmp", "w", encoding="utf-8") as env_file:
        for name, port in ports.items():
            env_file.write(f"{prefix}_PORT_{name.upper()}={port}\n")
        env_file.write(f"{prefix}_PID={os.getpid()}\n")
    os.replace(path + ".tmp", path)


async def serve_until_signalled(servers):
    """Serves until SIGTERM or SIGINT, then closes the listeners. Connections still open (a stalled client) are not
    waited for: the process exits and the kernel closes them."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


class Session:
    """One connection of a mode's server; a subclass's `run()` speaks the protocol."""

    def __init__(self, server, conn, reader, writer):
        self.server = server
        self.mode = server.mode
        self.conn = conn
        self.reader = reader
        self.writer = writer

    def log(self, text):
        self.server.write_log(self.conn, text)


class ModeServer:
    """What one mode's connections share: a counter and a log file. A subclass sets `session_class`, whose
    `Session(server, conn, reader, writer).run()` serves one connection."""

    session_class = None

    def __init__(self, mode, log_path):
        self.mode = mode
        self.connections = 0
        self.log = open(log_path, "a", encoding="utf-8", buffering=1)

    def write_log(self, conn, text):
        self.log.write(f"{conn} {text}\n")
        self.log.flush()

    async def handle(self, reader, writer):
        self.connections += 1
        session = self.session_class(self, self.connections, reader, writer)
        try:
            await session.run()
        except (ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, OSError, ValueError):
            pass  # the client went away, broke TLS (ssl.SSLError is an OSError) or sent an endless line
        finally:
            self.write_log(session.conn, "CLOSE")
            # close() sends what is still buffered (the last reply) before the FIN; abort() if that hangs.
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 5)
            except (asyncio.TimeoutError, ConnectionError, OSError):
                writer.transport.abort()
