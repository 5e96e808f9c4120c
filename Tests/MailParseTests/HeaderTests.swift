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
