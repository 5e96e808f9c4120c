import Foundation
import Testing

@testable import NotifierCore

/// The byte-level parts of the SMTP transaction: replies as servers write them (and as hostile ones might),
/// DATA's dot-stuffing, and the EHLO keywords found in what libcurl saw while connecting.
@Suite("SMTP protocol pieces")
struct SMTPProtocolTests {
    static func replies(_ chunks: [String], maxLine: Int = 4096) throws -> [SMTPReply] {
        var reader = SMTPReplyReader()
        reader.maxLine = maxLine
        var out: [SMTPReply] = []
        for chunk in chunks {
            reader.append(ArraySlice(Array(chunk.utf8)))
            while let reply = try reader.next() { out.append(reply) }
        }
        return out
    }

    @Test func repliesAreCutAtTheirLastLineWhereverTheBytesBreak() throws {
        let text = "250-mail.example.test\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n354 End data\r\n250 2.0.0 Ok\n221"
        // Every way of cutting the stream in two gives the same replies.
        for cut in 0...text.utf8.count {
            let bytes = Array(text.utf8)
            let chunks = [
                String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self),
            ]
            let replies = try Self.replies(chunks)
            #expect(replies.map(\.code) == [250, 354, 250], "cut at \(cut)")
            #expect(replies.first?.lines == ["mail.example.test", "PIPELINING", "SIZE 10240000"])
        }
        #expect(try Self.replies(["221\r\n"]) == [SMTPReply(code: 221, lines: [""])])
    }

    @Test func aSummaryIsOneLineOfPrintableText() throws {
        let reply = try #require(
            try Self.replies(["550-5.1.1 The account\r\n550 5.1.1 does not exist \u{1B}[31mx\r\n"]).first)
        #expect(reply.summary == "550 5.1.1 The account 5.1.1 does not exist \u{FFFD}[31mx")
        #expect(reply.code == 550)
        let long = try #require(try Self.replies(["250 " + String(repeating: "x", count: 900) + "\r\n"]).first)
        #expect(long.summary.count == 500)
    }

    @Test(arguments: [
        "hello\r\n", "25\r\n", "2500 x\r\n", "250_x\r\n", "650 x\r\n", "250-a\r\n251 b\r\n",
    ])
    func malformedRepliesAreErrorsNotGuesses(_ text: String) {
        #expect(throws: SMTPReplyReader.Malformed.self) { _ = try Self.replies([text]) }
    }

    @Test func aHostileServerCannotMakeTheReaderGrowWithoutBound() {
        // A line without end, and a reply of endless continuation lines.
        #expect(throws: SMTPReplyReader.Malformed.self) {
            _ = try Self.replies([String(repeating: "2", count: 5000)], maxLine: 4096)
        }
        #expect(throws: SMTPReplyReader.Malformed.self) {
            _ = try Self.replies([String(repeating: "250-x\r\n", count: 1000)])
        }
    }

    @Test func dataIsDotStuffedWithCRLFAndEndsWithTheFinalDot() {
        func stuffed(_ text: String) -> String {
            String(decoding: SMTPSession.stuffed(Array(text.utf8)), as: UTF8.self)
        }
        #expect(stuffed("a\r\n.b\r\n.\r\n") == "a\r\n..b\r\n..\r\n.\r\n")
        #expect(stuffed(".first\r\nlast") == "..first\r\nlast\r\n.\r\n")
        #expect(stuffed("bare\nfeed\rcr\r\n") == "bare\r\nfeed\r\ncr\r\n.\r\n")
        #expect(stuffed("") == ".\r\n")
        #expect(stuffed("x.\r\n") == "x.\r\n.\r\n")
    }

    @Test func theKeywordsAreThoseOfTheLastEHLO() {
        // What libcurl logs while connecting with STARTTLS: the greeting, the EHLO in clear, the TLS answer, the
        // EHLO after TLS (which counts), the login.
        let lines = [
            "220 mail.example.test ESMTP", "250-mail.example.test", "250-PIPELINING", "250-STARTTLS", "250 8BITMIME",
            "220 2.0.0 Ready to start TLS", "250-mail.example.test", "250-SIZE 1000", "250-AUTH PLAIN",
            "250 smtputf8", "235 2.7.0 Authentication successful",
        ]
        #expect(SMTPSession.capabilities(in: lines) == ["SIZE", "AUTH", "SMTPUTF8"])
        #expect(SMTPSession.capabilities(in: ["220 hi", "250 mail.example.test"]).isEmpty)
    }

    @Test func tokensAreBase64URLWithoutPadding() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(EncodedBase64URL.encode(bytes) == expected, "\(bytes)")
        }
    }
}
