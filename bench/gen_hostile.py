#!/usr/bin/env python3
"""Generate hostile messages for the robustness section of `bench/run.sh`.

Usage: gen_hostile.py OUTDIR

Each file is built to make a naive parser spend time or memory far out of proportion to its size: big bodies,
very many or very deep structures, very long lines, and text that keeps almost matching a syntax (encoded-words,
HTML tags). `notifier parse --json` must get through each with exit status 0, one JSON record, and time and memory
that grow at most linearly with the input. The files are written straight as bytes (the email package itself
would take too long, or refuse, to build some of them); generation takes a few seconds. The random bytes come
from a seeded generator, so the files are the same on every run.
"""

import base64
import os
import random
import sys

SEED = 20270401
NL = b"\n"

HEADER = (
    "From: JKK東京 電子入札システム <nyusatsu@to-kousya.example>\n"
    "To: nyusatsu-tanto@aoba-kensetsu.example\n"
    "Subject: 【電子入札システム】クライアント証明書更新のお知らせ\n"
    "Date: Mon, 19 Jan 2026 10:02:11 +0900\n"
    "Message-ID: <hostile.{name}@to-kousya.example>\n"
    "MIME-Version: 1.0\n"
)

# A real update notice, so that a reader that gets through the hostile part still has something to find.
NOTICE = (
    "株式会社青葉建設 御中\n\n"
    "新しいクライアント証明書の有効期間は 2026/04/01～2027/03/31 です。\n\n"
    "業者コード:5184962\n"
    "ダウンロードURL:https://bid.to-kousya.example/cert/download?t=ItUojLzHzskoosvjm4x1aAIPkPf\n\n"
    "JKK東京 契約課\n"
)


def header(name):
    return HEADER.format(name=name).encode()


def b64_lines(data):
    """Base64 in 76-column lines, as mail carries it."""
    return base64.encodebytes(data)


def big_attachment(rng):
    """A notice with a 50 MB base64 attachment (37.5 MB of data): does the whole attachment get decoded or copied
    several times over?"""
    boundary = b"==big=="
    data = rng.randbytes(37_500_000)
    return (header("big") + b'Content-Type: multipart/mixed; boundary="==big=="\n\n'
            + b"--" + boundary + b'\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
            + NOTICE.encode() + b"\n--" + boundary
            + b'\nContent-Type: application/pdf; name="big.pdf"\nContent-Transfer-Encoding: base64\n'
            + b'Content-Disposition: attachment; filename="big.pdf"\n\n'
            + b64_lines(data) + b"--" + boundary + b"--\n")


def many_headers(rng):
    """10,000 header fields before the real ones: is a header lookup a linear scan per lookup (quadratic)?"""
    fields = b"".join(b"X-Filler-%05d: value %d\n" % (i, rng.randrange(10**9)) for i in range(10_000))
    return (fields + header("headers") + b'Content-Type: text/plain; charset="utf-8"\n'
            + b"Content-Transfer-Encoding: 8bit\n\n" + NOTICE.encode())


def deep_multipart(_rng):
    """multipart/mixed nested 1,000 deep with the notice in the innermost part: recursion depth and the cost of
    finding each boundary again at every level."""
    depth = 1000
    opening, closing = [], []
    for level in range(depth):
        opening.append(b'Content-Type: multipart/mixed; boundary="b%04d"\n\n--b%04d\n' % (level, level))
        closing.append(b"\n--b%04d--\n" % level)
    inner = b'Content-Type: text/plain; charset="utf-8"\n\n' + NOTICE.encode()
    return header("deep") + b"".join(opening) + inner + b"".join(reversed(closing))


def long_line(_rng):
    """A 10 MB body line without a line break, made of text that keeps starting the labels the reader looks for
    (ダウンロード, 業者コー): a line scanner that restarts its search at every position goes quadratic."""
    unit = "ダウンロード業者コー".encode()
    line = unit * (10_000_000 // len(unit))
    return (header("longline") + b'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
            + NOTICE.encode() + line + NL)


def random_bytes(rng):
    """1 MB of random bytes: no header, no structure, invalid in every charset."""
    return rng.randbytes(1_000_000)


def encoded_word_subject(_rng):
    """A Subject of 1 MB of "=?x?b?": each one opens an encoded-word that never closes (the unknown charset x
    too), so a decoder that looks ahead for "?=" from every start goes quadratic."""
    junk = b"=?x?b?" * (1_000_000 // 6)
    return ("From: JKK東京 電子入札システム <nyusatsu@to-kousya.example>\n".encode()
            + b"To: nyusatsu-tanto@aoba-kensetsu.example\nSubject: " + junk + NL
            + b"Date: Mon, 19 Jan 2026 10:02:11 +0900\nMessage-ID: <hostile.subject@to-kousya.example>\n"
            + b'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
            + NOTICE.encode())


def html_angles(_rng):
    """An HTML-only notice whose part holds 1 MB of '<"' after the text: tags that open, quoted attributes that
    never close, for an HTML-to-text reader that rescans or backtracks."""
    text = ("<html><body><p>" + NOTICE.replace("\n", "<br>\n") + "</p>").encode()
    html = text + b'<"' * 500_000 + b"</body></html>\n"
    return (header("html") + b'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
            + html)


CASES = [
    ("h1_big_attachment_50MB.eml", big_attachment),
    ("h2_header_fields_10000.eml", many_headers),
    ("h3_multipart_depth_1000.eml", deep_multipart),
    ("h4_single_line_10MB.eml", long_line),
    ("h5_random_bytes_1MB.eml", random_bytes),
    ("h6_subject_encoded_words_1MB.eml", encoded_word_subject),
    ("h7_html_angle_quote_1MB.eml", html_angles),
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_hostile.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(SEED)
    for name, make in CASES:
        data = make(rng)
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        print(f"gen_hostile: {name} {len(data) / 2**20:.1f} MiB", file=sys.stderr)


if __name__ == "__main__":
    main()
