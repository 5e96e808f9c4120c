import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// Line breaks that are not CR or LF: NEL (U+0085) and the Unicode line and paragraph separators end a line for many
/// readers, so a vendor name holding one could plant a line that reads as the download URL. They, and every other C0
/// and C1 control, are refused with 65 wherever a value enters a message.
@Suite("line breaks and controls in values")
struct LineBreakTests {
    /// Every scalar that must be refused, with the code point the message names.
    static let hostile: [(String, String)] = [
        ("\u{85}", "U+0085"), ("\u{2028}", "U+2028"), ("\u{2029}", "U+2029"), ("\u{0B}", "U+000B"),
        ("\u{0C}", "U+000C"), ("\u{1B}", "U+001B"), ("\u{9B}", "U+009B"), ("\u{80}", "U+0080"), ("\u{7F}", "U+007F"),
    ]
    /// NUL too, where no argv is involved (a NUL cannot be passed to a program: it ends the argument).
    static let hostileAndNUL = hostile + [("\u{00}", "U+0000")]

    static func update(vendorName: String, from: String = IssuerFixture.from) -> [String] {
        [
            "update_notice", "--from", from, "--to", "vendor@example.test", "--var", "vendor_name=\(vendorName)",
            "--var", "vendor_code=5184962", "--var", "url=https://bid.to-kousya.example/cert/download?t=abcDEF123",
            "--var", "valid_from=2027-04-01", "--var", "valid_until=2028-03-31",
        ]
    }

    @Test("compose refuses the value with 65", arguments: hostile)
    func compose(character: String, codePoint: String) throws {
        let name = "青葉建設\(character)https://evil.example/cert"
        let result = try CLI.run(["compose"] + Self.update(vendorName: name))
        #expect(result.status == 65, "\(codePoint): \(result.stderr)")
        #expect(result.stderr.contains("variable vendor_name") && result.stderr.contains(codePoint), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("send refuses the value with 65 and writes nothing", arguments: ["\u{85}", "\u{2028}", "\u{2029}"])
    func send(character: String) throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outbox = folder.appendingPathComponent("outbox")
        let result = try CLI.run(["send"] + Self.update(vendorName: "青葉\(character)建設") + ["--outbox", outbox.path])
        #expect(result.status == 65, "\(result.stderr)")
        let written =
            (try? FileManager.default.contentsOfDirectory(atPath: outbox.appendingPathComponent("new").path)) ?? []
        #expect(written.isEmpty)
    }

    @Test(
        "a display name in --from or --to with a line break is refused with 65",
        arguments: ["\u{85}", "\u{2028}", "\r\n"])
    func addresses(character: String) throws {
        let from = try CLI.run(
            ["compose"] + Self.update(vendorName: "青葉", from: "JKK東京\(character)Bcc: x <nyusatsu@to-kousya.example>"))
        #expect(from.status == 65, "\(from.stderr)")
        #expect(from.stderr.contains("--from contains a line break"), "\(from.stderr)")
        var arguments = ["compose"] + Self.update(vendorName: "青葉")
        arguments[arguments.firstIndex(of: "vendor@example.test")!] = "業者\(character)様 <vendor@example.test>"
        let to = try CLI.run(arguments)
        #expect(to.status == 65, "\(to.stderr)")
        #expect(to.stderr.contains("--to contains a line break"), "\(to.stderr)")
    }

    @Test("notices send refuses such a --from with 65", arguments: ["\u{85}", "\u{2028}"])
    func notices(character: String) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        #expect(try fixture.importVendors(IssuerFixture.vendorRows(1)).status == 0)
        let result = try fixture.run([
            "notices", "send", "--force", "--download-url-base", IssuerFixture.urlBase,
            "--from", "JKK東京\(character)電子入札 <nyusatsu@to-kousya.example>", "--fiscal-year", "2027",
            "--outbox", fixture.outbox.path,
        ])
        #expect(result.status == 65, "\(result.stderr)")
        let written =
            (try? FileManager.default.contentsOfDirectory(atPath: fixture.outbox.appendingPathComponent("new").path))
            ?? []
        #expect(written.isEmpty)
    }

    @Test("vendors import refuses such a name with 65", arguments: ["\u{85}", "\u{2028}", "\u{2029}", "\u{9B}"])
    func csvImport(character: String) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try fixture.importVendors(["5184962,青葉\(character)建設,a@example.jp,construction,"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("name"))
    }

    @Test("the writer refuses them in any header", arguments: hostileAndNUL)
    func writer(character: String, codePoint: String) throws {
        let message = OutgoingMessage(
            from: try #require(Validation.mailbox("nyusatsu@to-kousya.example")),
            to: [try #require(Validation.mailbox("vendor@example.test"))], subject: "件名\(character)X-Evil: 1",
            date: Date(timeIntervalSince1970: 0), messageID: "a@to-kousya.example", extraHeaders: [], body: "本文",
            charset: .utf8)
        #expect(throws: MessageWriterError.self) { try MessageWriter().write(message) }
    }

    @Test func tabsAndOrdinaryTextAreNotSeparators() {
        #expect(!TextSafety.isForbidden("あ") && !TextSafety.isForbidden(" ") && !TextSafety.isForbidden("\u{3000}"))
        #expect(!TextSafety.isForbidden("\u{A0}") && !TextSafety.isForbidden("\u{200B}"))
        #expect(TextSafety.isForbidden("\t"))
    }
}
