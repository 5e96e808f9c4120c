import Testing

@testable import MailParse

/// What people and mail programs do to the notice text, one variation at a time, on top of the canonical wording.
@Suite("Notice extraction")
struct NoticeExtractionTests {
    private func read(_ body: String, subject: String = "notice") -> Notice {
        NoticeReader.read(
            message(
                ["From: nyusatsu@to-kousya.example", "Subject: \(subject)", "Content-Type: text/plain; charset=utf-8"],
                body: body))
    }

    @Test(
        "vendor code",
        arguments: [
            ("業者コード:5184962", "5184962"), ("業者コード：５１８４９６２", "5184962"),
            ("業者コード　：　5184962", "5184962"), ("【業者コード】5184962", "5184962"),
            ("業者コードは 5184962 です", "5184962"), ("業者コード:51849620", nil), ("業者コード:518496", nil),
        ]
            as [(String, String?)])
    func vendorCode(line: String, expected: String?) {
        let notice = read("\(line)\nダウンロードURL:https://bid.to-kousya.example/d?t=abcdefgh\n")
        #expect(notice.vendorCode == expected)
    }

    @Test(
        "download URL",
        arguments: [
            ("ダウンロードURL:https://bid.to-kousya.example/d?t=A1", "https://bid.to-kousya.example/d?t=A1"),
            ("ダウンロードURL:<https://bid.to-kousya.example/d?t=A1>", "https://bid.to-kousya.example/d?t=A1"),
            ("ダウンロードURL：https://bid.to-kousya.example/d?t=A1。", "https://bid.to-kousya.example/d?t=A1"),
            ("（ダウンロードURL:https://bid.to-kousya.example/d?t=A1）", "https://bid.to-kousya.example/d?t=A1"),
            ("ダウンロードURL:\"https://bid.to-kousya.example/d?t=A1\"", "https://bid.to-kousya.example/d?t=A1"),
            ("ダウンロードURL:「https://bid.to-kousya.example/d?t=A1」", "https://bid.to-kousya.example/d?t=A1"),
            ("ダウンロードＵＲＬ： https://bid.to-kousya.example/d?t=A1.", "https://bid.to-kousya.example/d?t=A1"),
            ("(see https://bid.to-kousya.example/d?t=(A1))", "https://bid.to-kousya.example/d?t=(A1)"),
            ("ダウンロードURL:\nhttps://bid.to-kousya.example/d?t=Next", "https://bid.to-kousya.example/d?t=Next"),
            // Kept byte for byte: no normalisation of case, escapes or dot segments.
            ("ダウンロードURL:HTTPS://bid.to-kousya.example/./d?t=%41b", "HTTPS://bid.to-kousya.example/./d?t=%41b"),
        ])
    func downloadURL(line: String, expected: String) {
        #expect(read("業者コード:5184962\n\(line)\n").url == expected)
    }

    @Test(
        "validity period",
        arguments: [
            "2027/04/01～2028/03/31", "2027/04/01〜2028/03/31", "2027/4/1 ~ 2028/3/31", "2027-04-01 - 2028-03-31",
            "2027年4月1日～2028年3月31日", "2027/04/01(木)～2028/03/31(金)", "2027/04/01から2028/03/31",
            "２０２７/０４/０１～２０２８/０３/３１",
        ])
    func validity(range: String) {
        let notice = read("有効期間は \(range) です。\n業者コード:5184962\n")
        #expect(notice.validFrom?.description == "2027-04-01")
        #expect(notice.validUntil?.description == "2028-03-31")
    }

    @Test func impossibleDatesAreNoDates() {
        let notice = read("有効期間は 2027/02/30～2028/03/31 です。\n業者コード:5184962\n")
        #expect(notice.validFrom == nil)
    }

    @Test(
        "OTP and expiry",
        arguments: [
            ("ワンタイムパスワード:B7ESBKG3", "有効期限:2026/01/19 10:41", "B7ESBKG3", "2026-01-19T10:41:00+09:00"),
            ("ワンタイムパスワード : b7esbkg3", "有効期限 : 2026/1/9 9:05:07", "b7esbkg3", "2026-01-09T09:05:07+09:00"),
            (
                "ワンタイムパスワード：Ｂ７ＥＳＢＫＧ３", "有効期限：２０２６／０１／１９　１０：４１", "B7ESBKG3",
                "2026-01-19T10:41:00+09:00"
            ),
            ("> ワンタイムパスワード:B7ESBKG3", "> 有効期限:2026年1月19日 10時41分", "B7ESBKG3", "2026-01-19T10:41:00+09:00"),
        ])
    func otp(codeLine: String, expiryLine: String, code: String, expiry: String) {
        let notice = read("\(codeLine)\n\(expiryLine)\n")
        #expect(notice.kind == .otp)
        #expect(notice.otp == code)
        #expect(notice.expiresAt?.description == expiry)
    }

    @Test func otpMustBeEightCharacters() {
        #expect(read("ワンタイムパスワード:B7ESBKG\n").kind == .other)
        #expect(read("ワンタイムパスワード:B7ESBKG3X\n").kind == .other)
        #expect(read("ワンタイムパスワードを発行してください。\n").kind == .other)
    }

    @Test func expiryIsAnInstantInJapan() throws {
        let expiry = try #require(read("ワンタイムパスワード:B7ESBKG3\n有効期限:2026/01/19 10:41\n").expiresAt)
        #expect(expiry.instant.timeIntervalSince1970 == 1_768_786_860)  // 2026-01-19T01:41:00Z
    }

    @Test func otherMailHasNoFields() {
        let notice = read("来週の会議は 2027/04/01～2027/04/02 です。 https://bid.to-kousya.example/x\n")
        #expect(notice.kind == .other)
        #expect(notice.url == nil && notice.validFrom == nil && !notice.trusted)
    }

    /// The folding notices are matched with, which the registry import reuses: full-width ASCII and the ideographic
    /// space to ASCII, one scalar for one; half-width katakana, kanji and other forms stay as they are.
    @Test func fullWidthFolding() {
        #expect(FullWidth.fold("０１２３４５６　ＡＢｃ＠～！") == "0123456 ABc@~!")
        #expect(FullWidth.fold("令和９年ｶﾅ〜￥") == "令和9年ｶﾅ〜￥")
        #expect(FullWidth.fold("") == "")
        #expect(FullWidth.isFullWidth("０") && FullWidth.isFullWidth("\u{3000}") && !FullWidth.isFullWidth("0"))
        #expect(read("業者コード：０１２３４５６\n").vendorCode == "0123456")
    }
}
