import Foundation
import Testing

@testable import NotifierCore

/// No password in clear: with the default TLS mode a login goes only over TLS, unless the host is loopback as
/// written (`localhost`, 127.0.0.0/8, ::1), or `none` allows it on purpose; and a user who asked to log in never
/// sends without logging in. The non-loopback name is `mail.localhost`: libcurl resolves every `*.localhost` name
/// to the loopback address itself (RFC 6761 §6.3), so no traffic leaves 127.0.0.0/8, yet it is not an exempt name.
@Suite("no password in clear", .serialized)
struct CleartextLoginTests {
    static let password = "Clear-\(UUID().uuidString.prefix(8))"

    static func send(_ url: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(
            ["send"] + SMTPIntegrationTests.arguments() + ["--smtp", url] + extra,
            environment: ["NOTIFIER_SMTP_PASSWORD": password])
    }

    /// The faulty server's log lines for `mode` that `body` caused.
    static func logLines(_ mode: String, _ body: () throws -> Void) throws -> [String] {
        let before = try TestServers.faultyLog(mode).count
        try body()
        Thread.sleep(forTimeInterval: 0.3)
        return Array(try TestServers.faultyLog(mode).dropFirst(before))
    }

    @Test func smtpRefusesALoginInClearToAHostThatIsNotLoopback() throws {
        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        var result: CLI.Result?
        let lines = try Self.logLines("notls") {
            result = try Self.send("smtp://mail.localhost:\(port)", ["--smtp-user", "notifier"])
        }
        let refused = try #require(result)
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("password of --smtp-user would go out in clear"), "\(refused.stderr)")
        #expect(refused.stderr.contains("smtps://mail.localhost") && refused.stderr.contains("--smtp-tls none"))
        #expect(!lines.contains { $0.contains(" AUTH ") || $0.contains(" MAIL ") }, "\(lines)")
        #expect(!refused.stderr.contains(Self.password))
    }

    @Test func smtpTLSNoneAllowsItOnPurpose() throws {
        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        var result: CLI.Result?
        let lines = try Self.logLines("notls") {
            result = try Self.send("smtp://mail.localhost:\(port)", ["--smtp-user", "notifier", "--smtp-tls", "none"])
        }
        #expect(result?.status == 0, "\(result?.stderr ?? "")")
        #expect(lines.contains { $0.contains(" AUTH ") } && lines.contains { $0.contains(" MAIL ") }, "\(lines)")
    }

    @Test("a loopback host is exempt, as written", arguments: ["127.0.0.1", "localhost", "127.0.0.2"])
    func smtpLoopbackIsExempt(host: String) throws {
        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        // The faulty server listens on 127.0.0.1 only: 127.0.0.2 cannot connect, but must not be refused for TLS.
        let result = try Self.send("smtp://\(host):\(port)", ["--smtp-user", "notifier"])
        if host == "127.0.0.2" {
            #expect(!result.stderr.contains("in clear"), "\(result.stderr)")
        } else {
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test func withoutAUserNothingChanges() throws {
        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        let result = try Self.send("smtp://mail.localhost:\(port)")
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aUserGivenToAServerWithoutAUTHIsRefusedWith77() throws {
        let port = try TestServers.port("FAULTY_PORT_NOAUTH")
        var result: CLI.Result?
        let lines = try Self.logLines("noauth") {
            result = try Self.send(
                "smtp://localhost:\(port)",
                ["--smtp-user", "notifier", "--ca-file", try TestServers.value("SMTP_CA_FILE")])
        }
        let refused = try #require(result)
        #expect(refused.status == 77, "\(refused.stderr)")
        #expect(refused.stderr.contains("offers no AUTH"), "\(refused.stderr)")
        #expect(!lines.contains { $0.contains(" MAIL ") }, "\(lines)")
        // Without --smtp-user the same server takes the message.
        let anonymous = try Self.send("smtp://localhost:\(port)", ["--ca-file", try TestServers.value("SMTP_CA_FILE")])
        #expect(anonymous.status == 0, "\(anonymous.stderr)")
    }

    // MARK: - IMAP (faulty_imap.py: plain IMAP, any login; the cleartext port is this suite's alone)

    static func watch(_ host: String, _ extra: [String] = [], database: String) throws -> CLI.Result {
        let port = try TestServers.port("FAULTY_IMAP_PORT_CLEARTEXT")
        return try CLI.run(
            ["--db", database, "watch", "--imap", "imap://\(host):\(port)/INBOX", "--imap-user", "tanto", "--once"]
                + extra,
            environment: ["NOTIFIER_IMAP_PASSWORD": password])
    }

    static func imapLog() throws -> [String] {
        let path = URL(fileURLWithPath: try TestServers.value("FAULTY_LOG_DIR")).appendingPathComponent(
            "faulty-imap-cleartext.log")
        return (try? String(contentsOf: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    @Test func imapRefusesALoginInClearToAHostThatIsNotLoopback() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("v.db").path
        let before = try Self.imapLog().count
        let refused = try Self.watch("mail.localhost", database: database)
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("password would go out in clear"), "\(refused.stderr)")
        #expect(refused.stderr.contains("imaps://mail.localhost") && refused.stderr.contains("--imap-tls none"))
        #expect(!(try Self.imapLog().dropFirst(before)).contains { $0.contains(" LOGIN ") })
        let allowed = try Self.watch("mail.localhost", ["--imap-tls", "none"], database: database)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.split(separator: "\n").count == 2, "\(allowed.stdout)")
        let loopback = try Self.watch("127.0.0.1", database: folder.appendingPathComponent("w.db").path)
        #expect(loopback.status == 0, "\(loopback.stderr)")
    }

    @Test(
        "loopback as written",
        arguments: [
            ("localhost", true), ("LOCALHOST", true), ("127.0.0.1", true), ("127.255.0.9", true), ("::1", true),
            ("0:0:0:0:0:0:0:1", true), ("mail.localhost", false), ("localhost.", false), ("128.0.0.1", false),
            ("127.1", false), ("::ffff:127.0.0.1", false), ("mail.example.jp", false), ("10.0.0.1", false),
        ])
    func loopbackAsWritten(host: String, loopback: Bool) {
        #expect(LoopbackHost.isLoopback(host) == loopback)
    }

    @Test func hostOfURL() {
        #expect(LoopbackHost.host(ofURL: "smtp://[::1]:25") == "::1")
        #expect(LoopbackHost.host(ofURL: "imaps://mail.example.jp:993/INBOX") == "mail.example.jp")
        #expect(LoopbackHost.host(ofURL: "smtp://user@127.0.0.1") == "127.0.0.1")
    }
}
