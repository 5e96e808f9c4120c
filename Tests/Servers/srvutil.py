#!/usr/bin/env python3
"""Small helpers for start.sh and stop.sh that are awkward in shell. Standard library only.

  srvutil.py free-ports N
      Prints N distinct TCP ports that are free on 127.0.0.1 right now, one per line. All N sockets are bound at
      the same time, so the ports differ; they are released before the servers bind them (a tiny race, but
      the banner check of wait-smtp catches a port taken by someone else).

  srvutil.py wait-smtp PORT TOKEN TIMEOUT [--implicit-tls CAFILE]
      Waits until an SMTP server on 127.0.0.1:PORT greets with a 220 banner containing TOKEN, then sends QUIT.
      TOKEN proves the answer comes from the instance just started (Postfix can bind a port that another
      instance already listens on without an error). With --implicit-tls the TLS handshake comes first and the
      certificate must verify against CAFILE for the name "localhost". Exits 1 with a message on time-out or
      on a banner without TOKEN.

  srvutil.py check-auth PORT CAFILE USER PASSWORD
      Connects to 127.0.0.1:PORT, does STARTTLS (verifying the certificate against CAFILE for "localhost") and
      AUTH PLAIN, then QUIT. Exits 1 with the server's answer if any step fails.

  srvutil.py wait-http PORT PATH TIMEOUT
      Waits until GET http://127.0.0.1:PORT/PATH answers 200 (oauth_introspect.py's /ready). Exits 1 on time-out.

  srvutil.py stop DIR [TIMEOUT]
      Stops the processes listed in DIR/pids ("name pid" lines), never any other: a PID counts as ours only if
      its command line or environment mentions DIR (Postfix's daemons carry MAIL_CONFIG=DIR/postfix, Dovecot's
      master has "-c DIR/dovecot/dovecot.conf", the faulty server "--dir DIR"). Their descendants are collected
      first (Postfix's and Dovecot's masters have children), then every listed PID gets SIGTERM (what
      `postfix stop` sends to its master too), and after TIMEOUT seconds (default 10) whatever is left of them
      and their descendants gets SIGKILL. Exits 1 if anything survives.

  srvutil.py leftovers DIR
      Prints the processes whose command line or environment mentions DIR (the smoke test expects none after
      stop). Exits 1 if there are any.
"""

import os
import signal
import socket
import ssl
import sys
import time


def load_env(directory):
    """DIR/servers.env (KEY=VALUE lines, as start.sh writes them) as a dict."""
    env = {}
    with open(os.path.join(directory, "servers.env"), encoding="utf-8") as env_file:
        for line in env_file:
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value
    return env


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        for sock in sockets:
            print(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()


def read_reply(stream):
    """Reads one SMTP reply (all its lines) from a file-like socket stream; returns its lines."""
    lines = []
    while True:
        line = stream.readline(4096).decode("utf-8", errors="replace")
        if not line:
            break
        lines.append(line.rstrip("\r\n"))
        if len(line) < 4 or line[3] != "-":
            break
    return lines


def wait_smtp(port, token, timeout, ca_file=None):
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while time.monotonic() < deadline:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError as error:
            last_error = str(error)
            time.sleep(0.05)
            continue
        try:
            if ca_file:
                context = ssl.create_default_context(cafile=ca_file)
                sock = context.wrap_socket(sock, server_hostname="localhost")
            stream = sock.makefile("rb")
            greeting = read_reply(stream)
            if greeting and greeting[0].startswith("220") and token in greeting[0]:
                sock.sendall(b"QUIT\r\n")
                read_reply(stream)
                return 0
            if greeting and greeting[0].startswith("220"):
                print(f"srvutil: port {port} is served by another server ({greeting[0]!r}); expected {token!r}",
                      file=sys.stderr)
                return 1
            last_error = f"greeting {greeting!r}"
        except (OSError, ssl.SSLError) as error:
            last_error = str(error)
            if isinstance(error, ssl.SSLCertVerificationError):
                print(f"srvutil: port {port}: certificate does not verify: {error}", file=sys.stderr)
                return 1
        finally:
            sock.close()
        time.sleep(0.05)
    print(f"srvutil: no SMTP greeting on 127.0.0.1:{port} within {timeout}s (last: {last_error})", file=sys.stderr)
    return 1


def check_auth(port, ca_file, user, password):
    import smtplib
    try:
        with smtplib.SMTP("localhost", port, timeout=10) as client:
            client.starttls(context=ssl.create_default_context(cafile=ca_file))
            client.login(user, password)
        return 0
    except (smtplib.SMTPException, OSError) as error:
        print(f"srvutil: STARTTLS + AUTH on port {port} failed: {error}", file=sys.stderr)
        return 1


def wait_http(port, path, timeout):
    import http.client
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return 0
            last_error = f"status {status}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.05)
    print(f"srvutil: no answer from http://127.0.0.1:{port}{path} within {timeout}s (last: {last_error})",
          file=sys.stderr)
    return 1


def mentions(pid, needle):
    """True if the command line or the environment of pid contains needle (bytes)."""
    for name in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as proc_file:
                if needle in proc_file.read():
                    return True
        except OSError:
            pass
    return False


def stat_of(pid):
    """(parent pid, start time) of pid, or None if it is gone (or a zombie, which is as good as gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            text = stat_file.read().decode("ascii", errors="replace")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name in parentheses may contain spaces
    if fields[0] == "Z":
        return None
    return int(fields[1]), fields[19]


def all_pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(root):
    children = {}
    for pid in all_pids():
        stat = stat_of(pid)
        if stat:
            children.setdefault(stat[0], []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop(directory, timeout):
    directory = os.path.realpath(directory)
    needle = directory.encode()
    pids_path = os.path.join(directory, "pids")
    if not os.path.exists(pids_path):
        print(f"srvutil: {pids_path} not found: nothing to stop", file=sys.stderr)
        return 0
    # Identify each process by (pid, start time), so that a PID reused after our process died is never hit.
    targets = {}
    with open(pids_path, encoding="utf-8") as pids_file:
        for line in pids_file:
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit():
                continue
            name, pid = parts[0], int(parts[1])
            stat = stat_of(pid)
            if stat is None:
                continue  # already gone
            if not mentions(pid, needle):
                print(f"srvutil: {name} pid {pid} does not belong to {directory}: left alone", file=sys.stderr)
                continue
            targets[pid] = (name, stat[1])
            for child in descendants(pid):
                child_stat = stat_of(child)
                if child_stat:
                    targets.setdefault(child, (f"{name}-child", child_stat[1]))
    main_pids = [pid for pid, (name, _) in targets.items() if not name.endswith("-child")]

    def alive(pid):
        stat = stat_of(pid)
        return stat is not None and stat[1] == targets[pid][1]

    def signal_all(pids, signal_number):
        for pid in pids:
            if alive(pid):
                try:
                    os.kill(pid, signal_number)
                except ProcessLookupError:
                    pass

    signal_all(main_pids, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(pid) for pid in targets):
        time.sleep(0.05)
    survivors = [pid for pid in targets if alive(pid)]
    if survivors:
        print(f"srvutil: still running after {timeout}s, sending SIGKILL: "
              + ", ".join(f"{targets[pid][0]} {pid}" for pid in survivors), file=sys.stderr)
        signal_all(survivors, signal.SIGKILL)
        time.sleep(0.5)
        survivors = [pid for pid in targets if alive(pid)]
        if survivors:
            print(f"srvutil: could not stop {survivors}", file=sys.stderr)
            return 1
    return 0


def leftovers(directory):
    needle = os.path.realpath(directory).encode()
    # This process and its ancestors (the smoke test's shell, which may have DIR in its arguments or environment)
    # are not leftovers.
    ancestors, pid = set(), os.getpid()
    while pid > 1 and pid not in ancestors:
        ancestors.add(pid)
        stat = stat_of(pid)
        pid = stat[0] if stat else 0
    found = [pid for pid in all_pids() if pid not in ancestors and stat_of(pid) and mentions(pid, needle)]
    for pid in found:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            command = "?"
        print(f"{pid} {command}")
    return 1 if found else 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "free-ports":
        free_ports(int(argv[1]))
        return 0
    if len(argv) >= 4 and argv[0] == "wait-smtp":
        ca_file = argv[5] if len(argv) >= 6 and argv[4] == "--implicit-tls" else None
        return wait_smtp(int(argv[1]), argv[2], float(argv[3]), ca_file)
    if len(argv) == 5 and argv[0] == "check-auth":
        return check_auth(int(argv[1]), argv[2], argv[3], argv[4])
    if len(argv) == 4 and argv[0] == "wait-http":
        return wait_http(int(argv[1]), argv[2], float(argv[3]))
    if len(argv) >= 2 and argv[0] == "stop":
        return stop(argv[1], float(argv[2]) if len(argv) >= 3 else 10.0)
    if len(argv) == 2 and argv[0] == "leftovers":
        return leftovers(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
