#!/usr/bin/env python3
"""Checks the servers that start.sh started, with Python's smtplib, imaplib and poplib (and curl, the CLI face of libcurl,
when it is installed). Run by smoke.sh; usable by hand on a running set: smoke_check.py DIR (the IMAP checks
deliver into the test user's INBOX, give it a new UIDVALIDITY and restart the IMAP server once).

Every check prints "ok - ..." or "FAIL - ..."; the last line is "smoke: N passed, N failed".
"""

import email
import email.policy
import glob
import imaplib
import poplib
import re
import socket
import os
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time

import srvutil  # beside this file: servers.env

passed = 0
failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"FAIL - {name} {detail}")


def expect_error(name, function, error_type, code=None):
    """Runs function; checks that it raises error_type (with smtp_code == code, if given)."""
    try:
        function()
    except error_type as error:
        got = getattr(error, "smtp_code", None)
        check(name, code is None or got == code, f"code {got}, wanted {code}: {error!r}")
        return error
    except Exception as error:  # noqa: BLE001 -- report any other failure as a failed check
        check(name, False, f"raised {error!r}, wanted {error_type}")
        return error
    check(name, False, f"no {error_type} raised")
    return None


def message(subject, sender, recipients, lines=1):
    body = "".join(f"line {n} of {subject}\r\n" for n in range(lines))
    return (f"From: {sender}\r\nTo: {', '.join(recipients)}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject}@notifier.test>\r\n\r\n{body}")


def read_log(env, mode):
    with open(os.path.join(env["FAULTY_LOG_DIR"], f"faulty-{mode}.log"), encoding="utf-8") as log:
        return [line.rstrip("\n") for line in log]


def count(lines, word):
    return sum(1 for line in lines if line.split(" ", 2)[1:2] == [word])


def wait_for_log(env, mode, predicate, timeout=5):
    """The CLOSE line is written after the client is done: poll briefly for lines written after the fact."""
    deadline = time.monotonic() + timeout
    while True:
        lines = read_log(env, mode)
        if predicate(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def postfix_checks(env, ca):
    host, plain, subs = "localhost", int(env["SMTP_PLAIN_PORT"]), int(env["SMTP_SUBMISSIONS_PORT"])
    user, password = env["SMTP_USER"], env["SMTP_PASSWORD"]
    sender, vendor, outside = "sender@example.test", "vendor@example.test", "customer@example.com"
    expected = []  # (subject, recipient) pairs that must arrive in the Maildir

    with smtplib.SMTP(host, plain, timeout=10) as client:
        client.ehlo()
        check("plain port offers STARTTLS", client.has_extn("starttls"))
        check("plain port offers no AUTH before STARTTLS", not client.has_extn("auth"))
        refused = client.sendmail(sender, [vendor], message("smoke-plain-noauth", sender, [vendor]))
        check("plain port takes mail for example.test without AUTH", refused == {})
        expected.append(("smoke-plain-noauth", vendor))
        expect_error("plain port refuses relaying without AUTH (554)",
                     lambda: client.sendmail(sender, [outside], message("x", sender, [outside])),
                     smtplib.SMTPRecipientsRefused)
        client.rset()
        code, _ = client.mail(sender)
        code, reply = client.rcpt("unknown@example.test")
        check("unknown@example.test gets 550 5.1.1", code == 550 and reply.startswith(b"5.1.1"), f"{code} {reply}")
        client.rset()
        # A Japanese (UTF-8) address and header, as the notifier's mail may carry: SMTPUTF8 and 8BITMIME.
        japanese = "担当者@example.test"
        raw = (f"From: {sender}\r\nTo: {japanese}\r\nSubject: smoke-smtputf8 証明書の更新\r\n\r\n本文\r\n").encode()
        refused = client.sendmail(sender, [japanese], raw, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        check("plain port takes SMTPUTF8 mail to a Japanese address", client.has_extn("smtputf8") and refused == {})
        expected.append(("smoke-smtputf8 証明書の更新", japanese))

    with smtplib.SMTP(host, plain, timeout=10) as client:
        client.starttls(context=ca)
        client.ehlo()
        check("AUTH PLAIN and LOGIN offered after STARTTLS",
              {"PLAIN", "LOGIN"} <= set(client.esmtp_features.get("auth", "").upper().split()),
              client.esmtp_features.get("auth"))
        client.user, client.password = user, password
        code, _ = client.auth("PLAIN", client.auth_plain)
        check("AUTH PLAIN after STARTTLS (certificate verified against SMTP_CA_FILE)", code == 235)
        refused = client.sendmail(sender, [vendor, outside],
                                  message("smoke-starttls-auth", sender, [vendor, outside]))
        check("authenticated relaying to another domain is accepted", refused == {})
        expected += [("smoke-starttls-auth", vendor), ("smoke-starttls-auth", outside)]

    with smtplib.SMTP(host, plain, timeout=10) as client:
        client.starttls(context=ca)
        client.ehlo()
        client.user, client.password = user, password
        code, _ = client.auth("LOGIN", client.auth_login, initial_response_ok=False)
        check("AUTH LOGIN after STARTTLS", code == 235)

    with smtplib.SMTP(host, plain, timeout=10) as client:
        client.starttls(context=ca)
        expect_error("a wrong password gets 535", lambda: client.login(user, password + "x"),
                     smtplib.SMTPAuthenticationError, 535)

    expect_error("the certificate does not verify without SMTP_CA_FILE",
                 lambda: smtplib.SMTP_SSL(host, subs, timeout=10, context=ssl.create_default_context()).quit(),
                 ssl.SSLCertVerificationError)

    with smtplib.SMTP_SSL("127.0.0.1", subs, timeout=10, context=ca) as client:  # IP SAN 127.0.0.1
        client.ehlo()
        check("submissions port (implicit TLS) offers AUTH", client.has_extn("auth"))
        client.mail(sender)
        code, _ = client.rcpt(vendor)
        check("submissions port refuses recipients without AUTH", code == 554, str(code))
        client.rset()
        client.login(user, password)
        refused = client.sendmail(sender, [vendor], message("smoke-submissions", sender, [vendor]))
        check("submissions port with AUTH accepts mail", refused == {})
        expected.append(("smoke-submissions", vendor))

    if shutil.which("curl"):
        with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False) as mail_file:
            mail_file.write(message("smoke-curl-starttls", sender, [vendor]))
        common = ["curl", "-sS", "--cacert", env["SMTP_CA_FILE"], "--user", f"{user}:{password}",
                  "--mail-from", sender, "--mail-rcpt", vendor, "--upload-file", mail_file.name]
        result = subprocess.run(common + ["--ssl-reqd", f"smtp://127.0.0.1:{plain}"], capture_output=True)
        check("curl: smtp:// with --ssl-reqd (STARTTLS) and AUTH", result.returncode == 0, result.stderr)
        expected.append(("smoke-curl-starttls", vendor))
        with open(mail_file.name, "w", encoding="utf-8") as rewrite:
            rewrite.write(message("smoke-curl-smtps", sender, [vendor]))
        result = subprocess.run(common + [f"smtps://localhost:{subs}"], capture_output=True)
        check("curl: smtps:// (implicit TLS) and AUTH", result.returncode == 0, result.stderr)
        expected.append(("smoke-curl-smtps", vendor))
        os.unlink(mail_file.name)
    else:
        print("note - curl not installed: the curl checks were not run")

    # Delivery is asynchronous (queue manager -> virtual): poll the Maildir.
    maildir_new = os.path.join(env["SMTP_MAILDIR"], "new")
    deadline = time.monotonic() + 15
    while True:
        arrived = set()
        for path in glob.glob(os.path.join(maildir_new, "*")):
            with open(path, "rb") as delivered:
                parsed = email.message_from_binary_file(delivered, policy=email.policy.default)
            arrived.add((str(parsed["Subject"]), str(parsed["Delivered-To"])))
        if set(expected) <= arrived or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    missing = set(expected) - arrived
    check(f"all {len(expected)} deliveries arrived in SMTP_MAILDIR/new", not missing, f"missing {sorted(missing)}")
    authenticated = [path for path in glob.glob(os.path.join(maildir_new, "*"))
                     if b"(Authenticated sender: sender@example.test)" in open(path, "rb").read()]
    check("authenticated mail carries '(Authenticated sender: ...)' in Received", len(authenticated) >= 3)

    # A recipient with no mailbox is accepted, then bounced by Postfix itself: the DSN goes to the VERP return path,
    # whose mailbox is SMTP_BOUNCE_MAILDIR, and quotes the message's Message-ID.
    bounce_sender = env["SMTP_BOUNCE_ADDRESS"].replace("@", "+smoke.tag@")
    nobody = f'{env["SMTP_NO_MAILBOX_PREFIX"]}-smoke@{env["SMTP_DOMAIN"]}'
    with smtplib.SMTP("127.0.0.1", plain, timeout=10) as client:
        refused = client.sendmail(bounce_sender, [nobody], message("smoke-bounce", bounce_sender, [nobody]))
    check("a recipient with no mailbox is accepted at RCPT (the bounce comes later)", not refused, refused)
    bounce_new = os.path.join(env["SMTP_BOUNCE_MAILDIR"], "new")
    deadline = time.monotonic() + 15
    report = None
    while report is None and time.monotonic() < deadline:
        for path in glob.glob(os.path.join(bounce_new, "*")):
            with open(path, "rb") as delivered:
                parsed = email.message_from_binary_file(delivered, policy=email.policy.default)
            if str(parsed["Delivered-To"]) == bounce_sender:
                report = parsed
        time.sleep(0.1)
    check("Postfix's DSN arrives in SMTP_BOUNCE_MAILDIR, delivered to the VERP address", report is not None)
    if report is not None:
        check("the DSN is multipart/report; report-type=delivery-status",
              report.get_content_type() == "multipart/report"
              and report.get_param("report-type") == "delivery-status", report.get_content_type())
        check("the DSN names the recipient and 5.1.1", f"<{nobody}>" in report.as_string()
              and "Status: 5.1.1" in report.as_string())


def faulty_checks(env, ca):
    port = {mode: int(value) for key, value in env.items() if key.startswith("FAULTY_PORT_")
            for mode in [key[len("FAULTY_PORT_"):].lower()]}
    sender, rcpt = "sender@example.test", "vendor@example.test"
    host = "127.0.0.1"

    expect_error("greeting421: 421 at the greeting",
                 lambda: smtplib.SMTP(host, port["greeting421"], timeout=5), smtplib.SMTPConnectError, 421)

    def send(mode, recipients, lines=1, timeout=5):
        with smtplib.SMTP(host, port[mode], timeout=timeout) as client:
            return client.sendmail(sender, recipients, message(f"faulty-{mode}", sender, recipients, lines))

    error = expect_error("rcpt451: 451 to RCPT TO", lambda: send("rcpt451", [rcpt]), smtplib.SMTPRecipientsRefused)
    check("rcpt451: enhanced code 4.7.1",
          error is not None and getattr(error, "recipients", {}).get(rcpt, (0, b""))[1].startswith(b"4.7.1"))
    error = expect_error("rcpt550: 550 to RCPT TO", lambda: send("rcpt550", [rcpt]), smtplib.SMTPRecipientsRefused)
    check("rcpt550: code 550 5.1.1",
          error is not None and getattr(error, "recipients", {}).get(rcpt, (0, b""))[:1] == (550,))
    expect_error("data451: 451 after DATA", lambda: send("data451", [rcpt]), smtplib.SMTPDataError, 451)
    expect_error("data552: 552 after DATA", lambda: send("data552", [rcpt]), smtplib.SMTPDataError, 552)
    expect_error("drop_data: connection closed during DATA", lambda: send("drop_data", [rcpt], lines=20),
                 smtplib.SMTPServerDisconnected)
    lines = wait_for_log(env, "drop_data", lambda lines: count(lines, "CLOSE") >= 1)
    check("drop_data: log shows DATA then DROP", count(lines, "DATA") == 1 and count(lines, "DROP") == 1, lines)

    # smtplib reports its own time-out as SMTPServerDisconnected("Connection unexpectedly closed: timed out").
    started = time.monotonic()
    error = expect_error("stall: no greeting (client times out)",
                         lambda: smtplib.SMTP(host, port["stall"], timeout=1), smtplib.SMTPServerDisconnected)
    check("stall: the time-out was the client's (about 1 s)",
          "timed out" in str(error) and 0.9 < time.monotonic() - started < 3, error)
    error = expect_error("stall_data: no answer after the end of DATA (client times out)",
                         lambda: send("stall_data", [rcpt], timeout=1), smtplib.SMTPServerDisconnected)
    check("stall_data: it was a time-out", "timed out" in str(error), error)
    lines = wait_for_log(env, "stall_data", lambda lines: count(lines, "DATA-END") >= 1)
    check("stall_data: log shows DATA-END", count(lines, "DATA-END") == 1, lines)

    # The recipient decides; three messages over one connection.
    ok1, temp, perm, ok2 = ("a@example.test", "b+451@example.test", "c+550@example.test", "d@example.test")
    with smtplib.SMTP(host, port["recipient"], timeout=5) as client:
        refused = client.sendmail(sender, [ok1, temp, perm], message("batch-1", sender, [ok1, temp, perm]))
        check("recipient: +451 gets 451, +550 gets 550, others 250",
              {address: code for address, (code, _) in refused.items()} == {temp: 451, perm: 550}, refused)
        check("recipient: a second message on the same connection",
              client.sendmail(sender, [ok2], message("batch-2", sender, [ok2])) == {})
        expect_error("recipient: a message whose only recipient is +451 is refused",
                     lambda: client.sendmail(sender, [temp], message("batch-3", sender, [temp])),
                     smtplib.SMTPRecipientsRefused)
    lines = wait_for_log(env, "recipient", lambda lines: count(lines, "CLOSE") >= 1)
    check("recipient log: 1 connection, 3 MAIL FROM, 2 messages accepted",
          count(lines, "CONNECT") == 1 and count(lines, "MAIL") == 3 and count(lines, "DATA-END") == 2, lines)
    saved = sorted(os.listdir(os.path.join(env["FAULTY_LOG_DIR"], "faulty-recipient")))
    check("recipient: accepted messages saved as <conn>-<n>.eml", saved == ["1-1.eml", "1-2.eml"], saved)

    # The well-behaved mode, over STARTTLS with AUTH (the faulty server accepts any credentials).
    with smtplib.SMTP("localhost", port["ok"], timeout=5) as client:
        client.starttls(context=ca)
        client.login("anyone", "anything")
        for n in range(2):
            client.sendmail(sender, [rcpt], message(f"ok-{n}", sender, [rcpt]))
    lines = wait_for_log(env, "ok", lambda lines: count(lines, "CLOSE") >= 1)
    check("ok: STARTTLS + AUTH + 2 messages on 1 connection",
          count(lines, "CONNECT") == 1 and count(lines, "STARTTLS") == 1 and count(lines, "MAIL") == 2, lines)
    check("ok: AUTH credentials are not logged", all("AUTH" not in line or line.endswith("***") for line in lines),
          lines)

    if shutil.which("curl"):
        with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False) as mail_file:
            mail_file.write(message("curl-batch", sender, [ok1, temp]))
        common = ["curl", "-sS", "--mail-from", sender, "--mail-rcpt", ok1, "--mail-rcpt", temp,
                  "--upload-file", mail_file.name, f"smtp://{host}:{port['recipient']}"]
        result = subprocess.run(common, capture_output=True)
        check("curl: a refused recipient fails the transfer by default", result.returncode != 0, result.returncode)
        result = subprocess.run(common[:1] + ["--mail-rcpt-allowfails"] + common[1:], capture_output=True)
        check("curl: --mail-rcpt-allowfails sends to the others", result.returncode == 0, result.stderr)
        os.unlink(mail_file.name)


def imap_checks(env, ca, directory):
    here = os.path.dirname(os.path.abspath(__file__))
    port, imaps_port = int(env["IMAP_PORT"]), int(env["IMAPS_PORT"])
    user, password = env["IMAP_USER"], env["IMAP_PASSWORD"]

    def login(starttls=True):
        client = imaplib.IMAP4("localhost", port, timeout=10)
        if starttls:
            client.starttls(ssl_context=ca)
        client.login(user, password)
        return client

    def status(client):
        typ, data = client.status("INBOX", "(UIDVALIDITY UIDNEXT MESSAGES)")
        text = data[0].decode("ascii", errors="replace")
        return {key: int(value) for key, value in re.findall(r"(UIDVALIDITY|UIDNEXT|MESSAGES) (\d+)", text)}

    def script(name, *arguments):
        return subprocess.run([os.path.join(here, name), directory, *arguments], capture_output=True, text=True)

    client = imaplib.IMAP4("localhost", port, timeout=10)
    check("imap port offers STARTTLS", "STARTTLS" in client.capabilities, client.capabilities)
    client.starttls(ssl_context=ca)
    client.login(user, password)
    check("imap port: STARTTLS (certificate verified against IMAP_CA_FILE) and LOGIN", client.state == "AUTH")
    typ, _ = client.select("INBOX", readonly=True)
    check("EXAMINE INBOX is read-only", typ == "OK" and "READ-ONLY" in client.untagged_responses)
    client.logout()
    check("IMAP_CA_FILE is SMTP_CA_FILE", env["IMAP_CA_FILE"] == env["SMTP_CA_FILE"])

    with imaplib.IMAP4_SSL("localhost", imaps_port, ssl_context=ca, timeout=10) as tls_client:
        tls_client.login(user, password)
        check("imaps port (implicit TLS) and LOGIN", tls_client.state == "AUTH")
    expect_error("imaps: the certificate does not verify without IMAP_CA_FILE",
                 lambda: imaplib.IMAP4_SSL("localhost", imaps_port, ssl_context=ssl.create_default_context(),
                                           timeout=10), ssl.SSLCertVerificationError)
    client = imaplib.IMAP4("localhost", port, timeout=10)
    client.starttls(ssl_context=ca)
    error = expect_error("a wrong IMAP password is refused", lambda: client.login(user, password + "x"),
                         imaplib.IMAP4.error)
    check("... as AUTHENTICATIONFAILED", "AUTHENTICATIONFAILED" in str(error), error)
    client.logout()

    # deliver.sh, BODY.PEEK[] byte for byte (LF becomes CRLF on the wire), no \Seen, and IDLE hears of the next one.
    raw = b"From: smoke@example.test\nSubject: smoke-imap\nMessage-ID: <smoke-imap@notifier.test>\n\nline 1\nA005 OK x\n"
    with tempfile.NamedTemporaryFile(suffix=".eml", delete=False) as mail_file:
        mail_file.write(raw)
    client = login()
    before = status(client)
    result = script("deliver.sh", mail_file.name)
    check("deliver.sh delivers into INBOX", result.returncode == 0 and status(client)["MESSAGES"] == before["MESSAGES"] + 1,
          result.stderr)
    stored = glob.glob(os.path.join(env["IMAP_MAILDIR"], "new", "*")) + glob.glob(
        os.path.join(env["IMAP_MAILDIR"], "cur", "*"))
    owners = {os.stat(path).st_uid for path in stored}
    check("the Maildir file belongs to the mail user (not root)", stored and 0 not in owners, owners)
    client.select("INBOX", readonly=True)
    uid = before["UIDNEXT"]
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    body = data[0][1] if typ == "OK" and data and isinstance(data[0], tuple) else b""
    check("UID FETCH BODY.PEEK[] gives the message (with CRLF)", body == raw.replace(b"\n", b"\r\n"), body[:80])
    typ, data = client.uid("FETCH", str(uid), "(FLAGS)")
    check("BODY.PEEK[] left the message unread", typ == "OK" and b"\\Seen" not in data[0], data)

    client.sock.settimeout(10)
    client.send(b"I1 IDLE\r\n")
    check("IDLE is accepted", client.readline().startswith(b"+"))
    started = time.monotonic()
    script("deliver.sh", mail_file.name)
    line = client.readline()
    waited = time.monotonic() - started
    check(f"IDLE announces the delivery ({waited:.2f} s)", re.match(rb"\* \d+ EXISTS", line) and waited < 3, line)
    client.send(b"DONE\r\n")
    while not client.readline().startswith(b"I1 "):
        pass
    os.unlink(mail_file.name)

    # reset-uidvalidity.sh: a new UIDVALIDITY, the same messages.
    before = status(client)
    result = script("reset-uidvalidity.sh")
    fresh = login()
    after = status(fresh)
    fresh.logout()
    check("reset-uidvalidity.sh gives INBOX a new UIDVALIDITY and keeps the messages",
          result.returncode == 0 and after["UIDVALIDITY"] != before["UIDVALIDITY"]
          and after["MESSAGES"] == before["MESSAGES"], (result.stdout, result.stderr, before, after))

    # restart-imap.sh: the open connection is dropped, the same ports answer again.
    started = time.monotonic()
    result = script("restart-imap.sh")
    took = time.monotonic() - started
    check(f"restart-imap.sh restarts Dovecot's IMAP ({took:.1f} s)", result.returncode == 0, result.stderr)
    try:
        client.noop()
        dropped = False
    except (imaplib.IMAP4.abort, OSError):
        dropped = True
    check("restart-imap.sh dropped the connection that was open", dropped)
    fresh = login()
    check("after the restart the same port takes a login", status(fresh)["MESSAGES"] == after["MESSAGES"])
    fresh.logout()
    with open(os.path.join(directory, "pids"), encoding="utf-8") as pids_file:
        pids = dict(line.split() for line in pids_file)
    with open(f"/proc/{pids['imap']}/cmdline", "rb") as cmdline:
        check("DIR/pids names the new IMAP master", b"imap/dovecot.conf" in cmdline.read())

    if shutil.which("curl"):
        common = ["curl", "-sS", "--cacert", env["IMAP_CA_FILE"], "--user", f"{user}:{password}"]
        result = subprocess.run(common + ["--ssl-reqd", f"imap://localhost:{port}/", "-X", "EXAMINE INBOX"],
                                capture_output=True)
        check("curl: imap:// with --ssl-reqd (STARTTLS), EXAMINE", result.returncode == 0
              and b"UIDVALIDITY" in result.stdout, result.stderr)
        result = subprocess.run(common + [f"imaps://localhost:{imaps_port}/", "-X", "EXAMINE INBOX"],
                                capture_output=True)
        check("curl: imaps:// (implicit TLS), EXAMINE", result.returncode == 0 and b"EXISTS" in result.stdout,
              result.stderr)


def oauth_checks(env, ca):
    """XOAUTH2 and OAUTHBEARER against both Dovecots (IMAP, and Postfix's AUTH through the SASL instance), checked by
    oauth_introspect.py: the run's token logs in, another is refused."""
    import base64
    port, subs = int(env["IMAP_PORT"]), int(env["SMTP_SUBMISSIONS_PORT"])
    user, token = env["IMAP_OAUTH_USER"], env["IMAP_OAUTH_TOKEN"]

    def xoauth2(bearer):
        return f"user={user}\x01auth=Bearer {bearer}\x01\x01".encode()

    def oauthbearer(bearer):
        return f"n,a={user},\x01host=localhost\x01port={port}\x01auth=Bearer {bearer}\x01\x01".encode()

    for name, mechanism, response in (("XOAUTH2", "XOAUTH2", xoauth2), ("OAUTHBEARER", "OAUTHBEARER", oauthbearer)):
        client = imaplib.IMAP4("localhost", port, timeout=10)
        client.starttls(ssl_context=ca)
        check(f"imap offers AUTH={name}", f"AUTH={name}" in client.capabilities, client.capabilities)
        # After a refusal Dovecot sends a JSON error as a continuation; the client answers it with an empty line.
        answers = iter([response(token)])
        client.authenticate(mechanism, lambda _challenge: next(answers, b""))
        check(f"imap: {name} with the run's token (oauth_introspect.py says active)", client.state == "AUTH")
        client.logout()
        client = imaplib.IMAP4("localhost", port, timeout=10)
        client.starttls(ssl_context=ca)
        answers = iter([response(token + "x")])
        expect_error(f"imap: {name} with another token is refused",
                     lambda: client.authenticate(mechanism, lambda _challenge: next(answers, b"")),
                     imaplib.IMAP4.error)
        client.logout()
    with smtplib.SMTP_SSL("localhost", subs, context=ca, timeout=10) as client:
        client.ehlo()
        offered = client.esmtp_features.get("auth", "").upper().split()
        check("submissions port offers AUTH XOAUTH2 and OAUTHBEARER (Dovecot SASL)",
              "XOAUTH2" in offered and "OAUTHBEARER" in offered, offered)
        code, reply = client.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(token)).decode())
        check("smtp: AUTH XOAUTH2 with the run's token", code == 235, f"{code} {reply}")
    with smtplib.SMTP_SSL("localhost", subs, context=ca, timeout=10) as client:
        client.ehlo()
        code, reply = client.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(token + "x")).decode())
        if code == 334:  # the JSON error, answered with an empty line
            code, reply = client.docmd("")
        check("smtp: AUTH XOAUTH2 with another token is refused (535)", code == 535, f"{code} {reply}")
    with open(env["OAUTH_INTROSPECT_LOG"], encoding="ascii") as log:
        lines = log.read().split()
    check("oauth_introspect.py was asked (active and inactive answers)",
          "active" in lines and "inactive" in lines, lines)


def pop3_checks(env, ca, directory):
    """Dovecot's POP3 on the IMAP user's INBOX (pop3s and STLS), and faulty_pop3.py's cleartext mode."""
    user, password = env["IMAP_USER"], env["IMAP_PASSWORD"]
    body = message("pop3-smoke", "someone@example.test", [user]).replace("\r\n", "\n")
    subprocess.run([os.path.join(os.path.dirname(__file__), "deliver.sh"), directory, "-"], input=body.encode(),
                   check=True)
    client = poplib.POP3_SSL("localhost", int(env["POP3S_PORT"]), context=ca, timeout=10)
    client.user(user)
    client.pass_(password)
    count, _ = client.stat()
    uids = [line.split()[1] for line in client.uidl()[1]]
    check("pop3s: login, STAT and UIDL", count >= 1 and len(uids) == count, f"{count} {uids}")
    top = b"\r\n".join(client.top(count, 0)[1])
    check("pop3s: TOP n 0 gives the header section only", b"Subject: pop3-smoke" in top and b"line 0" not in top)
    retr = b"\r\n".join(client.retr(count)[1])
    check("pop3s: RETR gives the whole message", b"line 0 of pop3-smoke" in retr)
    client.quit()
    plain = poplib.POP3("127.0.0.1", int(env["POP3_PORT"]), timeout=10)
    check("pop3: STLS offered", "STLS" in plain.capa())
    plain.stls(ssl.create_default_context(cafile=env["IMAP_CA_FILE"]))
    plain.user(user)
    plain.pass_(password)
    check("pop3: login after STLS; nothing deleted by the session before", plain.stat()[0] == count)
    plain.quit()
    with open(env["IMAP_LOG"], encoding="utf-8") as log:
        text = log.read()
    check("pop3: Dovecot logs what a session fetched", re.search(r"top=1/\d+, retr=1/\d+, del=0/", text) is not None)
    faulty = poplib.POP3("127.0.0.1", int(env["FAULTY_POP3_PORT_CLEARTEXT"]), timeout=10)
    check("faulty pop3 cleartext: no STLS", "STLS" not in faulty.capa())
    faulty.user("tanto")
    faulty.pass_("anything")
    check("faulty pop3 cleartext: two messages", faulty.stat()[0] == 2)
    faulty.quit()
    lines = wait_for_log(env, "pop3-cleartext", lambda lines: any(line.endswith("CLOSE") for line in lines))
    check("faulty pop3 cleartext: the log hides the password", "1 PASS ***" in lines and
          not any("anything" in line for line in lines), f"{lines}")


def main():
    directory = sys.argv[1]
    env = srvutil.load_env(directory)
    ca = ssl.create_default_context(cafile=env["SMTP_CA_FILE"])
    started = time.monotonic()
    postfix_checks(env, ca)
    print(f"# Postfix checks took {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    faulty_checks(env, ca)
    print(f"# faulty server checks took {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    imap_checks(env, ca, directory)
    print(f"# IMAP checks took {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    oauth_checks(env, ca)
    print(f"# OAuth2 checks took {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    pop3_checks(env, ca, directory)
    print(f"# POP3 checks took {time.monotonic() - started:.1f} s")
    print(f"smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
