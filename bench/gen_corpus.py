#!/usr/bin/env python3
"""Generate a deterministic corpus of Japanese e-mails for `bench/run.sh`.

Usage: gen_corpus.py OUTDIR [N]        (N defaults to 10,000)

Writes OUTDIR/mNNNNN.eml (raw RFC 5322 bytes, one message per file) and OUTDIR/expected.jsonl (one JSON object
per file, in file order, with what a correct reader must extract: the same keys and meaning as
shared/corpus/expected.jsonl). With N = 10,000 the files total about 30 MB (3 KB on average), which is what the
mail of a mid-sized company looks like: mostly short text mail, some HTML alternatives, some small attachments.

Why these messages: notifier reads certificate update notices and one-time-password notices from JKK東京's
electronic bidding system. So the corpus is those notices in the encodings Japanese mail really arrives in
(UTF-8 base64, UTF-8 quoted-printable, ISO-2022-JP 7bit, Shift_JIS/cp932 8bit, multipart/alternative with HTML,
CRLF line ends), forwards of them (inline and as message/rfc822 attachments), look-alikes from untrusted senders,
and a majority of unrelated mail. The wording copies shared/corpus/*.eml.

Everything comes from one seeded random generator (and the global `random`, which the email package uses for
MIME boundaries, is seeded too), so the same N always gives byte-identical files: a bench run on one machine can
be compared with a run on another. Only the standard library is used.
"""

import base64
import datetime as dt
import email
import json
import os
import random
import sys
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

SEED = 20270401
JST = dt.timezone(dt.timedelta(hours=9))

TRUSTED_NAME = "JKK東京 電子入札システム"
TRUSTED_ADDR = "nyusatsu@to-kousya.example"
TRUSTED_HOST = "bid.to-kousya.example"

SUBJECT_UPDATE = "【電子入札システム】クライアント証明書更新のお知らせ"
SUBJECT_OTP = "【電子入札システム】更新用ワンタイムパスワードのお知らせ"

# Fictitious companies (name, domain, local part of the bidding contact). Every name is JIS X 0208, so it also
# goes through ISO-2022-JP and Shift_JIS.
COMPANIES = [
    ("株式会社青葉建設", "aoba-kensetsu.example", "nyusatsu-tanto"),
    ("有限会社港南設備工業", "konan-setsubi.example", "info"),
    ("東邦電工株式会社", "toho-denko.example", "eigyo"),
    ("株式会社みなと造園", "minato-zoen.example", "jimu"),
    ("三栄塗装株式会社", "sanei-toso.example", "sanei"),
    ("株式会社北斗リフォーム", "hokuto-reform.example", "keiri"),
    ("株式会社緑川工務店", "midorikawa-koumuten.example", "nyusatsu"),
    ("大和防水工業株式会社", "yamato-bousui.example", "soumu"),
    ("株式会社城南電設", "jonan-densetsu.example", "keiyaku"),
    ("有限会社富士見塗装", "fujimi-toso.example", "office"),
    ("株式会社湾岸管工", "wangan-kanko.example", "nyusatsu"),
    ("丸山建設株式会社", "maruyama-kensetsu.example", "eigyo-bu"),
    ("株式会社桜台設備", "sakuradai-setsubi.example", "info"),
    ("東和ビルサービス株式会社", "towa-bs.example", "keiyaku"),
    ("株式会社多摩川土木", "tamagawa-doboku.example", "jimu"),
]

# Colleagues who forward notices or write unrelated mail.
PEOPLE = [
    ("鈴木 一郎", "i.suzuki"), ("中村 真理", "m.nakamura"), ("佐藤 健太", "k.sato"), ("高橋 由美", "y.takahashi"),
    ("田中 誠", "m.tanaka"), ("渡辺 直子", "n.watanabe"), ("伊藤 翔", "s.ito"), ("山本 恵", "m.yamamoto"),
]

# Senders of unrelated bulk mail.
BULK_SENDERS = [
    ("城東建設業協会 事務局", "news@joto-kensetsu-kyokai.example"),
    ("建設資材ネット", "info@shizai-net.example"),
    ("安全衛生推進センター", "mail@anzen-center.example"),
    ("オフィス用品のミドリ", "order@midori-office.example"),
    ("工事積算システム サポート", "support@sekisan-soft.example"),
]

# Untrusted senders that imitate the notices (kept few: the bench is about speed, the tests are about trust).
PHISHING = [
    # (From display name, From addr-spec, download host)
    (TRUSTED_NAME, TRUSTED_ADDR, "bid.to-kousya.example.verify-cert.test"),  # forged From, foreign URL host
    ("JKK東京 電子入札システム <nyusatsu@ to-kousya.example>", "notice@kousya-portal.test", TRUSTED_HOST),
    ("電子入札システム", "nyusatsu@to-kousya-example.test", TRUSTED_HOST),
]

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
OTP_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
OTP_MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# Sentences for the unrelated mail and for padding; varying their number varies the message sizes.
FILLER = [
    "平素より格別のお引き立てを賜り、誠にありがとうございます。",
    "来週の現場定例会議は、本社3階 第2会議室にて実施します。",
    "工程表の最新版を共有フォルダに格納しましたので、ご確認ください。",
    "安全パトロールの結果、足場の手すりに一部不備が見つかりました。",
    "資材の納品日が台風の影響により2日ほど遅れる見込みです。",
    "つきましては、ご多忙のところ恐縮ですが、ご出席くださいますようお願い申し上げます。",
    "見積書の有効期限は発行日より30日間とさせていただきます。",
    "ご不明な点がございましたら、担当までお気軽にお問い合わせください。",
    "今月末までに作業日報の提出をお願いします。",
    "熱中症対策として、休憩所に冷水機とスポットクーラーを設置しました。",
    "年末年始の休業期間は12月29日から1月3日までとなります。",
    "請求書は月末締め、翌月末払いでお願いいたします。",
    "新しい勤怠管理システムへの切り替えは来月1日からです。",
    "協力会社向けの安全大会を4月10日(金)に区民ホールで開催します。",
    "防水工事の検査は雨天の場合、翌日に順延します。",
    "お手数ですが、添付の申込書にご記入のうえご返送ください。",
]

MEETING_SUBJECTS = ["来週の現場定例会議の日程について", "工程会議の議事録送付", "安全パトロール結果のご報告",
                    "作業日報の提出について", "資材納品日の変更について", "勤怠システム切替のお知らせ"]
BULK_SUBJECTS = ["【建設業協会ニュース】{m}月号 安全大会のご案内", "【資材ネット】今週の特価情報",
                 "【安全衛生】熱中症予防キャンペーンのお知らせ", "ご注文の商品を発送しました",
                 "【積算ソフト】バージョンアップのご案内"]


def jp_date(d):
    """2026/04/01, the way the notices write dates."""
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"


class Corpus:
    def __init__(self, n):
        self.n = n
        self.rng = random.Random(SEED)
        # email.generator picks MIME boundaries with the global random module: seed it so boundaries repeat.
        random.seed(SEED)

    # ---- small random pieces -------------------------------------------------------------------------------

    def date(self):
        """A weekday office-hours time in 2026-2027, Japan time."""
        r = self.rng
        day = dt.date(2026, 1, 1) + dt.timedelta(days=r.randrange(730))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, r.randrange(8, 19), r.randrange(60), r.randrange(60),
                           tzinfo=JST)

    def token(self):
        return "".join(self.rng.choice(TOKEN_ALPHABET) for _ in range(self.rng.randrange(22, 33)))

    def hexid(self, k):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(k))

    def filler(self, lo, hi):
        return "\n".join(self.rng.choice(FILLER) for _ in range(self.rng.randrange(lo, hi + 1)))

    def trace_headers(self, msg, relay, relay_ip, rcpt_domain, rcpt, when):
        """Return-Path, Delivered-To and two Received fields, prepended the way an MTA adds them."""
        t1 = format_datetime(when + dt.timedelta(seconds=self.rng.randrange(1, 4)))
        t2 = format_datetime(when + dt.timedelta(seconds=self.rng.randrange(4, 9)))
        msg["Delivered-To"] = rcpt
        msg["Received"] = (f"from {relay} ({relay} [{relay_ip}])\n\tby mx1.{rcpt_domain} (Postfix) with ESMTPS id "
                           f"4{self.hexid(11)}\n\tfor <{rcpt}>; {t2}")
        msg["Received"] = (f"from localhost (localhost [127.0.0.1])\n\tby {relay} (Postfix) with ESMTP id "
                           f"4{self.hexid(11)};\n\t{t1}")

    # ---- notice text ---------------------------------------------------------------------------------------

    def update_fields(self, when, host):
        year = when.year if when.month <= 3 else when.year + 1
        valid_from, valid_until = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
        code = f"{self.rng.randrange(1000000, 10000000)}"
        url = f"https://{host}/cert/download?t={self.token()}"
        if self.rng.random() < 0.15:
            url += "&lang=ja"  # an & that the HTML part writes as &amp;
        return code, url, valid_from, valid_until

    def update_text(self, company, code, url, valid_from, valid_until, tilde="～", variant=None):
        code_text, colon, url_line = code, ":", f"ダウンロードURL:{url}"
        if variant == "fullwidth":  # full-width digits and colons, as some mail programs send them
            code_text = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            colon, url_line = "：", f"ダウンロードURL：{url}"
        elif variant == "wrapped":  # the label alone on its line, the URL in <> on the next
            url_line = f"ダウンロードURL:\n<{url}>"
        return (f"{company} 御中\n\n"
                "JKK東京(東京都住宅供給公社)電子入札システムのクライアント証明書の更新時期となりました。\n"
                f"新しいクライアント証明書の有効期間は {jp_date(valid_from)}{tilde}{jp_date(valid_until)} です。\n"
                "以下のURLにアクセスし、ワンタイムパスワードを発行のうえ、クライアント証明書をダウンロードしてください。\n\n"
                f"業者コード{colon}{code_text}\n{url_line}\n\n"
                "※現在使用中のパソコン以外にクライアント証明書をダウンロードする場合にも、このURLが必要になります。"
                "本メールは削除せずに保存してください。\n"
                "※ワンタイムパスワードの有効期限は30分です。\n\nJKK東京 契約課\n")

    def update_html(self, company, code, url, valid_from, valid_until):
        href = url.replace("&", "&amp;")
        return ("<!DOCTYPE html>\n<html lang=\"ja\">\n<head><meta charset=\"utf-8\">"
                "<title>クライアント証明書更新のお知らせ</title></head>\n<body style=\"font-family: sans-serif;\">\n<p>\n"
                f"{company} 御中<br>\n<br>\n"
                "JKK東京(東京都住宅供給公社)電子入札システムのクライアント証明書の更新時期となりました。<br>\n"
                f"新しいクライアント証明書の有効期間は {jp_date(valid_from)}～{jp_date(valid_until)} です。<br>\n"
                "以下のURLにアクセスし、ワンタイムパスワードを発行のうえ、クライアント証明書をダウンロードしてください。<br>\n<br>\n"
                f"業者コード:{code}<br>\n"
                f"ダウンロードURL:<a href=\"{href}\">{href}</a><br>\n<br>\n"
                "※現在使用中のパソコン以外にクライアント証明書をダウンロードする場合にも、このURLが必要になります。"
                "本メールは削除せずに保存してください。<br>\n"
                "※ワンタイムパスワードの有効期限は30分です。<br>\n<br>\nJKK東京 契約課<br>\n</p>\n</body>\n</html>\n")

    def otp_fields(self, when):
        alphabet = OTP_MIXED if self.rng.random() < 0.3 else OTP_UPPER
        otp = "".join(self.rng.choice(alphabet) for _ in range(8))
        expires = (when + dt.timedelta(minutes=30)).replace(second=0)
        return otp, expires

    @staticmethod
    def otp_text(otp, expires):
        return ("電子入札システムのクライアント証明書をダウンロードするために、以下のワンタイムパスワードを画面に入力してください。"
                "入力すると、クライアント証明書のダウンロードが可能になります。\n\n"
                f"ワンタイムパスワード:{otp}\n"
                f"有効期限:{expires.year:04d}/{expires.month:02d}/{expires.day:02d} "
                f"{expires.hour:02d}:{expires.minute:02d}\n\n"
                "※ワンタイムパスワードの有効期限が経過し無効となった場合は、"
                "再度クライアント証明書の案内メールからワンタイムパスワードを発行してください。\n")

    @staticmethod
    def otp_html(otp, expires):
        return ("<html><body><p>電子入札システムのクライアント証明書をダウンロードするために、"
                "以下のワンタイムパスワードを画面に入力してください。</p>\n"
                f"<p>ワンタイムパスワード:<b>{otp}</b><br>\n"
                f"有効期限:{expires.year:04d}/{expires.month:02d}/{expires.day:02d} "
                f"{expires.hour:02d}:{expires.minute:02d}</p>\n</body></html>\n")

    # ---- building messages ---------------------------------------------------------------------------------

    def encoded_words(self, text, charset):
        """RFC 2047 B encoded-words for a charset the email package would convert (Shift_JIS), split on characters
        so that each folded line stays within 78 columns, as Japanese mail programs do."""
        words, chunk = [], ""
        for ch in text:
            if len(base64.b64encode((chunk + ch).encode("cp932"))) > 66 - len(charset) - 7:
                words.append(chunk)
                chunk = ""
            chunk += ch
        words.append(chunk)
        return "\n ".join(f"=?{charset}?B?{base64.b64encode(w.encode('cp932')).decode()}?=" for w in words)

    def body_message(self, encoding, text, html=None):
        """A message object carrying `text` (and an HTML alternative) in the given transfer encoding.
        Returns (message, legacy) where legacy says the headers must be written in the compat32 style."""
        if encoding == "iso-2022-jp":
            # Python's legacy API, as the public corpus was made: 7bit ISO-2022-JP, which has no ～ (U+FF5E).
            return MIMEText(text.replace("～", "〜"), "plain", "iso-2022-jp"), True
        if encoding == "shift_jis":
            # Shift_JIS as Windows writes it (cp932) in 8bit. The email package would turn a shift_jis body into
            # ISO-2022-JP, so the bytes are put in as they are (surrogateescape keeps them through the generator).
            msg = Message()
            msg["MIME-Version"] = "1.0"
            msg["Content-Type"] = 'text/plain; charset="Shift_JIS"'
            msg["Content-Transfer-Encoding"] = "8bit"
            msg.set_payload(text.encode("cp932").decode("ascii", "surrogateescape"))
            return msg, True
        msg = EmailMessage()
        cte = "quoted-printable" if encoding == "utf-8-qp" else "base64"
        msg.set_content(text, cte=cte)
        if html is not None:
            msg.add_alternative(html, subtype="html", cte=cte)
        return msg, False

    def attach(self, msg):
        """A small attachment (PDF-looking bytes, 1-10 KB), which makes the message multipart/mixed."""
        size = self.rng.randrange(1000, 10000)
        data = b"%PDF-1.4\n" + self.rng.randbytes(size)
        name = self.rng.choice(["見積書.pdf", "工程表.pdf", "請求書.pdf", "案内状.pdf", "議事録.pdf"])
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)

    def set_headers(self, msg, legacy, from_name, from_addr, to, subject, when, mid_domain, charset):
        if legacy:
            if charset == "shift_jis":
                name_field = self.encoded_words(from_name, "Shift_JIS")
                subject_field = self.encoded_words(subject, "Shift_JIS")
            else:  # iso-2022-jp, or utf-8 for a forward
                name_field = Header(from_name, charset).encode()
                subject_field = Header(subject, charset, header_name="Subject").encode()
            headers = [("From", f"{name_field} <{from_addr}>"), ("To", to), ("Subject", subject_field)]
        else:
            # An Address object quotes a display name that holds "<", "@" or ">" (the display-name spoof).
            headers = [("From", Address(display_name=from_name, addr_spec=from_addr)), ("To", to),
                       ("Subject", subject)]
        headers += [("Date", format_datetime(when)),
                    ("Message-ID", f"<{self.rng.randrange(10**11, 10**12)}.{self.hexid(10)}@{mid_domain}>")]
        # Header fields go first, the MIME fields that set_content made after them, as mail programs write them.
        mime = [(k, v) for k, v in msg.items()]
        for k in {k for k, _ in mime}:
            del msg[k]
        for k, v in headers + mime:
            msg[k] = v

    def serialize(self, msg, legacy, crlf):
        if legacy:
            # max_line_length=0: the header values are already encoded and folded; refolding would break the
            # trace fields of an attached message.
            pol = policy.compat32.clone(linesep="\r\n" if crlf else "\n", max_line_length=0)
        else:
            pol = (policy.SMTP if crlf else policy.default).clone(max_line_length=78)
        return msg.as_bytes(policy=pol)

    def with_trace(self, raw, rcpt, rcpt_domain, relay, relay_ip, return_path, when, crlf):
        trace = Message()
        trace["Return-Path"] = f"<{return_path}>"
        self.trace_headers(trace, relay, relay_ip, rcpt_domain, rcpt, when)
        nl = b"\r\n" if crlf else b"\n"
        lines = [f"{k}: {v}".replace("\n", "\r\n" if crlf else "\n").encode() for k, v in trace.items()]
        return nl.join(lines) + nl + raw

    # ---- the kinds of mail ---------------------------------------------------------------------------------

    def make(self, index):
        r = self.rng
        roll = r.random()
        # Proportions: 25% update notices, 20% OTP notices, 5% forwards, 2% look-alikes, the rest unrelated.
        if roll < 0.25:
            return self.notice(index, "update_notice")
        if roll < 0.45:
            return self.notice(index, "otp")
        if roll < 0.50:
            return self.forward(index)
        if roll < 0.52:
            return self.phishing(index)
        return self.unrelated(index)

    def encoding(self):
        roll = self.rng.random()
        if roll < 0.40:
            return "utf-8-base64"
        if roll < 0.55:
            return "utf-8-qp"
        if roll < 0.75:
            return "iso-2022-jp"
        if roll < 0.87:
            return "shift_jis"
        return "html"

    def notice(self, index, kind, from_name=TRUSTED_NAME, from_addr=TRUSTED_ADDR, host=TRUSTED_HOST,
               mid_domain="to-kousya.example"):
        r = self.rng
        company, domain, local = r.choice(COMPANIES)
        rcpt = f"{local}@{domain}"
        when = self.date()
        encoding = self.encoding()
        expected = {"kind": kind, "trusted": from_addr.lower() == TRUSTED_ADDR and host == TRUSTED_HOST,
                    "vendor_code": None, "url": None, "valid_from": None, "valid_until": None, "otp": None,
                    "expires_at": None}
        if kind == "update_notice":
            code, url, vf, vu = self.update_fields(when, host)
            variant = r.choice(["fullwidth", "wrapped"]) if r.random() < 0.08 else None
            text = self.update_text(company, code, url, vf, vu, variant=variant)
            html = self.update_html(company, code, url, vf, vu) if encoding == "html" else None
            subject = SUBJECT_UPDATE
            expected.update(vendor_code=code, url=url, valid_from=vf.isoformat(), valid_until=vu.isoformat())
        else:
            otp, expires = self.otp_fields(when)
            text = self.otp_text(otp, expires)
            html = self.otp_html(otp, expires) if encoding == "html" else None
            subject = SUBJECT_OTP
            expected.update(otp=otp, expires_at=expires.isoformat())
        msg, legacy = self.body_message(encoding, text, html)
        if not legacy and r.random() < 0.10:
            self.attach(msg)  # e.g. the system's manual as PDF
        self.set_headers(msg, legacy, from_name, from_addr, rcpt, subject, when, mid_domain, encoding)
        crlf = r.random() < 0.05
        raw = self.serialize(msg, legacy, crlf)
        raw = self.with_trace(raw, rcpt, domain, "mail01.to-kousya.example", "203.0.113.25", from_addr, when, crlf)
        expected["subject"] = subject
        return raw, expected

    def phishing(self, index):
        from_name, from_addr, host = self.rng.choice(PHISHING)
        raw, expected = self.notice(index, "update_notice", from_name, from_addr, host, from_addr.split("@")[1])
        expected["trusted"] = False
        return raw, expected

    def forward(self, index):
        """A colleague forwards a notice: inline (Gmail style or quoted with "> ") or as a message/rfc822
        attachment. The fields are read, but the outer sender is not the system, so it is never trusted."""
        r = self.rng
        inner_raw, expected = self.notice(index, "update_notice" if r.random() < 0.7 else "otp")
        expected["trusted"] = False
        person, local = r.choice(PEOPLE)
        company, domain, rcpt_local = r.choice(COMPANIES)
        when = self.date()
        subject = "Fwd: " + expected["subject"]
        expected["subject"] = subject
        inner_msg = email.message_from_bytes(inner_raw, policy=policy.default)
        inner_text = inner_msg.get_body(("plain",)).get_content()
        intro = "各位\n\n電子入札の案内が届いていたので転送します。\nダウンロードは経理の端末でお願いします。\n\n" + \
            person.split()[0] + "\n\n"
        style = r.choice(["gmail", "quoted", "rfc822"])
        if style == "rfc822":
            # The legacy API attaches the notice's bytes as they arrived (the modern one would refold its header).
            outer = MIMEMultipart("mixed")
            outer.attach(MIMEText(intro, "plain", "utf-8"))
            attached = MIMEMessage(email.message_from_bytes(inner_raw))
            attached.add_header("Content-Disposition", "attachment", filename="forwarded.eml")
            outer.attach(attached)
            legacy, charset = True, "utf-8"
        else:
            if style == "gmail":
                body = (intro + "---------- Forwarded message ---------\n"
                        f"From: {inner_msg['From']}\nDate: {inner_msg['Date']}\nSubject: {inner_msg['Subject']}\n"
                        f"To: <{inner_msg['To']}>\n\n\n" + inner_text)
            else:
                body = intro + f"{inner_msg['Date']}、{inner_msg['From']} wrote:\n" + \
                    "".join("> " + line + "\n" for line in inner_text.splitlines())
            outer = EmailMessage()
            outer.set_content(body, cte=r.choice(["base64", "quoted-printable"]))
            legacy, charset = False, "utf-8"
        self.set_headers(outer, legacy, person, f"{local}@{domain}", f"koji-bu@{domain}", subject, when,
                         f"mail.{domain}", charset)
        raw = self.serialize(outer, legacy, False)
        raw = self.with_trace(raw, f"koji-bu@{domain}", domain, f"mail.{domain}", "198.51.100.40",
                              f"{local}@{domain}", when, False)
        return raw, expected

    def unrelated(self, index):
        """Internal mail and newsletters, some with HTML or a PDF; these carry most of the corpus' bytes."""
        r = self.rng
        company, domain, local = r.choice(COMPANIES)
        rcpt = f"{local}@{domain}"
        when = self.date()
        if r.random() < 0.55:
            person, plocal = r.choice(PEOPLE)
            from_name, from_addr = person, f"{plocal}@{domain}"
            subject = r.choice(MEETING_SUBJECTS)
            text = "工事部 各位\n\nお疲れ様です。" + person.split()[0] + "です。\n\n" + self.filler(3, 14) + \
                "\n\nよろしくお願いします。\n\n" + person.split()[0] + "\n"
        else:
            from_name, from_addr = r.choice(BULK_SENDERS)
            subject = r.choice(BULK_SUBJECTS).format(m=when.month)
            text = "会員各位\n\n" + "\n\n".join("■ " + self.filler(2, 6) for _ in range(r.randrange(2, 7))) + \
                "\n\n詳しくは https://www.shizai-net.example/news/" + self.hexid(8) + " をご覧ください。\n"
        encoding = self.encoding()
        html = None
        if encoding == "html":
            paragraphs = "".join(f"<p style=\"margin:0 0 1em 0\">{p}</p>\n" for p in text.split("\n\n"))
            html = f"<html><head><meta charset=\"utf-8\"></head><body>\n{paragraphs}</body></html>\n"
        msg, legacy = self.body_message(encoding, text, html)
        if not legacy and r.random() < 0.15:
            self.attach(msg)
        self.set_headers(msg, legacy, from_name, from_addr, rcpt, subject, when, from_addr.split("@")[1], encoding)
        crlf = r.random() < 0.05
        raw = self.serialize(msg, legacy, crlf)
        raw = self.with_trace(raw, rcpt, domain, f"mail.{from_addr.split('@')[1]}", "192.0.2.61", from_addr, when,
                              crlf)
        return raw, {"kind": "other", "trusted": False, "vendor_code": None, "url": None, "valid_from": None,
                     "valid_until": None, "otp": None, "expires_at": None, "subject": subject}


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gen_corpus.py OUTDIR [N]")
    outdir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 10_000
    os.makedirs(outdir, exist_ok=True)
    corpus = Corpus(n)
    width = max(5, len(str(n)))
    total = 0
    with open(os.path.join(outdir, "expected.jsonl"), "w", encoding="utf-8") as expected_file:
        for i in range(1, n + 1):
            raw, expected = corpus.make(i)
            name = f"m{i:0{width}d}.eml"
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(raw)
            total += len(raw)
            record = {"file": name}
            record.update(expected)
            expected_file.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"gen_corpus: {n} messages, {total / 1e6:.1f} MB in {outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
