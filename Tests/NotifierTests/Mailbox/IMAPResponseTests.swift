import Foundation
import Testing

@testable import NotifierCore

/// The IMAP reader and parser without a server: literals are counted, never scanned, so a message cannot pass for
/// protocol; chunks may split anything anywhere.
@Suite struct IMAPResponseTests {
    static func read(_ text: String, chunk: Int = .max, maxLiteral: Int = 1 << 20) throws -> [IMAPResponse] {
        try read(Array(text.utf8), chunk: chunk, maxLiteral: maxLiteral)
    }

    static func read(_ bytes: [UInt8], chunk: Int = .max, maxLiteral: Int = 1 << 20) throws -> [IMAPResponse] {
        var reader = IMAPResponseReader(maxLiteral: maxLiteral)
        var responses: [IMAPResponse] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + min(chunk, bytes.count))
            reader.append(bytes[offset..<end])
            offset = end
            while let parts = try reader.next() { responses.append(try IMAPResponse(parts: parts)) }
        }
        #expect(!reader.hasPartialResponse)
        return responses
    }

    @Test func examineAnswer() throws {
        let responses = try Self.read(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n"
                + "* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1795719943] UIDs valid\r\n"
                + "* OK [UIDNEXT 4] Predicted next UID\r\nN1 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n"
        )
        #expect(responses.count == 7)
        #expect(
            responses[0].name == "FLAGS"
                && responses[0].values == [
                    .list([
                        .atom("\\Answered"), .atom("\\Flagged"),
                        .atom("\\Deleted"), .atom("\\Seen"), .atom("\\Draft"),
                    ])
                ])
        #expect(responses[1].codeName == "PERMANENTFLAGS" && responses[1].code == [.atom("PERMANENTFLAGS"), .list([])])
        #expect(responses[2].number == 3 && responses[2].name == "EXISTS")
        #expect(responses[4].codeName == "UIDVALIDITY" && responses[4].code.last?.number == 1_795_719_943)
        #expect(responses[4].text == "UIDs valid")
        #expect(responses[6].tag == .tagged("N1") && responses[6].name == "OK" && responses[6].codeName == "READ-ONLY")
    }

    @Test("a literal holding lines that look like responses and tags is data", arguments: [1, 2, 7, 64, Int.max])
    func literalIsCountedNotScanned(chunk: Int) throws {
        let message = "From: a@b.test\r\n\r\n* 99 EXISTS\r\nN2 OK fake\r\nA006 OK fake\r\n)\r\n{5}\r\n"
        let wire =
            "* 3 FETCH (UID 7 BODY[] {\(message.utf8.count)}\r\n\(message) FLAGS (\\Recent))\r\n"
            + "N2 OK Fetch completed.\r\n"
        let responses = try Self.read(wire, chunk: chunk)
        #expect(responses.count == 2)
        let items = responses[0].fetchItems
        #expect(items["UID"]?.number == 7)
        #expect(items["BODY[]"] == .string(Array(message.utf8)))
        #expect(items["FLAGS"] == .list([.atom("\\Recent")]))
        #expect(responses[1].tag == .tagged("N2"))
    }

    @Test func binaryBytesAndBareLineEndsSurviveALiteral() throws {
        let body: [UInt8] = Array(0...255) + Array("\n\r\r\n".utf8)
        let wire = Array("* 1 FETCH (BODY[] {\(body.count)}\r\n".utf8) + body + Array(" UID 9)\r\n".utf8)
        let responses = try Self.read(wire, chunk: 3)
        #expect(responses.first?.fetchItems["BODY[]"] == .string(body))
        #expect(responses.first?.fetchItems["UID"]?.number == 9)
    }

    @Test func aTooLargeLiteralIsDroppedAndTheStreamGoesOn() throws {
        let big = String(repeating: "x", count: 5000)
        let wire = "* 1 FETCH (UID 1 BODY[] {5000}\r\n\(big))\r\nN3 OK done\r\n* 2 EXISTS\r\n"
        let responses = try Self.read(wire, chunk: 700, maxLiteral: 1000)
        #expect(responses.map(\.name) == ["FETCH", "OK", "EXISTS"])
        #expect(responses[0].fetchItems["BODY[]"] == .tooLarge(5000))
    }

    @Test func quotedStringsSearchAndContinuation() throws {
        let responses = try Self.read(
            "* SEARCH 4 5 9\r\n* SEARCH\r\n+ idling\r\n* 1 FETCH (UID 2 BODY[] \"a \\\"b\\\" \\\\c\")\r\n* BYE Server shutting down.\r\n"
        )
        #expect(responses[0].values.compactMap(\.number) == [4, 5, 9])
        #expect(responses[1].values.isEmpty)
        #expect(responses[2].tag == .continuation && responses[2].text == "idling")
        #expect(responses[3].fetchItems["BODY[]"] == .string(Array("a \"b\" \\c".utf8)))
        #expect(responses[4].name == "BYE" && responses[4].text == "Server shutting down.")
    }

    @Test func sectionsWithSpacesAreOneKey() throws {
        let responses = try Self.read("* 1 FETCH (UID 3 BODY[HEADER.FIELDS (FROM)] {4}\r\nab\r\n)\r\n")
        #expect(responses[0].fetchItems["BODY[HEADER.FIELDS (FROM)]"] == .string(Array("ab\r\n".utf8)))
    }

    @Test func malformedAnswersAreErrors() throws {
        #expect(throws: IMAPResponseError.self) { try Self.read("* 1 FETCH (UID 3\r\n") }
        #expect(throws: IMAPResponseError.self) { try Self.read("* 1 FETCH (BODY[] \"open)\r\n") }
        var reader = IMAPResponseReader(maxLiteral: 10, maxLine: 100)
        reader.append(ArraySlice(repeating: UInt8(ascii: "a"), count: 200))
        #expect(throws: IMAPResponseError.self) { _ = try reader.next() }
    }

    @Test func mailboxNamesAreModifiedUTF7() {
        #expect(IMAPMailboxName.quoted("INBOX") == "\"INBOX\"")
        #expect(IMAPMailboxName.quoted("台北") == "\"&U,BTFw-\"")  // RFC 3501 §5.1.3
        #expect(IMAPMailboxName.quoted("日本語") == "\"&ZeVnLIqe-\"")
        #expect(IMAPMailboxName.quoted("受信箱テスト") == "\"&U9dP4XuxMMYwuTDI-\"")  // Dovecot's folder name for it
        #expect(IMAPMailboxName.quoted("A&B \"q\"\\") == "\"A&-B \\\"q\\\"\\\\\"")
    }

    @Test func urls() throws {
        let plain = try IMAPSettings.endpoint(of: "imap://localhost:1143")
        #expect(plain == .init(serverURL: "imap://localhost:1143/", mailbox: "INBOX"))
        let folder = try IMAPSettings.endpoint(of: "IMAPS://mail.example.test/%E5%8F%97%E4%BF%A1/Sub")
        #expect(folder == .init(serverURL: "imaps://mail.example.test/", mailbox: "受信/Sub"))
        #expect(try IMAPSettings.endpoint(of: "imaps://[::1]:993/INBOX").serverURL == "imaps://[::1]:993/")
        for bad in [
            "pop3://h/", "imap:///INBOX", "imap://user:secret@h/INBOX", "imap://h:0/", "imap://h/INBOX?x",
            "imap://h/A%0AB", "imap://h:99999/", "imaps://mail example.test/INBOX", "imaps://h\u{7F}x/",
        ] {
            #expect(throws: InvalidValue.self, "\(bad)") { try IMAPSettings.endpoint(of: bad) }
        }
        #expect {
            _ = try IMAPSettings.endpoint(of: "imap://user:s3cret@h/INBOX")
        } throws: { error in
            (error as? InvalidValue).map { !$0.reason.contains("s3cret") } ?? false
        }
        let settings = IMAPSettings(url: "imap://h/", credentials: .password(user: "u", password: "s3cret"))
        #expect(!"\(settings)".contains("s3cret") && !String(reflecting: settings).contains("s3cret"))
    }
}
