#!/usr/bin/env python3
"""Writes the deliveries of issue 11 into Tests/MailParseTests/Fixtures/corpus (d*.eml) and rewrites its
expected.jsonl: the 14 sample notices as they were, then one line per delivery, every line with `reason` last.

Each delivery is a notice or an ordinary message the way a real mailbox holds it after Gmail, Microsoft 365
(Defender Safe Links), Proofpoint, Mimecast, a mailing list, an old relay, a Japanese mail program or a colleague
got at it. The formats are built from their documentation (RFC 3676 format=flowed, Safe Links' `?url=`, Proofpoint's
published URL decoder, RFC 2047, the charsets' own codecs in Python), and the expected fields are written down here
from what was put in, independently of MailParse. Python standard library only. Run it again only to add one; the
files are committed."""
import base64, json, os, quopri, random, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "MailParseTests", "Fixtures", "corpus")
rng = random.Random(11)

ISSUER = "nyusatsu@to-kousya.example"
ISSUER_NAME = "JKK東京 電子入札システム"
UPDATE_SUBJECT = "【電子入札システム】クライアント証明書更新のお知らせ"
OTP_SUBJECT = "【電子入札システム】更新用ワンタイムパスワードのお知らせ"
BASE = "https://bid.to-kousya.example/cert/download?t="


def token():
    return base64.urlsafe_b64encode(bytes(rng.randrange(256) for _ in range(rng.choice([16, 18, 20])))).decode().rstrip("=")


def b_word(text, charset="utf-8"):
    return "=?%s?b?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def trusted_from():
    return b_word(ISSUER_NAME) + "\n <%s>" % ISSUER


def update_body(name, code, url, valid=("2027/04/01", "2028/03/31")):
    return (
        f"{name} 御中\n\nJKK東京(東京都住宅供給公社)電子入札システムのクライアント証明書の更新時期となりました。\n"
        f"新しいクライアント証明書の有効期間は {valid[0]}～{valid[1]} です。\n"
        "以下のURLにアクセスし、ワンタイムパスワードを発行のうえ、クライアント証明書をダウンロードしてください。\n\n"
        f"業者コード:{code}\nダウンロードURL:{url}\n\n"
        "※現在使用中のパソコン以外にクライアント証明書をダウンロードする場合にも、このURLが必要になります。"
        "本メールは削除せずに保存してください。\n※ワンタイムパスワードの有効期限は30分です。\n\nJKK東京 契約課\n"
    )


def otp_body(otp, expiry):
    return (
        "電子入札システムのクライアント証明書をダウンロードするために、以下のワンタイムパスワードを画面に入力してください。\n\n"
        f"ワンタイムパスワード:{otp}\n有効期限:{expiry}\n\n"
        "※ワンタイムパスワードの有効期限が経過し無効となった場合は、再度クライアント証明書の案内メールから"
        "ワンタイムパスワードを発行してください。\n"
    )


def html_of(text, link=lambda url: '<a href="%s">%s</a>' % (url, url)):
    """The issuer's HTML part: the same text, <br> per line, the download URL as a link."""
    lines = []
    for line in text.split("\n"):
        if line.startswith("ダウンロードURL:"):
            line = "ダウンロードURL:" + link(line[len("ダウンロードURL:"):])
        lines.append(line)
    return ('<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"></head><body>\n<p>'
            + "<br>\n".join(lines) + "</p>\n</body></html>\n")


def b64(text, charset="utf-8"):
    return base64.encodebytes(text.encode(charset)).decode()


def issuer_trace(mx, rcpt, date, msgid_host="to-kousya.example"):
    return (f"Return-Path: <{ISSUER}>\nDelivered-To: {rcpt}\n"
            f"Received: from mail01.to-kousya.example (mail01.to-kousya.example [203.0.113.25])\n"
            f"\tby {mx} with ESMTPS id {token()[:12]}\n\tfor <{rcpt}>; {date}\n")


def gmail_trace(rcpt, date):
    sig = base64.b64encode(bytes(rng.randrange(256) for _ in range(96))).decode()
    return (f"Delivered-To: {rcpt}\nReceived: by 2002:a05:7010:5a4c:b0:3e1:2f0:9b1 with SMTP id q12csp41221;\n"
            f"        {date}\n"
            f"ARC-Seal: i=1; a=rsa-sha256; t=1800000000; cv=none;\n        d=google.com; s=arc-20240605;\n"
            f"        b={sig[:64]}\n         {sig[64:]}\n"
            f"ARC-Authentication-Results: i=1; mx.google.com;\n       dkim=pass header.i=@to-kousya.example "
            f"header.s=sel2027 header.b=Ab12Cd34;\n       spf=pass (google.com: domain of {ISSUER} designates "
            f"203.0.113.25 as permitted sender) smtp.mailfrom={ISSUER};\n       dmarc=pass (p=REJECT sp=REJECT "
            f"dis=NONE) header.from=to-kousya.example\nReturn-Path: <{ISSUER}>\n"
            f"Received: from mail01.to-kousya.example (mail01.to-kousya.example. [203.0.113.25])\n"
            f"        by mx.google.com with ESMTPS id 5a478bee46e88-2b1c2d3e4f5sor1234567eec.12.2027.01.14.00.05.03\n"
            f"        for <{rcpt}>\n        (Google Transport Security);\n        {date}\n"
            f"Received-SPF: pass (google.com: domain of {ISSUER} designates 203.0.113.25 as permitted sender) "
            f"client-ip=203.0.113.25;\n"
            f"Authentication-Results: mx.google.com;\n       dkim=pass header.i=@to-kousya.example "
            f"header.s=sel2027 header.b=Ab12Cd34;\n       spf=pass smtp.mailfrom={ISSUER};\n       dmarc=pass "
            f"(p=REJECT sp=REJECT dis=NONE) header.from=to-kousya.example\n"
            f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=to-kousya.example; s=sel2027;\n"
            f"\th=from:to:subject:date:message-id:mime-version:content-type; bh={sig[:44]};\n\tb={sig}\n")


def exchange_trace(rcpt, date):
    return (f"Received: from TYCPR01MB8123.jpnprd01.prod.outlook.com (2603:1096:400:1a2::9) by\n"
            f" TYAPR01MB5432.jpnprd01.prod.outlook.com with HTTPS; {date}\n"
            f"Authentication-Results: spf=pass (sender IP is 203.0.113.25)\n smtp.mailfrom=to-kousya.example; "
            f"dkim=pass (signature was verified)\n header.d=to-kousya.example;dmarc=pass action=none\n "
            f"header.from=to-kousya.example;compauth=pass reason=100\n"
            f"Received-SPF: Pass (protection.outlook.com: domain of to-kousya.example\n designates 203.0.113.25 as "
            f"permitted sender) receiver=protection.outlook.com;\n client-ip=203.0.113.25; helo=mail01.to-kousya.example;\n"
            f"X-MS-Exchange-Organization-ExpirationStartTime: 14 Jan 2027 00:05:04.1234\n (UTC)\n"
            f"X-MS-Exchange-Organization-Network-Message-Id: 8f0c2a4e-1b3d-4c5e-9f70-{token()[:12].lower()}\n"
            f"X-MS-Exchange-Organization-AuthSource: TYCPR01MB8123.jpnprd01.prod.outlook.com\n"
            f"X-MS-Exchange-Organization-AuthAs: Anonymous\nX-MS-Exchange-Organization-SCL: 1\n"
            f"X-Microsoft-Antispam: BCL:0;\nX-MS-Exchange-Organization-AVStamp-Enterprise: 1.0\n")


def headers(subject, from_field=None, to="nyusatsu-tanto@aoba-kensetsu.example",
            date="Thu, 14 Jan 2027 09:05:00 +0900", extra=(), msgid=None):
    msgid = msgid or "%d.%s@to-kousya.example" % (rng.randrange(10**11, 10**12), token()[:10].lower())
    lines = ["From: " + (from_field or trusted_from()), "To: " + to, "Subject: " + subject, "Date: " + date,
             "Message-ID: <%s>" % msgid, "MIME-Version: 1.0"] + list(extra)
    return "\n".join(lines) + "\n"


def alternative(plain, html, boundary=None, plain_type="text/plain; charset=\"utf-8\"", plain_cte="base64",
                html_cte="base64"):
    boundary = boundary or "_000_TYCPR01MB8123%s_" % token()[:8]
    def encode(text, cte):
        if cte == "base64":
            return b64(text)
        if cte == "quoted-printable":
            return quopri.encodestring(text.encode()).decode()
        return text
    return ('Content-Type: multipart/alternative;\n\tboundary="%s"\n\n--%s\nContent-Type: %s\n'
            "Content-Transfer-Encoding: %s\n\n%s\n--%s\nContent-Type: text/html; charset=\"utf-8\"\n"
            "Content-Transfer-Encoding: %s\n\n%s\n--%s--\n") % (
        boundary, boundary, plain_type, plain_cte, encode(plain, plain_cte), boundary, html_cte,
        encode(html, html_cte), boundary)


def single(text, charset="utf-8", cte="base64", params=""):
    if charset == "iso-2022-jp":
        text = text.replace("～", "〜")  # ISO-2022-JP has WAVE DASH where Windows shows FULLWIDTH TILDE
    if cte == "base64":
        body = b64(text, charset)
    elif cte == "quoted-printable":
        body = quopri.encodestring(text.encode(charset)).decode()
    else:
        # 7bit/8bit: the charset's own bytes, carried through str by surrogateescape (add() writes them back).
        body = text.encode(charset).decode("utf-8", "surrogateescape")
    return 'Content-Type: text/plain; charset="%s"%s\nContent-Transfer-Encoding: %s\n\n%s' % (charset, params, cte, body)


# --- The formats of the link rewriters -----------------------------------------------------------------------

def safelinks(url, region="nam12"):
    data = "05%7C02%7Cnyusatsu-tanto%40aoba-kensetsu.example%7C8f0c2a4e1b3d4c5e9f70%7C72f988bf86f141af91ab2d7cd011db47%7C0%7C0%7C638720000000000000%7CUnknown"
    sdata = urllib.parse.quote(base64.b64encode(bytes(rng.randrange(256) for _ in range(32))).decode(), safe="")
    return "https://%s.safelinks.protection.outlook.com/?url=%s&data=%s&sdata=%s&reserved=0" % (
        region, urllib.parse.quote(url, safe=""), data, sdata)


def proofpoint_v2(url):
    encoded = "".join(c if c.isalnum() or c == "." else "_" if c == "/" else "-%02X" % ord(c) for c in url)
    return ("https://urldefense.proofpoint.com/v2/url?u=%s&d=DwMFaQ&c=euGZstcaTDllvimEN8b7jXrwqOf-v5A_CdpgnVfiiMM"
            "&r=9Vy3Xl2q5oTPwaKm1uQ0CnDvoXtWCgJ0dA7pK-xRU3w&m=Qx1b2c3d4e5f&s=AbCdEfGhIjKlMnOp&e=") % encoded


def proofpoint_v3(url, replaced="?=&"):
    template, taken = "", ""
    for c in url:
        if c in replaced:
            template += "*"
            taken += c
        else:
            template += c
    enc = base64.urlsafe_b64encode(taken.encode()).decode().rstrip("=")
    return "https://urldefense.com/v3/__%s__;%s!!Nmw4Hv0!xZ3kP9qLmN0rT5vW8yB2cD4fG6hJ$" % (template, enc)


def mimecast():
    return "https://protect-eu.mimecast.com/s/%s?domain=bid.to-kousya.example" % token()[:18]


# --- The deliveries -------------------------------------------------------------------------------------------

deliveries = []


def add(name, data, kind, trusted, subject, reason=None, code=None, url=None, valid=None, otp=None, exp=None,
        what=""):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    expected = {"kind": kind, "trusted": trusted, "vendor_code": code, "url": url,
                "valid_from": valid[0] if valid else None, "valid_until": valid[1] if valid else None,
                "otp": otp, "expires_at": exp, "subject": subject, "reason": reason}
    deliveries.append((name, data, expected, what))


VALID = ("2027-04-01", "2028-03-31")

# 1. Microsoft 365 with Defender Safe Links: both parts rewritten, the HTML link text still shows the original.
t = BASE + token()
body = update_body("株式会社青葉建設", "5184962", safelinks(t))
html = html_of(update_body("株式会社青葉建設", "5184962", t), lambda u: (
    '<a href="%s" originalsrc="%s" shash="Xk3Vq9rTz1LmN0pQs7wYa=">%s</a>'
    % (safelinks(u).replace("&", "&amp;"), u, u)))
add("d01_update_m365_safelinks_alternative.eml",
    exchange_trace("nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 00:05:04 +0000")
    + headers(b_word(UPDATE_SUBJECT)) + alternative(body, html),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="Microsoft 365: Defender Safe Links rewrote the URL in both parts (HTML link text keeps the original); trusted, the original stored")

t = BASE + token()
html = html_of(update_body("東邦電工株式会社", "5902973", t), lambda u: (
    '<a href="%s" originalsrc="%s" shash="Pq0=" data-auth="NotApplicable">こちら</a>'
    % (safelinks(u, "apc01").replace("&", "&amp;"), u)))
add("d02_update_m365_safelinks_html_only.eml",
    exchange_trace("eigyo@toho-denko.example", "Tue, 12 Jan 2027 01:30:06 +0000")
    + headers(b_word(UPDATE_SUBJECT), to="eigyo@toho-denko.example")
    + 'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + quopri.encodestring(html.encode()).decode(),
    "update_notice", True, UPDATE_SUBJECT, None, "5902973", t, VALID,
    what="HTML only through Microsoft 365: the Safe Links href behind the words こちら; trusted, the original stored")

# 2. Proofpoint URL Defense v2 in an ISO-2022-JP text part, and v3 in both parts.
t = BASE + token()
text = update_body("株式会社みなと造園", "7894322", proofpoint_v2(t))
add("d03_update_proofpoint_v2_iso2022jp.eml",
    issuer_trace("mx0a-00123401.pphosted.com (Proofpoint)", "koji-bu@minato-zoen.example", "Thu, 14 Jan 2027 09:05:08 +0900")
    + headers(b_word(UPDATE_SUBJECT, "iso-2022-jp"), to="koji-bu@minato-zoen.example")
    + single(text, "iso-2022-jp", "7bit"),
    "update_notice", True, UPDATE_SUBJECT, None, "7894322", t, VALID,
    what="Proofpoint URL Defense v2 (-XX for %XX, _ for /) in ISO-2022-JP text; trusted, the original stored")

t = BASE + token()
body = update_body("株式会社東西設備", "6600123", proofpoint_v3(t))
html = html_of(update_body("株式会社東西設備", "6600123", t), lambda u: '<a href="%s">%s</a>' % (proofpoint_v3(u), u))
add("d04_update_proofpoint_v3_alternative.eml",
    issuer_trace("mx0b-00123401.pphosted.com (Proofpoint)", "info@tozai-setsubi.example", "Fri, 15 Jan 2027 10:12:40 +0900")
    + headers(b_word(UPDATE_SUBJECT), to="info@tozai-setsubi.example") + alternative(body, html),
    "update_notice", True, UPDATE_SUBJECT, None, "6600123", t, VALID,
    what="Proofpoint URL Defense v3 (__URL__ with * for replaced characters, base64url after ;) in both parts; trusted")

t = BASE + token() + "&lang=ja"
body = update_body("株式会社青葉建設", "5184962", safelinks(proofpoint_v3(t), "jpn01"))
add("d05_update_safelinks_around_proofpoint.eml",
    exchange_trace("nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 00:06:11 +0000")
    + headers(b_word(UPDATE_SUBJECT)) + single(body),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="Proofpoint v3 at the sender's relay, then Safe Links at the vendor's: both undone; trusted")

# 3. Opaque rewriters: Mimecast keeps the URL on its own server.
t = BASE + token()
m = mimecast()
body = update_body("株式会社青葉建設", "5184962", t)
html = html_of(body, lambda u: '<a href="%s">%s</a>' % (m, u))
add("d06_update_mimecast_html.eml",
    issuer_trace("eu-smtp-inbound-1.mimecast.com", "nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 09:05:09 +0900")
    + headers(b_word(UPDATE_SUBJECT), extra=["X-MC-Unique: %s" % token()[:22]]) + alternative(body, html),
    "update_notice", False, UPDATE_SUBJECT, "url_rewritten", "5184962", t, VALID,
    what="Mimecast rewrote the HTML link (the text part kept the URL): opaque, untrusted, nothing stored")

m = mimecast()
body = update_body("株式会社みなと造園", "7894322", m)
html = html_of(body)
add("d07_update_mimecast_both_parts.eml",
    issuer_trace("eu-smtp-inbound-2.mimecast.com", "koji-bu@minato-zoen.example", "Thu, 14 Jan 2027 09:05:12 +0900")
    + headers(b_word(UPDATE_SUBJECT), to="koji-bu@minato-zoen.example", extra=["X-MC-Unique: %s" % token()[:22]])
    + alternative(body, html),
    "update_notice", False, UPDATE_SUBJECT, "url_rewritten", "7894322", m, VALID,
    what="Mimecast rewrote the URL in both parts: url_rewritten, the gateway's URL reported, nothing stored")

evil = "https://bid-to-kousya.cert-renewal.test/cert/download?t=" + token()
body = update_body("株式会社青葉建設", "5184962", safelinks(evil))
add("d08_update_safelinks_lookalike_inside.eml",
    exchange_trace("nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 00:07:00 +0000")
    + headers(b_word(UPDATE_SUBJECT), from_field="%s <%s>" % (b_word(ISSUER_NAME), ISSUER)) + single(body),
    "update_notice", False, UPDATE_SUBJECT, "url_host_not_trusted", "5184962", evil, VALID,
    what="a forged notice through Safe Links: the inner URL is a look-alike host; untrusted (phishing)")

t = BASE + token()
plain = update_body("株式会社青葉建設", "5184962", t)
html = html_of(plain, lambda u: '<a href="%s">%s</a>' % (safelinks(evil.replace("t=", "x=")).replace("&", "&amp;"), u))
add("d09_update_safelinks_link_text_mismatch.eml",
    exchange_trace("nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 00:08:00 +0000")
    + headers(b_word(UPDATE_SUBJECT)) + alternative(plain, html),
    "update_notice", False, UPDATE_SUBJECT, "link_text_mismatch", "5184962", t, VALID,
    what="the link text shows the issuer's URL, the Safe Links href opens a look-alike: link_text_mismatch (phishing)")


# 4. format=flowed (RFC 3676) from Thunderbird and Apple Mail.
def flow(text, width=60, delsp=True):
    """Wraps each line into flowed lines of at most `width` characters: with DelSp=yes anywhere (a space is added
    and deleted again), with DelSp=no only after an existing space."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            if delsp:
                cut = width
                out.append(line[:cut] + " ")
                line = line[cut:]
            else:
                cut = line.rfind(" ", 0, width)
                if cut <= 0:
                    break
                out.append(line[:cut + 1])
                line = line[cut + 1:]
        out.append(line)
    return "\r\n".join(out)


t = BASE + token()
text = update_body("株式会社青葉建設", "5184962", t).replace("有効期間は 2027/04/01～", "有効期間は\u30002027/04/01～")
add("d10_update_flowed_delsp_yes.eml",
    issuer_trace("mx1.aoba-kensetsu.example (Postfix)", "nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 09:05:02 +0900")
    + headers(b_word(UPDATE_SUBJECT), extra=["User-Agent: Mozilla Thunderbird"])
    + single(flow(text, 40, True), "utf-8", "8bit", "; format=flowed; delsp=yes"),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="format=flowed DelSp=yes at 40 characters: the URL and the validity period wrapped; trusted")

t = BASE + token()
text = update_body("株式会社東西設備", "6600123", t).replace("～", " ～ ").replace("ダウンロードURL:", "ダウンロードURL: ")
add("d11_update_flowed_delsp_no.eml",
    issuer_trace("mx.tozai-setsubi.example (Postfix)", "info@tozai-setsubi.example", "Fri, 15 Jan 2027 10:12:41 +0900")
    + headers(b_word(UPDATE_SUBJECT), to="info@tozai-setsubi.example", extra=["X-Mailer: Apple Mail (2.3826)"])
    + single(flow(text, 30, False), "utf-8", "8bit", "; format=flowed; delsp=no"),
    "update_notice", True, UPDATE_SUBJECT, None, "6600123", t, VALID,
    what="format=flowed DelSp=no, broken after spaces: the URL moved to its own line, the dates split; trusted")

text = otp_body("Hn4Kt8Wz", "2027/01/28 14:35").replace("有効期限:", "有効期限: ")
add("d12_otp_flowed_delsp_no_quoted_stuffed.eml",
    issuer_trace("mx1.aoba-kensetsu.example (Postfix)", "nyusatsu-tanto@aoba-kensetsu.example", "Thu, 28 Jan 2027 14:05:02 +0900")
    + headers(b_word(OTP_SUBJECT), date="Thu, 28 Jan 2027 14:05:00 +0900")
    + single(flow(text, 18, False).replace("\r\n有効期限", "\r\n 有効期限"), "utf-8", "8bit",
             "; format=flowed"),
    "otp", True, OTP_SUBJECT, None, otp="Hn4Kt8Wz", exp="2027-01-28T14:35:00+09:00",
    what="an OTP notice flowed at 18 characters (no DelSp), one line space-stuffed: expiry date and time rejoined")


# 5. Relays and mail programs that hard-wrap at 76 octets.
def hard_wrap(text, octets=76, charset="utf-8", indent=""):
    """Breaks every line longer than `octets` (in `charset`) at that many octets; never inside a character."""
    out = []
    for line in text.split("\n"):
        while len(line.encode(charset)) > octets:
            cut = len(line)
            while len(line[:cut].encode(charset)) > octets:
                cut -= 1
            out.append(line[:cut])
            line = indent + line[cut:]
        out.append(line)
    return "\n".join(out)


def short_lines(name, code, url):
    # The validity period on a line of its own, so that the wrap cuts only the URL line.
    return update_body(name, code, url).replace("新しいクライアント証明書の有効期間は ", "有効期間:").replace(
        " です。\n", "\n")


t = BASE + token()
text = hard_wrap(short_lines("株式会社青葉建設", "5184962", t))
assert any(len(l.encode()) == 76 and l.startswith("ダウンロードURL") for l in text.split("\n"))
add("d13_update_relay_hardwrap76_utf8.eml",
    "Received: from relay.old-isp.example (relay.old-isp.example [192.0.2.7])\n\tby mx1.aoba-kensetsu.example "
    "(Postfix) with ESMTP id 3kF9;\n\tThu, 14 Jan 2027 09:05:31 +0900\n"
    + issuer_trace("relay.old-isp.example (8.9.3/8.9.3)", "nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 09:05:30 +0900")
    + headers(b_word(UPDATE_SUBJECT)) + single(text, "utf-8", "8bit"),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="8-bit UTF-8 text hard-wrapped at 76 octets by an old relay: the URL goes on at the next line; joined, trusted")

t = BASE + token()
text = hard_wrap(short_lines("株式会社みなと造園", "7894322", t).replace("～", "〜"), charset="iso-2022-jp")
assert any(len(l.encode("iso-2022-jp")) == 76 and l.startswith("ダウンロードURL") for l in text.split("\n"))
add("d14_update_hardwrap76_iso2022jp.eml",
    issuer_trace("mx.minato-zoen.example (Postfix)", "koji-bu@minato-zoen.example", "Thu, 14 Jan 2027 11:00:02 +0900")
    + headers(b_word(UPDATE_SUBJECT, "iso-2022-jp"), to="koji-bu@minato-zoen.example",
              extra=["X-Mailer: Becky! ver. 2.81.05"])
    + single(text, "iso-2022-jp", "7bit"),
    "update_notice", True, UPDATE_SUBJECT, None, "7894322", t, VALID,
    what="ISO-2022-JP hard-wrapped at 76 octets on the wire (escape sequences counted); joined, trusted")

t = BASE + token()
plain = hard_wrap(short_lines("株式会社青葉建設", "5184962", t), indent="  ")
cut = next(l for l in plain.split("\n") if l.startswith("ダウンロードURL"))[len("ダウンロードURL:"):]
html = html_of(short_lines("株式会社青葉建設", "5184962", t))
add("d15_update_wrap_indented_disagrees_with_html.eml",
    issuer_trace("mx1.aoba-kensetsu.example (Postfix)", "nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 09:05:40 +0900")
    + headers(b_word(UPDATE_SUBJECT)) + alternative(plain, html, plain_cte="8bit"),
    "update_notice", False, UPDATE_SUBJECT, "url_cut", "5184962", cut, VALID,
    what="the text part wrapped at 76 with the rest indented (cannot be joined), the HTML link whole: the parts disagree, url_cut")

# 6. hrefs with line breaks (WHATWG URL parsing strips tabs and newlines).
t = BASE + token()
html = html_of(short_lines("東邦電工株式会社", "5902973", t), lambda u: '<a\nhref="%s\n%s">%s</a>' % (u[:40], u[40:], "こちら"))
add("d16_update_html_href_line_break.eml",
    issuer_trace("mx.toho-denko.example (Postfix)", "eigyo@toho-denko.example", "Tue, 12 Jan 2027 10:30:11 +0900")
    + headers(b_word(UPDATE_SUBJECT), to="eigyo@toho-denko.example")
    + 'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n' + html.replace("\n", "\r\n"),
    "update_notice", True, UPDATE_SUBJECT, None, "5902973", t, VALID,
    what="HTML only, the href broken by a CRLF (a mail program wrapped the source): read as a browser reads it; trusted")

t = BASE + token()
plain = short_lines("株式会社東西設備", "6600123", t)
html = html_of(plain, lambda u: '<a href="\n\t%s\n\t%s\n">%s</a>' % (u[:50], u[50:], u))
add("d17_update_html_href_tab_wrapped_alternative.eml",
    issuer_trace("mx.tozai-setsubi.example (Postfix)", "info@tozai-setsubi.example", "Fri, 15 Jan 2027 10:12:50 +0900")
    + headers(b_word(UPDATE_SUBJECT), to="info@tozai-setsubi.example") + alternative(plain, html),
    "update_notice", True, UPDATE_SUBJECT, None, "6600123", t, VALID,
    what="the HTML href wrapped with newline and tab, the text part whole: both read alike; trusted")

# 7. Reasons that are not phishing, and a control through Gmail.
t = BASE + token()
add("d18_update_gmail_arc_dkim.eml",
    gmail_trace("aoba.kensetsu.nyusatsu@gmail.example", "Thu, 14 Jan 2027 00:05:03 -0800 (PST)")
    + headers(b_word(UPDATE_SUBJECT), to="aoba.kensetsu.nyusatsu@gmail.example")
    + single(update_body("株式会社青葉建設", "5184962", t)),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="delivered by Gmail with ARC, DKIM and DMARC results: trusted (the control)")

t = BASE + token()
add("d19_update_mailing_list_rewrote_from.eml",
    gmail_trace("koji-bu@minato-zoen.example", "Thu, 14 Jan 2027 00:05:09 -0800 (PST)")
    + headers(b_word(UPDATE_SUBJECT), to="nyusatsu-ml@groups.minato-zoen.example",
              from_field="%s <nyusatsu-ml@groups.minato-zoen.example>" % b_word("'%s' via 入札情報" % ISSUER),
              extra=["Reply-To: %s" % ISSUER, "X-Original-Sender: %s" % ISSUER,
                     "Mailing-list: list nyusatsu-ml@groups.minato-zoen.example; contact nyusatsu-ml+owners@groups.minato-zoen.example",
                     "List-ID: <nyusatsu-ml.groups.minato-zoen.example>",
                     "List-Post: <mailto:nyusatsu-ml@groups.minato-zoen.example>",
                     "List-Unsubscribe: <mailto:nyusatsu-ml+unsubscribe@groups.minato-zoen.example>"])
    + single(update_body("株式会社みなと造園", "7894322", t)),
    "update_notice", False, UPDATE_SUBJECT, "sender_not_trusted", "7894322", t, VALID,
    what="a Google-Groups-style list rewrote From (DMARC): sender_not_trusted, not phishing")

t = BASE + token()
notice = short_lines("株式会社青葉建設", "5184962", t)
fw_html = ('<html><body><div>田中さん<br>下記、転送します。<br>佐藤</div><div id="divRplyFwdMsg">'
           '<hr style="display:inline-block;width:98%"><b>差出人:</b> ' + ISSUER_NAME + ' &lt;' + ISSUER + '&gt;<br>'
           '<b>送信日時:</b> 2027年1月14日 9:05<br><b>件名:</b> ' + UPDATE_SUBJECT + '</div>'
           + html_of(notice).split("<body>")[1])
fw_plain = ("田中さん\n下記、転送します。\n佐藤\n\n________________________________\n差出人: %s <%s>\n送信日時: 2027年1月14日 9:05\n"
            "件名: %s\n\n%s" % (ISSUER_NAME, ISSUER, UPDATE_SUBJECT, notice))
add("d20_update_forward_outlook.eml",
    exchange_trace("tanaka@aoba-kensetsu.example", "Thu, 14 Jan 2027 01:10:00 +0000")
    + headers("FW: " + b_word(UPDATE_SUBJECT), from_field="%s <sato@aoba-kensetsu.example>" % b_word("佐藤 花子"),
              to="tanaka@aoba-kensetsu.example", msgid="TYCPR01MB8123A1B2C3@TYCPR01MB8123.jpnprd01.prod.outlook.com")
    + alternative(fw_plain, fw_html),
    "update_notice", False, "FW: " + UPDATE_SUBJECT, "forwarded", "5184962", t, VALID,
    what="a colleague's Outlook forward (FW:, 差出人/送信日時 block): forwarded, not phishing")

t = BASE + token()
fwd = ("iPhoneから送信\n\n転送されたメッセージ:\n\n差出人: %s <%s>\n日付: 2027年1月14日 9:05:00 JST\n宛先: koji-bu@minato-zoen.example\n"
       "件名: %s\n\n%s" % (ISSUER_NAME, ISSUER, UPDATE_SUBJECT, update_body("株式会社みなと造園", "7894322", t)))
add("d21_update_forward_iphone.eml",
    "Received: from smtpclient.apple (p1234-ipngn.tokyo.ocn.example [198.51.100.9])\n\tby mx.minato-zoen.example "
    "(Postfix) with ESMTPSA id 4Fq;\n\tThu, 14 Jan 2027 12:01:00 +0900\n"
    + headers(b_word("転送: " + UPDATE_SUBJECT), from_field="%s <suzuki@minato-zoen.example>" % b_word("鈴木 一郎"),
              to="koji-bu@minato-zoen.example", extra=["X-Mailer: iPhone Mail (22C152)"])
    + single(fwd, "utf-8", "quoted-printable"),
    "update_notice", False, "転送: " + UPDATE_SUBJECT, "forwarded", "7894322", t, VALID,
    what="forwarded from an iPhone (転送されたメッセージ): forwarded")

u = BASE.replace("https://", "http://") + token()
add("d22_update_http_scheme.eml",
    issuer_trace("mx1.aoba-kensetsu.example (Postfix)", "nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 09:05:02 +0900")
    + headers(b_word(UPDATE_SUBJECT)) + single(update_body("株式会社青葉建設", "5184962", u)),
    "update_notice", False, UPDATE_SUBJECT, "url_not_https", "5184962", u, VALID,
    what="the issuer's host over plain http: url_not_https, not phishing")

# 8. Charsets notifier has no decoder of its own for: glibc iconv reads them as Python does.
others = [
    ("d23_other_euc_kr.eml", "euc-kr", "회의 일정 안내", "다음 주 회의는 화요일 10시입니다.\n"),
    ("d24_other_gb2312.eml", "gb2312", "会议通知", "下周二上午十点开会。\n"),
    ("d25_other_gbk.eml", "gbk", "关于镕基金的通知", "请查收附件。\n"),
    ("d26_other_big5.eml", "big5", "會議通知", "下週二上午十點開會。\n"),
    ("d27_other_utf7.eml", "utf-7", "日本語のテスト", "本文です。\n"),
    ("d28_other_koi8_r.eml", "koi8-r", "Привет из Москвы", "Встреча во вторник.\n"),
    ("d29_other_iso_8859_2.eml", "iso-8859-2", "Zażółć gęślą jaźń", "Spotkanie we wtorek.\n"),
    ("d30_other_iso_8859_7.eml", "iso-8859-7", "Συνάντηση την Τρίτη", "Καλημέρα.\n"),
]
for name, charset, subject, text in others:
    add(name, headers(b_word(subject, charset), from_field="someone@mail.example", to="all@mail.example",
                      date="Mon, 18 Jan 2027 10:00:00 +0900")
        + single(text, charset, "base64"), "other", False, subject,
        what="%s subject and body, read by glibc iconv (not as Japanese mojibake)" % charset.upper())

add("d31_other_unknown_charset.eml",
    headers("=?x-mac-kanji-legacy?Q?=93=FA=8C=EA?= report", from_field="someone@mail.example", to="all@mail.example")
    + 'Content-Type: text/plain; charset="x-mac-kanji-legacy"\nContent-Transfer-Encoding: 8bit\n\nabc\n',
    "other", False, "\ufffd\ufffd\ufffd\ufffd report",
    what="a charset neither notifier nor iconv knows: U+FFFD for its 8-bit bytes, never a Japanese guess")

# 9. Header shapes of Japanese mail programs and old Macs.
t = BASE + token()
jis = base64.b64encode(UPDATE_SUBJECT.encode("iso-2022-jp")).decode()
folded = "=?ISO-2022-JP?B?%s\n %s?=" % (jis[:30], jis[30:])
add("d32_update_encoded_word_folded_inside.eml",
    issuer_trace("mx1.aoba-kensetsu.example (Postfix)", "nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 09:05:02 +0900")
    + headers(folded, extra=["X-Mailer: Microsoft Outlook Express 6.00.2900.5931"])
    + single(update_body("株式会社青葉建設", "5184962", t), "iso-2022-jp", "7bit"),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="the Subject's ISO-2022-JP encoded word folded in its middle (…CRLF SP …?=): decoded as Python does; trusted")

subject = "【至急】見積書送付のお願い"
add("d33_other_undeclared_cp932_subject.eml",
    b"From: yamada@kouji.example\nTo: all@kouji.example\nSubject: " + subject.encode("cp932")
    + b"\nDate: Mon, 18 Jan 2027 10:00:00 +0900\nMIME-Version: 1.0\nContent-Type: text/plain; charset=shift_jis\n\n"
    + "よろしくお願いします。\n".encode("cp932"),
    "other", False, subject, what="a raw Shift_JIS Subject with no encoded word: cp932, since it decodes cleanly")

subject = "Réunion à 10h – salle B"
add("d34_other_undeclared_windows1252_subject.eml",
    b"From: jean@societe.example\nTo: all@societe.example\nSubject: " + subject.encode("cp1252")
    + b"\nDate: Mon, 18 Jan 2027 10:00:00 +0100\n\nMerci.\n",
    "other", False, subject, what="raw Windows-1252 in the Subject: neither UTF-8 nor clean cp932, so Windows-1252")

otp_text = otp_body("Qw3Er5Ty", "2027/03/05 16:45")
mac = ("From: %s\nSubject: %s\nDate: Fri, 5 Mar 2027 16:15:00 +0900\nMessage-ID: <mac-0305@to-kousya.example>\n"
       "MIME-Version: 1.0\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n\n"
       % (ISSUER, b_word(OTP_SUBJECT, "shift_jis"))).encode() + otp_text.encode("cp932")
add("d35_otp_cr_only_shift_jis.eml", mac.replace(b"\n", b"\r"),
    "otp", True, OTP_SUBJECT, None, otp="Qw3Er5Ty", exp="2027-03-05T16:45:00+09:00",
    what="an OTP notice kept by an old Mac mail program: CR-only line ends, Shift_JIS; trusted")

t = BASE + token()
mac = (headers(b_word(UPDATE_SUBJECT, "iso-2022-jp")) + 'Content-Type: text/plain; charset="iso-2022-jp"\n\n').encode() \
    + update_body("株式会社青葉建設", "5184962", t).replace("～", "〜").encode("iso-2022-jp")
add("d36_update_cr_only_iso2022jp.eml", mac.replace(b"\n", b"\r"),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="an update notice with CR-only line ends in ISO-2022-JP: read as lines, trusted")

t = BASE + token()
add("d37_update_from_words_before_address.eml",
    headers(b_word(UPDATE_SUBJECT), from_field="JKK Tokyo nyusatsu@to-kousya.example")
    + single(update_body("株式会社青葉建設", "5184962", t)),
    "update_notice", False, UPDATE_SUBJECT, "sender_not_trusted", "5184962", t, VALID,
    what="From: words before a bare address (no angle brackets): unparseable, so no sender; untrusted")

t = BASE + token()
text = hard_wrap(short_lines("株式会社青葉建設", "5184962", safelinks(t)))
assert sum(1 for l in text.split("\n") if len(l.encode()) == 76) >= 3
add("d38_update_safelinks_hardwrap76_four_lines.eml",
    "Received: from relay.old-isp.example (relay.old-isp.example [192.0.2.7])\n\tby mx1.aoba-kensetsu.example "
    "(Postfix) with ESMTP id 3kG1;\n\tThu, 14 Jan 2027 09:06:31 +0900\n"
    + exchange_trace("nyusatsu-tanto@aoba-kensetsu.example", "Thu, 14 Jan 2027 00:06:20 +0000")
    + headers(b_word(UPDATE_SUBJECT)) + single(text, "utf-8", "8bit"),
    "update_notice", True, UPDATE_SUBJECT, None, "5184962", t, VALID,
    what="a Safe Links URL in 8-bit text, hard-wrapped at 76 octets over four lines by a relay: joined, unwrapped, trusted")

t = BASE + token()
plain = hard_wrap(short_lines("株式会社東西設備", "6600123", t), indent="    ")
cut = next(l for l in plain.split("\n") if l.startswith("ダウンロードURL"))[len("ダウンロードURL:"):]
assert len(cut.split("t=")[1]) < 22
add("d39_update_wrap_indented_token_short.eml",
    "Received: from relay.old-isp.example (relay.old-isp.example [192.0.2.7])\n\tby mx.tozai-setsubi.example "
    "(Postfix) with ESMTP id 3kH2;\n\tFri, 15 Jan 2027 10:13:31 +0900\n"
    + issuer_trace("relay.old-isp.example (8.9.3/8.9.3)", "info@tozai-setsubi.example", "Fri, 15 Jan 2027 10:13:30 +0900")
    + headers(b_word(UPDATE_SUBJECT), to="info@tozai-setsubi.example") + single(plain, "utf-8", "8bit"),
    "update_notice", False, UPDATE_SUBJECT, "url_cut", "6600123", cut, VALID,
    what="text only, wrapped at 76 with the rest indented (cannot be joined): the token is shorter than the issuer's "
         "22 characters, url_cut")

# --- Write ---------------------------------------------------------------------------------------------------

SAMPLE_REASONS = {"p06_update_forwarded_inline.eml": "forwarded", "p07_update_phishing_url_host.eml": "url_host_not_trusted",
                  "p08_update_display_name_spoof.eml": "sender_not_trusted"}
path = os.path.join(OUT, "expected.jsonl")
samples = []
with open(path, encoding="utf-8") as f:
    for line in f:
        record = json.loads(line)
        if record["file"].startswith("p"):
            record.pop("reason", None)
            record["reason"] = SAMPLE_REASONS.get(record["file"])
            samples.append(record)
with open(path, "w", encoding="utf-8") as out:
    for record in samples:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    for name, data, expected, _ in deliveries:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        out.write(json.dumps(dict(file=name, **expected), ensure_ascii=False) + "\n")
with open(os.path.join(OUT, "DELIVERIES.md"), "w", encoding="utf-8") as out:
    out.write("# Deliveries (issue 11)\n\nWritten by `scripts/make_deliveries.py`; expected results in `expected.jsonl`.\n\n")
    for name, _, _, what in deliveries:
        out.write("- `%s`: %s\n" % (name, what))
print("wrote %d deliveries to %s" % (len(deliveries), os.path.normpath(OUT)))
