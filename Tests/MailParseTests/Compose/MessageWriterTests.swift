import Foundation
import Testing

@testable import MailParse

/// The MIME writer: what it writes must be valid RFC 5322/2045/2047 and read back to the same values.
@Suite("Message writer")
struct MessageWriterTests {
    let sender = Mailbox(displayName: "JKK東京 電子入札システム", localPart: "nyusatsu", domain: "to-kousya.example")
    let recipient = Mailbox(displayName: nil, localPart: "vendor", domain: "example.test")
    let date = Date(timeIntervalSince1970: 1_801_114_500)  // 2027-01-28T14:35:00+09:00

    func message(subject: String, body: String, charset: OutgoingMessage.BodyCharset = .utf8) -> OutgoingMessage {
        OutgoingMessage(
            from: sender, to: [recipient], subject: subject, date: date, messageID: "id.1@to-kousya.example",
            body: body, charset: charset)
    }

    func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
    }

    @Test func headersInOrderWithCRLF() throws {
        let bytes = try MessageWriter().write(message(subject: "Plain subject", body: "line\n"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.hasPrefix("Date: Thu, 28 Jan 2027 14:35:00 +0900\r\nFrom: "))
        let names = lines(bytes).prefix { !$0.isEmpty }.filter { !$0.hasPrefix(" ") }.map { $0.prefix { $0 != ":" } }
        #expect(
            names == [
                "Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding",
            ])
        #expect(text.contains("Message-ID: <id.1@to-kousya.example>\r\n"))
    }

    @Test(
        "encoded words stay within 75 characters and split between characters",
        arguments: [
            "【電子入札システム】クライアント証明書更新のお知らせ", String(repeating: "髙👨‍👩‍👧ｱ", count: 30),
            "mixed ASCII and 日本語 " + String(repeating: "x", count: 100),
        ])
    func encodedWords(subject: String) throws {
        let bytes = try MessageWriter().write(message(subject: subject, body: "b"))
        let header = lines(bytes).prefix { !$0.isEmpty }
        for line in header { #expect(line.count <= 78, "\(line)") }
        let words = header.joined(separator: " ").split(separator: " ").filter { $0.hasPrefix("=?") }
        for word in words {
            #expect(word.count <= 75)
            // Each word decodes on its own to whole characters.
            let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            #expect(String(validating: TransferEncoding.decodeBase64(Array(payload.utf8)), as: UTF8.self) != nil)
        }
        #expect(Message.parse(bytes).subject == subject)
    }

    @Test func bodyLinesAreShort() throws {
        let body =
            String(repeating: "長い本文の行です。", count: 40) + "\nhttps://bid.to-kousya.example/"
            + String(repeating: "a", count: 120) + "\n"
        for charset in OutgoingMessage.BodyCharset.allCases {
            let bytes = try MessageWriter().write(message(subject: "s", body: body, charset: charset))
            let bodyLines = lines(bytes).drop { !$0.isEmpty }.dropFirst()
            for line in bodyLines where !line.contains("https://") { #expect(line.utf8.count <= 78, "\(charset)") }
            let parsed = Message.parse(bytes)
            let text = try #require(parsed.root.text)
            #expect(
                text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "")
                    == body.replacingOccurrences(of: "\n", with: ""))
        }
    }

    @Test func iso2022JPBodyAndWaveDash() throws {
        let bytes = try MessageWriter().write(
            message(subject: "件名", body: "2027/04/01〜2028/03/31 ①\n", charset: .iso2022JP))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("charset=ISO-2022-JP"))
        #expect(bytes.allSatisfy { $0 < 0x80 })
        #expect(Message.parse(bytes).root.text == "2027/04/01～2028/03/31 ①\r\n")
        #expect(Message.parse(bytes).subject == "件名")
    }

    @Test(
        "text ISO-2022-JP cannot hold goes out as UTF-8",
        arguments: ["髙橋", "ｱｲｳ", "😀"])
    func iso2022JPFallback(body: String) throws {
        let bytes = try MessageWriter().write(message(subject: body, body: body + "\n", charset: .iso2022JP))
        #expect(String(decoding: bytes, as: UTF8.self).contains("charset=UTF-8"))
        let parsed = Message.parse(bytes)
        #expect(parsed.root.text == body + "\r\n")
        #expect(parsed.subject == body)
    }

    @Test(
        "header injection is refused",
        arguments: ["Subject\r\nBcc: victim@example.test", "line\nfeed", "nul\u{0}", "tab\tinside"])
    func injection(value: String) {
        #expect(throws: MessageWriterError.self) { try MessageWriter().write(message(subject: value, body: "b")) }
        var named = message(subject: "s", body: "b")
        named.from = Mailbox(displayName: value, localPart: "a", domain: "example.test")
        #expect(throws: MessageWriterError.self) { try MessageWriter().write(named) }
        var extra = message(subject: "s", body: "b")
        extra.extraHeaders = [("X-Vendor", value)]
        #expect(throws: MessageWriterError.self) { try MessageWriter().write(extra) }
    }

    @Test func addressesMustBePlain() {
        var bad = message(subject: "s", body: "b")
        bad.to = [Mailbox(displayName: nil, localPart: "a b", domain: "example.test")]
        #expect(throws: MessageWriterError.self) { try MessageWriter().write(bad) }
        bad.to = [Mailbox(displayName: nil, localPart: "a", domain: "例え.jp")]
        #expect(throws: MessageWriterError.self) { try MessageWriter().write(bad) }
    }

    @Test func displayNamesWithSpecialsAreQuoted() throws {
        var quoted = message(subject: "s", body: "b")
        quoted.from = Mailbox(displayName: "Suzuki, \"Ichiro\"", localPart: "a", domain: "example.test")
        let bytes = try MessageWriter().write(quoted)
        #expect(String(decoding: bytes, as: UTF8.self).contains("From: \"Suzuki, \\\"Ichiro\\\"\" <a@example.test>"))
        #expect(Message.parse(bytes).from.first?.displayName == "Suzuki, \"Ichiro\"")
    }
}
