#!/usr/bin/env python3
"""IMAP helpers for start.sh, restart-imap.sh and the smoke test. Standard library only.

  imaputil.py wait PORT IMAPS_PORT TOKEN CAFILE USER PASSWORD TIMEOUT
      Waits until Dovecot greets on 127.0.0.1:PORT (plain, STARTTLS offered) and on 127.0.0.1:IMAPS_PORT
      (implicit TLS, certificate verified against CAFILE for "localhost") with a greeting containing TOKEN (proof
      that the answer comes from the instance just started), then does one STARTTLS + LOGIN + EXAMINE INBOX on
      PORT. Exits 1 with a message on time-out, a foreign greeting or a failed login.

  imaputil.py status PORT CAFILE USER PASSWORD
      Prints "UIDVALIDITY UIDNEXT MESSAGES" of INBOX (STATUS over STARTTLS), for scripts and by-hand checks.

  imaputil.py restart DIR
      restart-imap.sh's work: stops the IMAP Dovecot that start.sh DIR started (the "imap" line of DIR/pids, only if
      its command line names DIR/imap/dovecot.conf) with SIGTERM, waits until the master and every one of its
      children are gone (SIGKILL after 10 s), starts it again from the same configuration (same ports), replaces
      its PID in DIR/pids and in SERVERS_PIDS of DIR/servers.env, and waits until both ports greet again and a
      login works (the settings are read from DIR/servers.env).
"""

import imaplib
import os
import re
import signal
import ssl
import subprocess
import sys
import time

import srvutil  # beside this file: /proc helpers shared with stop.sh


def context(ca_file):
    return ssl.create_default_context(cafile=ca_file)


def wait_greeting(port, token, deadline, ca_file=None):
    last_error = "no attempt"
    while time.monotonic() < deadline:
        try:
            if ca_file:
                client = imaplib.IMAP4_SSL("localhost", port, ssl_context=context(ca_file), timeout=2)
            else:
                client = imaplib.IMAP4("127.0.0.1", port, timeout=2)
        except ssl.SSLCertVerificationError as error:
            print(f"imaputil: port {port}: certificate does not verify: {error}", file=sys.stderr)
            return False
        except (OSError, imaplib.IMAP4.error) as error:
            last_error = str(error)
            time.sleep(0.02)
            continue
        try:
            greeting = client.welcome.decode("utf-8", errors="replace")
            if token not in greeting:
                print(f"imaputil: port {port} is served by another server ({greeting!r}); expected {token!r}",
                      file=sys.stderr)
                return False
            return True
        finally:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
    print(f"imaputil: no IMAP greeting on 127.0.0.1:{port} (last: {last_error})", file=sys.stderr)
    return False


def login(port, ca_file, user, password):
    client = imaplib.IMAP4("localhost", port, timeout=10)
    client.starttls(ssl_context=context(ca_file))
    client.login(user, password)
    return client


def wait(port, imaps_port, token, ca_file, user, password, timeout):
    deadline = time.monotonic() + timeout
    if not wait_greeting(port, token, deadline) or not wait_greeting(imaps_port, token, deadline, ca_file):
        return 1
    try:
        client = login(port, ca_file, user, password)
        typ, data = client.select("INBOX", readonly=True)  # readonly: EXAMINE
        client.logout()
        if typ != "OK":
            raise imaplib.IMAP4.error(f"EXAMINE INBOX: {typ} {data}")
    except (OSError, imaplib.IMAP4.error) as error:
        print(f"imaputil: STARTTLS + LOGIN + EXAMINE on port {port} failed: {error}", file=sys.stderr)
        return 1
    return 0


def status(port, ca_file, user, password):
    client = login(port, ca_file, user, password)
    typ, data = client.status("INBOX", "(UIDVALIDITY UIDNEXT MESSAGES)")
    client.logout()
    text = data[0].decode()
    values = {key: value for key, value in re.findall(r"(UIDVALIDITY|UIDNEXT|MESSAGES) (\d+)", text)}
    print(values["UIDVALIDITY"], values["UIDNEXT"], values["MESSAGES"])
    return 0


def replace_file(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as new_file:
        new_file.write(text)
    os.replace(path + ".tmp", path)


def restart(directory):
    directory = os.path.realpath(directory)
    conf = os.path.join(directory, "imap", "dovecot.conf")
    pids_path = os.path.join(directory, "pids")
    env = srvutil.load_env(directory)
    with open(pids_path, encoding="utf-8") as pids_file:
        lines = pids_file.read().splitlines()
    old = [int(line.split()[1]) for line in lines if line.split()[:1] == ["imap"]]
    if not old:
        print(f"imaputil: no imap line in {pids_path}", file=sys.stderr)
        return 1
    pid = old[-1]
    stat = srvutil.stat_of(pid)
    if stat is not None:
        if not srvutil.mentions(pid, conf.encode()):
            print(f"imaputil: pid {pid} is not the IMAP Dovecot of {directory}: left alone", file=sys.stderr)
            return 1
        # Every process of the old instance must be gone before the new one binds the same ports: a login process
        # still holding the listening socket would make the bind fail.
        targets = {p: srvutil.stat_of(p) for p in [pid] + srvutil.descendants(pid)}
        targets = {p: s[1] for p, s in targets.items() if s is not None}

        def alive(p):
            now = srvutil.stat_of(p)
            return now is not None and now[1] == targets[p]

        # SIGTERM to the master alone takes Dovecot 1 s (it waits for its children in turn); all at once, 30 ms.
        for target in targets:
            try:
                os.kill(target, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while any(alive(p) for p in targets) and time.monotonic() < deadline:
            time.sleep(0.01)
        for p in targets:
            if alive(p):
                os.kill(p, signal.SIGKILL)
        while any(alive(p) for p in targets):
            time.sleep(0.01)
    # A caller may block signals (a Swift test process blocks nearly all of them) and the mask is inherited through
    # exec: a Dovecot started with SIGTERM blocked would ignore stop.sh. Start it with none blocked.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    with open(os.path.join(directory, "imap.log"), "ab") as log:
        started = subprocess.run(["/usr/sbin/dovecot", "-c", conf], stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=log)
    if started.returncode != 0:
        print(f"imaputil: dovecot did not start again (see {directory}/imap.log)", file=sys.stderr)
        return 1
    pid_file = os.path.join(directory, "imap", "run", "master.pid")
    deadline = time.monotonic() + 10
    new = None
    while time.monotonic() < deadline:
        try:
            with open(pid_file, encoding="ascii") as master_pid:
                text = master_pid.read().strip()
            if text.isdigit() and int(text) != pid:
                new = int(text)
                break
        except OSError:
            pass
        time.sleep(0.01)
    if new is None:
        print(f"imaputil: dovecot wrote no new {pid_file}", file=sys.stderr)
        return 1
    lines = [f"imap {new}" if line.split()[:1] == ["imap"] else line for line in lines]
    replace_file(pids_path, "\n".join(lines) + "\n")
    pids = ",".join(line.split()[1] for line in lines if len(line.split()) == 2)
    with open(os.path.join(directory, "servers.env"), encoding="utf-8") as env_file:
        env_lines = env_file.read().splitlines()
    replace_file(os.path.join(directory, "servers.env"),
                 "\n".join(f"SERVERS_PIDS={pids}" if line.startswith("SERVERS_PIDS=") else line
                           for line in env_lines) + "\n")
    token = re.search(r"^login_greeting = (\S+)", open(conf, encoding="utf-8").read(), re.M).group(1)
    return wait(int(env["IMAP_PORT"]), int(env["IMAPS_PORT"]), token, env["IMAP_CA_FILE"], env["IMAP_USER"],
                env["IMAP_PASSWORD"], 10)


def main(argv):
    if len(argv) == 8 and argv[0] == "wait":
        return wait(int(argv[1]), int(argv[2]), argv[3], argv[4], argv[5], argv[6], float(argv[7]))
    if len(argv) == 5 and argv[0] == "status":
        return status(int(argv[1]), argv[2], argv[3], argv[4])
    if len(argv) == 2 and argv[0] == "restart":
        return restart(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
