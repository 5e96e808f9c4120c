"""What the misbehaving test servers (faulty_smtp.py, faulty_imap.py) share: announce their ports once every one
accepts connections, then serve until SIGTERM or SIGINT. Standard library only."""

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
