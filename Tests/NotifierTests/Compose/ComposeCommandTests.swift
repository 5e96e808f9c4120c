import Foundation
import MailParse
import Testing

/// `notifier compose` and `notifier send --outbox`, through the binary.
@Suite("notifier compose and send")
struct ComposeCommandTests {
    static let updateArguments = [
        "--from", "JKK東京 電子入札システム <nyusatsu@to-kousya.example>", "--to", "vendor@example.test",
        "--var", "vendor_name=株式会社青葉建設", "--var", "vendor_code=5184962",
        "--var", "url=https://bid.to-kousya.example/cert/download?t=abcDEF123ghiJKL456mnoPq", "--var",
        "valid_from=2027-04-01",
        "--var", "valid_until=2028-03-31",
    ]

    @Test("compose writes a message that parses back", arguments: ["utf-8", "iso-2022-jp"])
    func compose(charset: String) throws {
        let result = try CLI.run(["compose", "update_notice", "--charset", charset] + Self.updateArguments)
        #expect(result.status == 0)
        #expect(result.stdout.contains("\r\nMIME-Version: 1.0\r\n"))
        let notice = NoticeReader.read(Array(result.stdout.utf8))
        #expect(notice.kind == .updateNotice && notice.trusted)
        #expect(notice.vendorCode == "5184962")
        #expect(notice.url == "https://bid.to-kousya.example/cert/download?t=abcDEF123ghiJKL456mnoPq")
    }

    @Test(
        "compose refuses bad input",
        arguments: [
            (["compose"], 64), (["compose", "update_notice"], 64),
            (["compose", "nope", "--to", "a@b.example", "--from", "a@b.example"], 64),
            (["compose", "otp_notice", "--from", "a@b.example", "--to", "a@b.example", "--var", "otp=ABCD1234"], 65),
            (
                [
                    "compose", "otp_notice", "--from", "a@b.example", "--to", "a@b.example", "--var", "otp=ABCD1234",
                    "--var", "expires_at=2027-01-28T14:35:00+09:00", "--var", "extra=1",
                ], 65
            ),
            (
                [
                    "compose", "otp_notice", "--from", "a@b.example", "--to", "evil\r\nBcc: x@y.example", "--var",
                    "otp=ABCD1234",
                    "--var", "expires_at=2027-01-28T14:35:00+09:00",
                ], 65
            ),
            (["compose", "update_notice", "--charset", "latin1"], 64),
            (["compose", "otp_notice", "--from", "not an address", "--to", "a@b.example"], 64),
        ] as [([String], Int32)])
    func refuses(arguments: [String], status: Int32) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("notifier: "))
    }

    @Test func lineBreakInAVendorNameIsRefusedWith65() throws {
        var arguments = ["compose", "update_notice"] + Self.updateArguments
        arguments[arguments.firstIndex(of: "vendor_name=株式会社青葉建設")!] = "vendor_name=Evil\r\nBcc: victim@example.test"
        let result = try CLI.run(arguments)
        #expect(result.status == 65)
        #expect(result.stderr.contains("template update_notice: variable vendor_name contains a line break"))
        #expect(result.stdout.isEmpty)
    }

    @Test func customTemplatesFolder() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "Subject: 件名 {{vendor_code}}\nX-Notifier-Test: yes\n\n本文 {{vendor_code}}\n".write(
            to: folder.appendingPathComponent("update_notice"), atomically: true, encoding: .utf8)
        let result = try CLI.run([
            "compose", "update_notice", "--templates", folder.path, "--from", "a@b.example", "--to", "c@d.example",
            "--var", "vendor_code=1234567",
        ])
        #expect(result.status == 0)
        let message = Message.parse(Array(result.stdout.utf8))
        #expect(message.subject == "件名 1234567")
        #expect(message.headers.first("X-Notifier-Test") != nil)
        #expect(message.root.text == "本文 1234567\r\n")
    }

    @Test func sendIntoAnOutbox() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outbox = folder.appendingPathComponent("outbox")
        let result = try CLI.run(["send", "update_notice", "--outbox", outbox.path] + Self.updateArguments)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("sent: written to \(outbox.path)/new/"))
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.appendingPathComponent("new").path)
        #expect(files.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox.appendingPathComponent("tmp").path).isEmpty)
        let bytes = [UInt8](try Data(contentsOf: outbox.appendingPathComponent("new/\(files[0])")))
        let notice = NoticeReader.read(bytes)
        #expect(notice.kind == .updateNotice && notice.trusted)
        let attributes = try FileManager.default.attributesOfItem(
            atPath: outbox.appendingPathComponent("new/\(files[0])").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func sendWithoutAnyTransportUsesTheDefaultOutbox() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try CLI.run(
            ["send", "update_notice"] + Self.updateArguments, environment: ["XDG_DATA_HOME": folder.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("written to \(folder.path)/notifier/outbox/new/"))
    }

    @Test(
        "passwords never come from the command line",
        arguments: [["--smtp-password", "hunter2"], ["--smtp", "smtp://user:hunter2@127.0.0.1:25"]])
    func passwordsRefused(extra: [String]) throws {
        let result = try CLI.run(["send", "update_notice"] + Self.updateArguments + extra)
        #expect(result.status == 64)
        #expect(!result.stderr.contains("hunter2"))
        #expect(result.stderr.contains("NOTIFIER_SMTP_PASSWORD"))
    }

    @Test func noServerListeningIsUnavailable() throws {
        // A port nothing listens on: connection refused, exit 69.
        let result = try CLI.run(
            ["send", "update_notice", "--smtp", "smtp://127.0.0.1:9", "--connect-timeout", "5"] + Self.updateArguments)
        #expect(result.status == 69)
        #expect(result.stderr.contains("unavailable"))
    }
}
