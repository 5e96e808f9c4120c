import Testing

@testable import MailParse

/// RFC 5322 header sections: line ends, unfolding, order, mbox lines, 8-bit values, where the header ends.
@Suite("Header section (RFC 5322 §2.2)")
struct HeaderTests {
    @Test("LF and CRLF give the same fields", arguments: ["\n", "\r\n"])
    func lineEnds(lineEnd: String) {
        let parsed = Message.parse(message(["Subject: hello", "X-A: 1"], body: "body", lineEnd: lineEnd))
        #expect(parsed.headers.map(\.name) == ["Subject", "X-A"])
        #expect(parsed.subject == "hello")
        #expect(Array(parsed.root.rawBody) == Array("body".utf8))
    }

    @Test func unfoldingKeepsWhiteSpace() {
        let parsed = Message.parse(message(["Subject: bug demonstration", "\t1234", "\tmore text", "X: y"]))
        #expect(parsed.subject == "bug demonstration\t1234\tmore text")
        let raw = String(decoding: parsed.headers.first("subject")!.rawValue, as: UTF8.self)
        #expect(raw == "bug demonstration\t1234\tmore text")
    }

    @Test func orderAndRepetitionAreKept() {
        let parsed = Message.parse(message(["Received: a", "Received: b", "From: x@example.jp", "received: c"]))
        #expect(parsed.headers.all("RECEIVED").map { String(decoding: $0.rawValue, as: UTF8.self) } == ["a", "b", "c"])
        #expect(parsed.headers.map(\.name) == ["Received", "Received", "From", "received"])
    }

    @Test func mboxFromLineIsSkipped() {
        let parsed = Message.parse(Array("From someone@example.jp Mon Jan  1 00:00:00 2027\nSubject: s\n\nb".utf8))
        #expect(parsed.headers.map(\.name) == ["Subject"])
    }

    @Test func rawUTF8Value() {
        let parsed = Message.parse(message(["Subject: 更新のお知らせ"]))
        #expect(parsed.subject == "更新のお知らせ")
    }

    @Test func rawShiftJISValueIsDetected() {
        var bytes = Array("Subject: ".utf8) + [0x8D, 0x58, 0x90, 0x56]  // 更新 in Shift_JIS
        bytes += Array("\n\n".utf8)
        #expect(Message.parse(bytes).subject == "更新")
    }

    @Test func lineWithoutColonEndsHeaders() {
        let parsed = Message.parse(Array("Subject: s\nthis is body text\nX: not a header\n".utf8))
        #expect(parsed.headers.count == 1)
        #expect(String(decoding: parsed.root.rawBody, as: UTF8.self).hasPrefix("this is body text"))
        #expect(!parsed.defects.isEmpty)
    }

    @Test func obsoleteSpaceBeforeColon() {
        #expect(Message.parse(message(["Subject : spaced"])).subject == "spaced")
    }

    @Test func noBodyAtAll() {
        let parsed = Message.parse(Array("Subject: only headers".utf8))
        #expect(parsed.subject == "only headers")
        #expect(parsed.root.rawBody.isEmpty)
    }

    @Test func messageIDWithoutBrackets() {
        #expect(Message.parse(message(["Message-ID:  <abc.123@host.example> "])).messageID == "abc.123@host.example")
        #expect(Message.parse(message(["Message-ID: bare@host.example"])).messageID == "bare@host.example")
        #expect(Message.parse(message(["Subject: none"])).messageID == nil)
    }
}

/// What issue 11 found in real deliveries' headers: words folded in their middle, charsets notifier has no decoder
/// of its own for, undeclared 8-bit bytes, CR-only files, words before a bare address.
@Suite("Header fidelity")
struct HeaderFidelityTests {
    @Test func anEncodedWordFoldedInItsMiddleIsDecodedAsPythonDoes() {
        // 【電子入札システム】 in ISO-2022-JP, base64, folded inside the encoded text.
        let word = "=?ISO-2022-JP?B?GyRCIVpFRTtSRn47JSU3JTklRiVgIVsbKEI=?="
        let bytes = message(["Subject: \(word)", "From: a@b.example"])
        let folded = message(["Subject: \(word.replacingOccurrences(of: "SRn47", with: "SRn4\r\n 7"))"])
        #expect(Message.parse(bytes).subject == "【電子入札システム】")
        #expect(Message.parse(folded).subject == "【電子入札システム】")
    }

    @Test func aStrayEncodedWordStartDoesNotEatTheLine() {
        let bytes = message(["Subject: a =?utf-8?b?broken and =?utf-8?b?44GC?= end"])
        #expect(Message.parse(bytes).subject == "a =?utf-8?b?broken and あ end")
    }

    @Test(
        "charsets glibc's iconv knows",
        arguments: [
            ("=?EUC-KR?B?x9Gx2w==?=", "한글"), ("=?gb2312?B?1tDOxA==?=", "中文"), ("=?GBK?B?1tDOxA==?=", "中文"),
            ("=?big5?B?pKSk5Q==?=", "中文"), ("=?utf-7?Q?+ZeVnLA-?=", "日本"), ("=?koi8-r?B?8NLJ18XU?=", "Привет"),
            ("=?iso-8859-2?Q?=A3=F3d=BF?=", "Łódż"), ("=?iso-8859-15?Q?=A4?=", "€"),
            ("=?iso-8859-5?Q?=BF=E0=D8?=", "При"),
            ("=?ks_c_5601-1987?B?x9Gx2w==?=", "한글"), ("=?x-no-such-charset?Q?a=B1b?=", "a\u{FFFD}b"),
        ])
    func charsets(word: String, text: String) {
        #expect(Message.parse(message(["Subject: \(word)"])).subject == text)
    }

    @Test func bodiesInThoseCharsetsToo() {
        let bytes = Array("Subject: s\nContent-Type: text/plain; charset=euc-kr\n\n".utf8) + [0xC7, 0xD1, 0xB1, 0xDB]
        #expect(Message.parse(bytes).root.text == "한글")
    }

    @Test(
        "undeclared 8-bit header bytes",
        arguments: [
            ([0xE3, 0x81, 0x82] as [UInt8], "あ"),  // valid UTF-8
            ([0x82, 0xA0, 0x82, 0xA2], "あい"),  // cp932 that decodes cleanly
            ([0x43, 0x61, 0x66, 0xE9], "Café"),  // not cp932 at all: Windows-1252
            ([0x85, 0x40], "…@"),  // a well-formed cp932 pair with no character: Windows-1252
        ])
    func undeclared8Bit(raw: [UInt8], text: String) {
        let bytes = Array("Subject: ".utf8) + raw + Array("\n\nbody\n".utf8)
        #expect(Message.parse(bytes).subject == text)
    }

    @Test func crOnlyLineEnds() {
        let bytes = Array("From: nyusatsu@to-kousya.example\rSubject: =?utf-8?b?44GC?=\r\r業者コード:5184962\r".utf8)
        let parsed = Message.parse(bytes)
        #expect(parsed.subject == "あ")
        #expect(parsed.from.first?.addrSpec == "nyusatsu@to-kousya.example")
        #expect(parsed.root.text == "業者コード:5184962\n")
    }

    @Test func wordsBeforeABareAddressMakeTheFieldUnparseable() {
        #expect(Mailbox.parseList(Array("Big Bug bb@bug.com".utf8)[...]).isEmpty)
        #expect(Mailbox.parseList(Array("bb@bug com".utf8)[...]).isEmpty)
        #expect(Mailbox.parseList(Array("Big Bug <bb@bug.com>".utf8)[...]).first?.addrSpec == "bb@bug.com")
        #expect(
            Mailbox.parseList(Array("john.q.public@example.com (John)".utf8)[...]).first?.addrSpec
                == "john.q.public@example.com")
    }
}
