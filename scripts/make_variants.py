#!/usr/bin/env python3
"""Writes Tests/MailParseTests/Fixtures/variants/*.eml and expected.jsonl: one message for each shape of Japanese
mail that MailParse must read (the list in issue "MailParse and notifier parse"), with the fields expected from it
written down here, independently of MailParse. Run it again only to add a variant; the files are committed."""
import base64, json, os, quopri, sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "MailParseTests", "Fixtures", "variants")
TRUSTED_FROM = "=?utf-8?b?" + base64.b64encode("JKK東京 電子入札システム".encode()).decode() + "?= <nyusatsu@to-kousya.example>"
UPDATE_SUBJECT = "【電子入札システム】クライアント証明書更新のお知らせ"
OTP_SUBJECT = "【電子入札システム】更新用ワンタイムパスワードのお知らせ"
URL = "https://bid.to-kousya.example/cert/download?t="


def b_word(text, charset="utf-8"):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def sjis_to_jis(data):
    """cp932 bytes to ISO-2022-JP (CP50220 style: NEC row 13 under ESC $ B), by the standard arithmetic."""
    out, i, mode = bytearray(), 0, "ascii"
    while i < len(data):
        b = data[i]
        if b < 0x80:
            if mode != "ascii":
                out += b"\x1b(B"; mode = "ascii"
            out.append(b); i += 1
            continue
        s1, s2 = b, data[i + 1]
        s1 -= 0x40 if s1 >= 0xE0 else 0
        j1 = (s1 - 0x70) * 2 - 1
        if s2 >= 0x9F:
            j1 += 1; j2 = s2 - 0x7E
        else:
            j2 = s2 - (0x20 if s2 >= 0x80 else 0x1F)
        if mode != "jis":
            out += b"\x1b$B"; mode = "jis"
        out += bytes([j1, j2]); i += 2
    if mode != "ascii":
        out += b"\x1b(B"
    return bytes(out)


def iso2022jp(text):
    return b"\n".join(sjis_to_jis(line.encode("cp932")) for line in text.split("\n"))


def update_body(name, code, url, valid="2027/04/01～2028/03/31", code_line=None, url_line=None):
    code_line = code_line or "業者コード:%s" % code
    url_line = url_line or "ダウンロードURL:%s" % url
    return (
        f"{name} 御中\n\nJKK東京(東京都住宅供給公社)電子入札システムのクライアント証明書の更新時期となりました。\n"
        f"新しいクライアント証明書の有効期間は {valid} です。\n"
        "以下のURLにアクセスし、ワンタイムパスワードを発行のうえ、クライアント証明書をダウンロードしてください。\n\n"
        f"{code_line}\n{url_line}\n\n"
        "※現在使用中のパソコン以外にクライアント証明書をダウンロードする場合にも、このURLが必要になります。"
        "本メールは削除せずに保存してください。\n※ワンタイムパスワードの有効期限は30分です。\n\nJKK東京 契約課\n"
    )


def otp_body(otp_line, expiry_line):
    return (
        "電子入札システムのクライアント証明書をダウンロードするために、以下のワンタイムパスワードを画面に入力してください。\n\n"
        f"{otp_line}\n{expiry_line}\n\n"
        "※ワンタイムパスワードの有効期限が経過し無効となった場合は、再度クライアント証明書の案内メールから"
        "ワンタイムパスワードを発行してください。\n"
    )


def headers(subject_field, from_field=TRUSTED_FROM, extra=(), msgid="v@to-kousya.example",
            date="Thu, 14 Jan 2027 09:05:00 +0900"):
    # An OTP mail's Date is when it was issued: its expiry is 30 minutes later (notifier finds an expiry more than
    # 35 minutes after the Date implausible).
    lines = [
        "From: " + from_field,
        "To: nyusatsu-tanto@aoba-kensetsu.example",
        "Subject: " + subject_field,
        "Date: " + date,
        "Message-ID: <%s>" % msgid,
        "MIME-Version: 1.0",
    ]
    return "\n".join(lines + list(extra)).encode()


def expect(kind, trusted, subject, code=None, url=None, vf=None, vu=None, otp=None, exp=None):
    return {"kind": kind, "trusted": trusted, "vendor_code": code, "url": url, "valid_from": vf, "valid_until": vu,
            "otp": otp, "expires_at": exp, "subject": subject}


variants = []


def add(name, data, expected, crlf=False):
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    variants.append((name, data, expected))


# Shift_JIS that is really cp932: 髙, ①, and FULLWIDTH TILDE (0x8160) between the dates.
t = "tVa1"
body = update_body("株式会社髙島工業①", "4410021", URL + t)
add("v01_update_cp932_8bit.eml",
    headers(b_word(UPDATE_SUBJECT, "shift_jis"), extra=["Content-Type: text/plain; charset=Shift_JIS",
                                                       "Content-Transfer-Encoding: 8bit"]) + b"\n\n" + body.encode("cp932"),
    expect("update_notice", True, UPDATE_SUBJECT, "4410021", URL + t, "2027-04-01", "2028-03-31"))

# ISO-2022-JP with NEC row 13 (①) under ESC $ B, as Windows (CP50220) writes it; encoded-word subject split in the
# middle of a character across two words.
subject_bytes = UPDATE_SUBJECT.encode("utf-8")
half = 7  # inside the third character
split_subject = "=?utf-8?B?%s?=\n =?utf-8?B?%s?=" % (base64.b64encode(subject_bytes[:half]).decode(),
                                                    base64.b64encode(subject_bytes[half:]).decode())
t = "Nec13Row"
body = update_body("①号棟管理組合", "3300001", URL + t)
add("v02_update_iso2022jp_nec_split_word.eml",
    headers(split_subject, extra=["Content-Type: text/plain; charset=ISO-2022-JP", "Content-Transfer-Encoding: 7bit"])
    + b"\n\n" + iso2022jp(body),
    expect("update_notice", True, UPDATE_SUBJECT, "3300001", URL + t, "2027-04-01", "2028-03-31"))

# UTF-8 quoted-printable, the long URL broken by soft line breaks.
t = "QpSoftBreak" + "x" * 60
body = update_body("株式会社青葉建設", "5184962", URL + t)
add("v03_update_utf8_qp.eml",
    headers(b_word(UPDATE_SUBJECT), extra=["Content-Type: text/plain; charset=utf-8",
                                           "Content-Transfer-Encoding: quoted-printable"])
    + b"\n\n" + quopri.encodestring(body.encode()),
    expect("update_notice", True, UPDATE_SUBJECT, "5184962", URL + t, "2027-04-01", "2028-03-31"))

# HTML only (Outlook): a table, entities in the href, label and link in separate cells.
t = "Html&amp;Only"
html = ("<html><head><style>p{color:red}</style></head><body><p>東邦電工株式会社 御中</p>"
        "<p>新しいクライアント証明書の有効期間は 2027/04/01&#xFF5E;2028/03/31 です。</p><table>"
        "<tr><td>業者コード</td><td>:5902973</td></tr>"
        f"<tr><td>ダウンロードURL:</td><td><a href=\"{URL}{t}\">こちらをクリック</a></td></tr></table>"
        "<!-- ダウンロードURL:https://evil.test/ in a comment is not text --></body></html>")
add("v04_update_html_only.eml",
    headers(b_word(UPDATE_SUBJECT), extra=["Content-Type: text/html; charset=utf-8",
                                           "Content-Transfer-Encoding: quoted-printable"])
    + b"\n\n" + quopri.encodestring(html.encode()),
    expect("update_notice", True, UPDATE_SUBJECT, "5902973", URL + "Html&Only", "2027-04-01", "2028-03-31"))

# Forwarded as an attachment (message/rfc822, the notice inside in ISO-2022-JP): judged by the colleague outside.
t = "FwdAttach"
inner = (headers(b_word(UPDATE_SUBJECT, "iso-2022-jp"), extra=["Content-Type: text/plain; charset=iso-2022-jp"])
         + b"\n\n" + iso2022jp(update_body("株式会社みなと造園", "7894322", URL + t)))
outer = headers("Fwd: " + b_word(UPDATE_SUBJECT), from_field="=?utf-8?b?6Yi05pyoIOS4gOmDjg==?= <i.suzuki@minato-zoen.example>",
                extra=['Content-Type: multipart/mixed; boundary="fwd-b1"']) + (
    "\n\n--fwd-b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes("転送します。\n".encode()).decode()
    + "\n--fwd-b1\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n").encode() + inner + b"\n--fwd-b1--\n"
add("v05_update_forwarded_as_attachment.eml", outer,
    expect("update_notice", False, "Fwd: " + UPDATE_SUBJECT, "7894322", URL + t, "2027-04-01", "2028-03-31"))

# Outlook inline forward, quoted with "> ", full-width colon and digits, URL in <...> followed by 。
t = "OutlookQuoted"
quoted = update_body("株式会社みなと造園", "", "", code_line="業者コード：７８９４３２２",
                     url_line=f"ダウンロードURL： <{URL}{t}>。")
body = ("鈴木です。転送します。\n\n-----Original Message-----\n差出人: JKK東京 電子入札システム <nyusatsu@to-kousya.example>\n"
        "送信日時: 2027年1月14日 9:05\n件名: " + UPDATE_SUBJECT + "\n\n" + "".join("> " + l + "\n" for l in quoted.split("\n")))
add("v06_update_outlook_quoted_forward.eml",
    headers("FW: " + b_word(UPDATE_SUBJECT), from_field="i.suzuki@minato-zoen.example",
            extra=["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"])
    + b"\n\n" + base64.encodebytes(body.encode()),
    expect("update_notice", False, "FW: " + UPDATE_SUBJECT, "7894322", URL + t, "2027-04-01", "2028-03-31"))

# Spaces around labels, WAVE DASH between unpadded dates, URL closed by a full-width parenthesis.
t = "Spaced"
body = update_body("株式会社青葉建設", "", "", valid="2027/4/1 〜 2028/3/31",
                   code_line="業者コード ： 5184962", url_line=f"（ダウンロードURL : {URL}{t}）")
add("v07_update_spaces_wave_dash.eml",
    headers(b_word(UPDATE_SUBJECT), extra=["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"])
    + b"\n\n" + body.encode(),
    expect("update_notice", True, UPDATE_SUBJECT, "5184962", URL + t, "2027-04-01", "2028-03-31"))

# OTP with full-width letters and digits, expiry in 年月日 with seconds.
body = otp_body("ワンタイムパスワード：ＡｂＣ１２３４５", "有効期限：2027年1月28日 14時35分20秒")
add("v08_otp_fullwidth_kanji_date.eml",
    headers(b_word(OTP_SUBJECT), date="Thu, 28 Jan 2027 14:05:20 +0900", extra=["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"])
    + b"\n\n" + base64.encodebytes(body.encode()),
    expect("otp", True, OTP_SUBJECT, otp="AbC12345", exp="2027-01-28T14:35:20+09:00"))

# EUC-JP, with a Q-encoded subject in EUC-JP.
t = "EucJp"
body = update_body("株式会社東西設備", "6600123", URL + t, valid="2027-04-01～2028-03-31")
q_subject = "=?euc-jp?Q?" + "".join("=%02X" % b for b in UPDATE_SUBJECT.replace("～", "〜").encode("euc_jp")) + "?="
add("v09_update_eucjp.eml",
    headers(q_subject, extra=["Content-Type: text/plain; charset=EUC-JP", "Content-Transfer-Encoding: 8bit"])
    + b"\n\n" + body.replace("～", "-").encode("euc_jp"),
    expect("update_notice", True, UPDATE_SUBJECT, "6600123", URL + t, "2027-04-01", "2028-03-31"))

# An mbox "From " line first, CRLF line ends, the OTP with seconds.
body = otp_body("ワンタイムパスワード:Zx9Yw8Vu", "有効期限:2027/02/01 9:05:30")
add("v10_otp_mbox_from_line_crlf.eml",
    b"From nyusatsu@to-kousya.example Mon Feb  1 08:35:30 2027\n"
    + headers(b_word(OTP_SUBJECT), date="Mon, 1 Feb 2027 08:35:30 +0900",
              extra=["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"])
    + b"\n\n" + base64.encodebytes(body.encode()),
    expect("otp", True, OTP_SUBJECT, otp="Zx9Yw8Vu", exp="2027-02-01T09:05:30+09:00"), crlf=True)

# No charset label at all and a raw ISO-2022-JP Subject (old mailers): detected from the escape sequences.
body = otp_body("ワンタイムパスワード:Qw3Er5Ty", "有効期限:2027/03/05 16:45")
add("v11_otp_unlabelled_iso2022jp.eml",
    b"From: nyusatsu@to-kousya.example\nSubject: " + iso2022jp(OTP_SUBJECT)
    + b"\nMessage-ID: <v11@to-kousya.example>\nMIME-Version: 1.0\nContent-Type: text/plain\n\n" + iso2022jp(body),
    expect("otp", True, OTP_SUBJECT, otp="Qw3Er5Ty", exp="2027-03-05T16:45:00+09:00"))

# Phishing: plain text shows the trusted URL, the HTML link behind the same text goes elsewhere.
t = "Deceptive"
plain = update_body("株式会社青葉建設", "5184962", URL + t)
html = plain.replace("\n", "<br>\n").replace(
    URL + t, f'<a href="https://bid-to-kousya.example.test/cert/download?t={t}">{URL}{t}</a>')
alt = headers(b_word(UPDATE_SUBJECT), extra=['Content-Type: multipart/alternative; boundary="alt"']) + (
    "\n\n--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes(plain.encode()).decode()
    + "--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes(html.encode()).decode() + "--alt--\n").encode()
add("v12_update_deceptive_html_link.eml", alt,
    expect("update_notice", False, UPDATE_SUBJECT, "5184962", URL + t, "2027-04-01", "2028-03-31"))

# Phishing: userinfo in front of the real host.
u = "https://bid.to-kousya.example@evil.test/cert/download?t=UserInfo"
add("v13_update_userinfo_url.eml",
    headers(b_word(UPDATE_SUBJECT), extra=["Content-Type: text/plain; charset=utf-8"]) + b"\n\n"
    + update_body("株式会社青葉建設", "5184962", u).encode(),
    expect("update_notice", False, UPDATE_SUBJECT, "5184962", u, "2027-04-01", "2028-03-31"))

# Phishing: a punycode look-alike host.
u = "https://xn--bid-to-kousya-9n3f.example/cert/download?t=Puny"
add("v14_update_punycode_host.eml",
    headers(b_word(UPDATE_SUBJECT), extra=["Content-Type: text/plain; charset=utf-8"]) + b"\n\n"
    + update_body("株式会社青葉建設", "5184962", u).encode(),
    expect("update_notice", False, UPDATE_SUBJECT, "5184962", u, "2027-04-01", "2028-03-31"))

# Nested multiparts (mixed > alternative > plain/html) with neither closing boundary written.
t = "NoClose"
plain = update_body("株式会社青葉建設", "5184962", URL + t)
nested = headers(b_word(UPDATE_SUBJECT), extra=['Content-Type: multipart/mixed; boundary="outer"']) + (
    "\n\npreamble\n--outer\nContent-Type: multipart/alternative; boundary=\"inner\"\n\n--inner\n"
    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes(plain.encode()).decode()
    + "--inner\nContent-Type: text/html; charset=utf-8\n\n<p>" + plain.replace("\n", "<br>") + "</p>\n").encode()
add("v15_update_nested_missing_boundaries.eml", nested,
    expect("update_notice", True, UPDATE_SUBJECT, "5184962", URL + t, "2027-04-01", "2028-03-31"))

# base64 with junk characters, odd line lengths and no padding.
body = otp_body("ワンタイムパスワード:Mn4Bv6Cx", "有効期限:2027/01/20 10:00")
encoded = base64.b64encode(body.encode()).decode().rstrip("=")
junk = "\n".join(encoded[i:i + 53] + ("!*" if i % 106 == 0 else "  ") for i in range(0, len(encoded), 53))
add("v16_otp_base64_junk.eml",
    headers(b_word(OTP_SUBJECT), date="Wed, 20 Jan 2027 09:30:00 +0900", extra=["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: BASE64"])
    + b"\n\n" + junk.encode() + b"\n",
    expect("otp", True, OTP_SUBJECT, otp="Mn4Bv6Cx", exp="2027-01-20T10:00:00+09:00"))

# A notice with an attachment whose name uses RFC 2231 continuations; a text/plain attachment is not message text.
t = "WithAttachment"
plain = update_body("株式会社青葉建設", "5184962", URL + t)
mixed = headers(b_word(UPDATE_SUBJECT), extra=['Content-Type: multipart/mixed; boundary=b2231']) + (
    "\n\n--b2231\nContent-Type: text/plain; charset=utf-8\n\n" + plain
    + "\n--b2231\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Disposition: attachment;\n filename*0*=utf-8''%E6%89%8B%E9%A0%86;\n filename*1*=%E6%9B%B8.txt\n\n"
    "業者コード:9999999\nダウンロードURL:https://evil.test/\n--b2231--\n").encode()
add("v17_update_rfc2231_attachment.eml", mixed,
    expect("update_notice", True, UPDATE_SUBJECT, "5184962", URL + t, "2027-04-01", "2028-03-31"))

# Two From fields: a mail program shows one, a filter may check the other. Never trusted.
t = "TwoFrom"
add("v18_update_two_from_fields.eml",
    headers(b_word(UPDATE_SUBJECT), extra=["From: attacker@evil.test", "Content-Type: text/plain; charset=utf-8"])
    + b"\n\n" + update_body("株式会社青葉建設", "5184962", URL + t).encode(),
    expect("update_notice", False, UPDATE_SUBJECT, "5184962", URL + t, "2027-04-01", "2028-03-31"))

# Latin-1 and Windows-1252 text that is not a notice.
add("v19_other_latin1.eml",
    b"From: jean@example.fr\nSubject: =?iso-8859-1?q?Caf=E9_cr=E8me?= =?windows-1252?q?=93ok=94?=\n"
    b"Content-Type: text/plain; charset=windows-1252\n\nR\xe9union \x80 10h\n",
    expect("other", False, "Café crème“ok”"))

# Neither a message nor text: random bytes still give a record, with an error.
add("v20_other_not_a_message.eml", bytes(range(256)) * 4,
    dict(expect("other", False, None), error=True))

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "expected.jsonl"), "w", encoding="utf-8") as out:
    for name, data, expected in variants:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        out.write(json.dumps(dict(file=name, **expected), ensure_ascii=False) + "\n")
print("wrote %d variants to %s" % (len(variants), os.path.normpath(OUT)))
