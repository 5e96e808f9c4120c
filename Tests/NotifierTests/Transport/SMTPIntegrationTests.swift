import Foundation
import MailParse
import Testing

@testable import Notifier

/// `notifier send` and the SMTP transport against real servers on 127.0.0.1: Postfix with STARTTLS, implicit TLS
/// and AUTH under a self-signed CA, and a server that misbehaves on purpose.
@Suite("SMTP against real servers", .serialized)
struct SMTPIntegrationTests {
    static func arguments(to recipient: String = "vendor@example.test") -> [String] {
        ["update_notice", "--from", "JKK東京 電子入札システム <nyusatsu@to-kousya.example>", "--to", recipient,
         "--var", "vendor_name=株式会社青葉建設", "--var", "vendor_code=5184962",
         "--var", "url=https://bid.to-kousya.example/cert/download?t=Smtp\(UUID().uuidString.prefix(8))",
         "--var", "valid_from=2027-04-01", "--var", "valid_until=2028-03-31"]
    }

    static func messageID(_ output: String) -> String? {
        guard let open = output.range(of: "Message-ID <"), let close = output[open.upperBound...].firstIndex(of: ">")
        else { return nil }
        return String(output[open.upperBound..<close])
    }

    @Test("STARTTLS and AUTH with a private CA, and implicit TLS", arguments: ["smtp", "smtps"])
    func postfixAcceptsTheMessage(scheme: String) throws {
        let port = try TestServers.port(scheme == "smtp" ? "SMTP_PLAIN_PORT" : "SMTP_SUBMISSIONS_PORT")
        let password = try TestServers.value("SMTP_PASSWORD")
        var options = ["send"] + Self.arguments() + [
            "--smtp", "\(scheme)://localhost:\(port)", "--smtp-user", try TestServers.value("SMTP_USER"),
            "--ca-file", try TestServers.value("SMTP_CA_FILE"),
        ]
        if scheme == "smtp" { options += ["--smtp-tls", "required"] }
        let result = try CLI.run(options, environment: ["NOTIFIER_SMTP_PASSWORD": password])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sent: 250 "))
        let id = try #require(Self.messageID(result.stdout))
        let delivered = try TestServers.delivered(containing: id)
        #expect(delivered.count == 1)
        let notice = NoticeReader.read(try #require(delivered.first))
        #expect(notice.kind == .updateNotice && notice.trusted && notice.vendorCode == "5184962")
        #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
    }

    @Test func certificatesAreVerifiedByDefault() throws {
        // The same server without --ca-file: its certificate is from an unknown CA, so nothing is sent.
        let port = try TestServers.port("SMTP_SUBMISSIONS_PORT")
        let result = try CLI.run(
            ["send"] + Self.arguments() + ["--smtp", "smtps://localhost:\(port)", "--smtp-user", try TestServers.value("SMTP_USER")],
            environment: ["NOTIFIER_SMTP_PASSWORD": try TestServers.value("SMTP_PASSWORD")])
        #expect(result.status == 69)
        #expect(result.stderr.contains("unavailable"))
    }

    @Test func wrongPasswordIsALoginFailureAndNeverShown() throws {
        let port = try TestServers.port("SMTP_PLAIN_PORT")
        let wrong = "Wr0ng-\(UUID().uuidString)"
        let result = try CLI.run(
            ["send"] + Self.arguments(to: "someone@elsewhere.test") + [
                "--smtp", "smtp://localhost:\(port)", "--smtp-user", try TestServers.value("SMTP_USER"),
                "--ca-file", try TestServers.value("SMTP_CA_FILE"),
            ], environment: ["NOTIFIER_SMTP_PASSWORD": wrong])
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("535"))
        #expect(!result.stderr.contains(wrong) && !result.stdout.contains(wrong))
        let log = (try? String(contentsOfFile: try TestServers.value("SMTP_LOG"), encoding: .utf8)) ?? ""
        #expect(!log.contains(wrong))
    }

    @Test func unknownRecipientIsRefusedForGood() throws {
        let port = try TestServers.port("SMTP_PLAIN_PORT")
        let result = try CLI.run(
            ["send"] + Self.arguments(to: try TestServers.value("SMTP_UNKNOWN_RECIPIENT")) + [
                "--smtp", "smtp://localhost:\(port)", "--ca-file", try TestServers.value("SMTP_CA_FILE"),
            ])
        #expect(result.status == 67, "\(result.stderr)")
        #expect(result.stderr.contains("permanent: 550"))
    }

    @Test(
        "a misbehaving server is classified right, within the timeout",
        arguments: [("GREETING421", Int32(75), "421"), ("RCPT451", 75, "451"), ("RCPT550", 67, "550"),
                    ("DATA552", 67, "552"), ("DATA451", 75, "451"), ("DROP_DATA", 75, "Failure when receiving"),
                    ("STALL", 75, "Timeout"), ("STALL_DATA", 75, "Timeout")])
    func faults(mode: String, status: Int32, says: String) throws {
        let port = try TestServers.port("FAULTY_PORT_\(mode)")
        let started = Date()
        let result = try CLI.run(
            ["send"] + Self.arguments() + [
                "--smtp", "smtp://localhost:\(port)", "--timeout", "4", "--connect-timeout", "4",
                "--ca-file", try TestServers.value("SMTP_CA_FILE"),
            ])
        #expect(result.status == status, "\(mode): \(result.stderr)")
        #expect(result.stderr.contains(says), "\(mode): \(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test func requiredTLSRefusesAServerWithoutSTARTTLS() throws {
        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        let before = try TestServers.faultyLog("notls")
        let required = try CLI.run(["send"] + Self.arguments() + ["--smtp", "smtp://localhost:\(port)", "--smtp-tls", "required"])
        #expect(required.status == 69)
        #expect(required.stderr.contains("does not offer STARTTLS"))
        let mailCommands = try TestServers.faultyLog("notls").dropFirst(before.count).filter { $0.contains(" MAIL ") }
        #expect(mailCommands.isEmpty)
        // In the default mode (STARTTLS when offered) the same server gets the message.
        let auto = try CLI.run(["send"] + Self.arguments() + ["--smtp", "smtp://localhost:\(port)"])
        #expect(auto.status == 0, "\(auto.stderr)")
    }

    @Test func manyMessagesTravelOverOneConnection() throws {
        let port = try TestServers.port("FAULTY_PORT_OK")
        let before = try TestServers.faultyLog("ok")
        var settings = SMTPSettings(url: "smtp://localhost:\(port)")
        settings.caFile = try TestServers.value("SMTP_CA_FILE")
        let transport = try SMTPTransport(settings: settings)
        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        let composer = Composer(store: TemplateStore(directory: nil), messageIDDomain: nil)
        for index in 0..<5 {
            let composed = try composer.compose(
                template: "otp_notice", from: sender, to: [sender],
                variables: ["otp": "AbCd\(1000 + index)", "expires_at": "2027-01-28T14:35:00+09:00"], charset: .utf8,
                strict: true)
            let delivery = try transport.deliver(composed.bytes, sender: sender.addrSpec, recipients: ["v\(index)@example.test"])
            #expect(delivery.outcome == .sent, "\(delivery.reply)")
        }
        let lines = try TestServers.faultyLog("ok").dropFirst(before.count)
        #expect(lines.filter { $0.contains(" CONNECT") }.count == 1)
        #expect(lines.filter { $0.contains(" MAIL ") }.count == 5)
    }

    @Test func recipientDecidesPerMessageOnOneConnection() throws {
        let port = try TestServers.port("FAULTY_PORT_RECIPIENT")
        var settings = SMTPSettings(url: "smtp://localhost:\(port)")
        settings.caFile = try TestServers.value("SMTP_CA_FILE")
        let transport = try SMTPTransport(settings: settings)
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let outcomes = try ["a@example.test", "b+451@example.test", "c+550@example.test", "d@example.test"].map {
            try transport.deliver(message, sender: "s@example.test", recipients: [$0])
        }
        #expect(outcomes.map(\.outcome) == [.sent, .transient, .permanent, .sent])
        #expect(outcomes.map(\.code) == [250, 451, 550, 250])
    }
}
