#!/usr/bin/env python3
"""The mailbox of the light-watcher bench (bench/imap_light.sh): N ordinary messages of about 200 KB each (a short
text and a base64 attachment, varied senders, Date and Received in the last four months) with the given notices
put in among them, as files 0001.eml, 0002.eml ... in the order they are to be delivered (the UID order).

Usage: imap_light_gen.py DIR N NOTICE...      Seeded: the same arguments give the same files but for the dates
(counted back from now), so the same sizes.
Lines end with CRLF, as IMAP sends them, so that the sum of the files' sizes is what a client downloading every
message whole receives (RFC822.SIZE). The notices are copied byte for byte (CRLF added where a line has only LF),
at evenly spaced places in the middle of the order, never first or last."""
import base64, os, random, sys
from email.utils import format_datetime, formataddr
from datetime import datetime, timedelta, timezone

out, n, notices = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
random.seed(20261130)
os.makedirs(out, exist_ok=True)
JST = timezone(timedelta(hours=9))
now = datetime.now(JST)
SENDERS = [("株式会社 青葉商事 営業部", "sales@aoba-shoji.example"), ("Monthly Steel Prices", "news@steel-market.example"),
           ("経理課 山田", "yamada@aoba-kensetsu.example"), ("Build Supply Co.", "orders@buildsupply.example"),
           ("建設新聞 購読係", "info@kensetsu-shimbun.example"), ("IT Helpdesk", "helpdesk@aoba-kensetsu.example"),
           ("協力会社 佐藤工業", "office@sato-kogyo.example"), ("Invoice robot", "billing@cloud-invoice.example")]
SUBJECTS = ["見積書の送付", "現場写真（第{n}工区）", "Invoice {n}", "月次報告 {n}", "図面の修正版", "打合せ議事録",
            "Price list update {n}", "安全書類のご提出について"]


def header(name, value):
    from email.header import Header
    return f"{name}: {Header(value, 'utf-8').encode(maxlinelen=76)}" if not value.isascii() else f"{name}: {value}"


def ordinary(i):
    name, address = random.choice(SENDERS)
    date = now - timedelta(days=random.uniform(1, 120))
    subject = random.choice(SUBJECTS).format(n=random.randint(100, 999))
    boundary = f"=_bench_{i:04d}_{random.getrandbits(48):012x}"
    attachment = base64.encodebytes(random.randbytes(145_000)).decode()
    text = base64.encodebytes((f"お世話になっております。{name}です。\n資料を添付いたします。ご確認ください。\n" * 8)
                              .encode()).decode()
    domain = address.split("@")[1]
    received = (f"Received: from mail.{domain} (mail.{domain} [192.0.2.{i % 250 + 1}])\n"
                f"\tby mx1.aoba-kensetsu.example (Postfix) with ESMTPS id B{i:05d}\n"
                f"\tfor <nyusatsu-tanto@aoba-kensetsu.example>; {format_datetime(date + timedelta(seconds=3))}")
    lines = [received, "From: " + formataddr((name, address), charset="utf-8"),
             "To: nyusatsu-tanto@aoba-kensetsu.example", header("Subject", subject),
             f"Date: {format_datetime(date)}", f"Message-ID: <bench.{i:04d}.{random.getrandbits(40):x}@{domain}>",
             "MIME-Version: 1.0", f'Content-Type: multipart/mixed; boundary="{boundary}"', "",
             f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64", "",
             text.rstrip("\n"), f"--{boundary}", f'Content-Type: application/octet-stream; name="data{i:04d}.bin"',
             f'Content-Disposition: attachment; filename="data{i:04d}.bin"', "Content-Transfer-Encoding: base64", "",
             attachment.rstrip("\n"), f"--{boundary}--", ""]
    return "\r\n".join("\r\n".join(line.split("\n")) for line in lines).encode()


total = n + len(notices)
# Evenly spaced in the middle: with 200 messages and two notices, places 67 and 135 of 202 (1-based).
places = {round(total * (k + 1) / (len(notices) + 1)): path for k, path in enumerate(notices)}
ordinary_count = 0
for place in range(1, total + 1):
    if place in places:
        data = open(places[place], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    else:
        ordinary_count += 1
        data = ordinary(ordinary_count)
    with open(os.path.join(out, f"{place:04d}.eml"), "wb") as f:
        f.write(data)
print(" ".join(str(place) for place in sorted(places)))
