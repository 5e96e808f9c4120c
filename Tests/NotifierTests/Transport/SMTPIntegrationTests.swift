import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `notifier send` and the SMTP transport against real servers on 127.0.0.1: Postfix with STARTTLS, implicit TLS
/// and AUTH under a self-signed CA, and a server that misbehaves on purpose.
@Suite("SMTP against real servers", .serialized)
struct SMTPIntegrationTests {
    static func arguments(to recipient: String = "vendor@example.test") -> [String] {
        [
            "update_notice", "--from", "JKK東京 電子入札システム <nyusatsu@to-kousya.example>", "--to", recipient,
            "--var", "vendor_name=株式会社青葉建設", "--var", "vendor_code=5184962",
            "--var",
            "url=https://bid.to-kousya.example/cert/download?t=Smtp\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20))",
            "--var", "valid_from=2027-04-01", "--var", "valid_until=2028-03-31",
        ]
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
        var options =
            ["send"] + Self.arguments() + [
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
            ["send"] + Self.arguments() + [
                "--smtp", "smtps://localhost:\(port)", "--smtp-user", try TestServers.value("SMTP_USER"),
            ],
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

    /// The faulty server's log lines for a mode written while `body` ran, once `closes` connections have been
    /// logged as closed (the server reads what a client sent without waiting for replies in its own time).
    static func faultyLogLines(_ mode: String, closes: Int = 0, during body: () throws -> Void) throws -> [String] {
        let before = try TestServers.faultyLog(mode).count
        try body()
        var lines: [String] = []
        for _ in 0..<50 {
            lines = Array(try TestServers.faultyLog(mode).dropFirst(before))
            if lines.filter({ $0.hasSuffix(" CLOSE") }).count >= closes { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return lines
    }

    /// The faulty server's name for a mode, plain or offering PIPELINING.
    static func flavour(_ mode: String, pipelining: Bool) -> String {
        pipelining ? "\(mode)_PIPELINING" : mode
    }

    @Test(
        "a misbehaving server is classified right, within the timeout, with and without PIPELINING",
        arguments: [
            ("GREETING421", Int32(75), "421"), ("RCPT451", 75, "451"), ("RCPT550", 67, "550"),
            ("DATA552", 67, "552"), ("DATA451", 75, "451"), ("DROP_DATA", 75, "closed the connection"),
            ("STALL", 75, "Timeout"), ("STALL_DATA", 75, "Timeout"), ("MAIL530", 77, "530 5.7.0"),
        ],
        [false, true])
    func faults(fault: (mode: String, status: Int32, says: String), pipelining: Bool) throws {
        let mode = Self.flavour(fault.mode, pipelining: pipelining)
        let port = try TestServers.port("FAULTY_PORT_\(mode)")
        let started = Date()
        var result: CLI.Result?
        let lines = try Self.faultyLogLines(mode.lowercased()) {
            result = try CLI.run(
                ["send"] + Self.arguments() + [
                    "--smtp", "smtp://localhost:\(port)", "--timeout", "4", "--connect-timeout", "4",
                    "--ca-file", try TestServers.value("SMTP_CA_FILE"),
                ])
        }
        let outcome = try #require(result)
        #expect(outcome.status == fault.status, "\(mode): \(outcome.stderr)")
        #expect(outcome.stderr.contains(fault.says), "\(mode): \(outcome.stderr)")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(!lines.contains { $0.contains(" EARLY") }, "\(mode): \(lines)")
    }

    @Test func requiredTLSRefusesAServerWithoutSTARTTLS() throws {
        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        let before = try TestServers.faultyLog("notls")
        let required = try CLI.run(
            ["send"] + Self.arguments() + ["--smtp", "smtp://localhost:\(port)", "--smtp-tls", "required"])
        #expect(required.status == 69)
        #expect(required.stderr.contains("does not offer STARTTLS"))
        let mailCommands = try TestServers.faultyLog("notls").dropFirst(before.count).filter { $0.contains(" MAIL ") }
        #expect(mailCommands.isEmpty)
        // In the default mode (STARTTLS when offered) the same server gets the message.
        let auto = try CLI.run(["send"] + Self.arguments() + ["--smtp", "smtp://localhost:\(port)"])
        #expect(auto.status == 0, "\(auto.stderr)")
    }

    static func transport(_ mode: String) throws -> SMTPTransport {
        var settings = SMTPSettings(url: "smtp://localhost:\(try TestServers.port("FAULTY_PORT_\(mode)"))")
        settings.caFile = try TestServers.value("SMTP_CA_FILE")
        return SMTPTransport(settings: settings)
    }

    @Test(
        "many messages travel over one connection; with PIPELINING each announces the next", arguments: [false, true])
    func manyMessagesTravelOverOneConnection(pipelining: Bool) throws {
        let mode = Self.flavour("OK", pipelining: pipelining)
        let transport = try Self.transport(mode)
        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        let composer = Composer(store: TemplateStore(directory: nil), messageIDDomain: nil)
        let recipients = (0..<5).map { "v\($0)@example.test" }
        var meanwhiles = 0
        let lines = try Self.faultyLogLines(mode.lowercased()) {
            for (index, recipient) in recipients.enumerated() {
                let composed = try composer.compose(
                    template: .otpNotice, from: sender, to: [sender],
                    variables: ["otp": "AbCd\(1000 + index)", "expires_at": "2027-01-28T14:35:00+09:00"],
                    charset: .utf8,
                    strict: true)
                let next = recipients.dropFirst(index + 1).first.map {
                    Envelope(sender: sender.addrSpec, recipients: [$0])
                }
                let delivery = try transport.deliver(
                    composed.bytes, sender: sender.addrSpec, recipients: [recipient], announcing: next,
                    meanwhile: { meanwhiles += 1 })
                #expect(delivery.outcome == .sent, "\(delivery.reply)")
                #expect(delivery.reply.hasPrefix("250 2.0.0 Ok: queued as"), "\(delivery.reply)")
            }
            transport.close()
        }
        #expect(meanwhiles == 5)
        // With PIPELINING every MAIL went out with its RCPT and DATA behind it: the server found them waiting.
        #expect(lines.filter { $0.contains(" GROUPED MAIL") }.count == (pipelining ? 5 : 0), "\(lines)")
        #expect(lines.filter { $0.contains(" CONNECT") }.count == 1)
        #expect(lines.filter { $0.contains(" MAIL ") }.count == 5)
        #expect(lines.filter { $0.contains(" DATA-END ") }.count == 5)
        #expect(lines.contains { $0.hasSuffix(" QUIT") })
        #expect(!lines.contains { $0.contains(" EARLY") }, "\(lines)")
    }

    @Test("each recipient decides its own message on one connection", arguments: [false, true])
    func recipientDecidesPerMessageOnOneConnection(pipelining: Bool) throws {
        let mode = Self.flavour("RECIPIENT", pipelining: pipelining)
        let transport = try Self.transport(mode)
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let recipients = ["a@example.test", "b+451@example.test", "c+550@example.test", "d@example.test"]
        var outcomes: [Delivery] = []
        var meanwhiles: [String] = []
        let lines = try Self.faultyLogLines(mode.lowercased()) {
            for (index, recipient) in recipients.enumerated() {
                let next = recipients.dropFirst(index + 1).first.map {
                    Envelope(sender: "s@example.test", recipients: [$0])
                }
                outcomes.append(
                    try transport.deliver(
                        message, sender: "s@example.test", recipients: [recipient], announcing: next,
                        meanwhile: { meanwhiles.append(recipient) }))
            }
            transport.close()
        }
        #expect(outcomes.map(\.outcome) == [.sent, .transient, .permanent, .sent])
        #expect(outcomes.map(\.code) == [250, 451, 550, 250])
        #expect(outcomes[2].reply.contains("User unknown"))
        // Only a message that went to the server has a "meanwhile": the refused ones never got that far.
        #expect(meanwhiles == ["a@example.test", "d@example.test"])
        #expect(lines.filter { $0.contains(" CONNECT") }.count == 1)
        #expect(lines.filter { $0.contains(" DATA-END ") }.count == 2)
        #expect(!lines.contains { $0.contains(" EARLY") }, "\(lines)")
    }

    @Test func anAnnouncedMessageThatDoesNotComeIsNeverDelivered() throws {
        // The next envelope went out behind the first message and the server said 354 to it; then the caller
        // changed its mind. The only way out of DATA without a message is to drop the connection.
        let transport = try Self.transport("OK_PIPELINING")
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let lines = try Self.faultyLogLines("ok_pipelining", closes: 2) {
            let first = try transport.deliver(
                message, sender: "s@example.test", recipients: ["first@example.test"],
                announcing: Envelope(sender: "s@example.test", recipients: ["announced@example.test"]), meanwhile: {})
            let other = try transport.deliver(message, sender: "s@example.test", recipients: ["other@example.test"])
            #expect([first.outcome, other.outcome] == [.sent, .sent])
            transport.close()
        }
        #expect(lines.filter { $0.contains(" CONNECT") }.count == 2)
        // Three envelopes began (the announced one behind the first message), two messages arrived. How much of
        // the announced envelope the server read before it noticed the hang-up is its business.
        #expect(lines.filter { $0.contains(" MAIL ") }.count == 3)
        #expect(lines.filter { $0.contains(" DATA-END ") }.count == 2)
        let recipients = lines.filter { $0.contains(" RCPT ") }.map { $0.components(separatedBy: " ").last ?? "" }
        #expect(recipients.first == "TO:<first@example.test>" && recipients.last == "TO:<other@example.test>")
    }

    @Test func severalRecipientsGoOneCommandAtATimeAndAllOrNothing() throws {
        // A refused recipient must stop the message before DATA, pipelining or not: nobody gets it.
        let transport = try Self.transport("RECIPIENT_PIPELINING")
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        var outcomes: [Delivery] = []
        let lines = try Self.faultyLogLines("recipient_pipelining") {
            outcomes.append(
                try transport.deliver(
                    message, sender: "s@example.test", recipients: ["a@example.test", "b+550@example.test"]))
            outcomes.append(
                try transport.deliver(
                    message, sender: "s@example.test", recipients: ["a@example.test", "b@example.test"]))
            transport.close()
        }
        #expect(outcomes.map(\.outcome) == [.permanent, .sent])
        #expect(outcomes[0].code == 550)
        #expect(lines.filter { $0.contains(" DATA-END ") }.count == 1)
        #expect(lines.filter { $0.hasSuffix(" RSET") }.count == 1)
        #expect(lines.filter { $0.contains(" CONNECT") }.count == 1)
    }

    @Test("a server that hangs up after each message costs a connection, not a message", arguments: [false, true])
    func aServerThatHangsUpIsLeftForANewConnection(pipelining: Bool) throws {
        // The 421 comes unasked after the 250: either it is already there when the next message starts (the
        // connection is not used again), or it answers that message's MAIL (which then goes again on a new
        // connection: nothing of it was accepted). With PIPELINING the next envelope is already on its way.
        let mode = Self.flavour("HANGUP", pipelining: pipelining)
        let transport = try Self.transport(mode)
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let recipients = ["a@example.test", "b@example.test", "c@example.test"]
        var outcomes: [Delivery.Outcome] = []
        let lines = try Self.faultyLogLines(mode.lowercased()) {
            for (index, recipient) in recipients.enumerated() {
                let next = recipients.dropFirst(index + 1).first.map {
                    Envelope(sender: "s@example.test", recipients: [$0])
                }
                outcomes.append(
                    try transport.deliver(
                        message, sender: "s@example.test", recipients: [recipient], announcing: next, meanwhile: {}
                    ).outcome)
            }
            transport.close()
        }
        #expect(outcomes == [.sent, .sent, .sent])
        #expect(lines.filter { $0.contains(" CONNECT") }.count == 3)
        #expect(lines.filter { $0.contains(" DATA-END ") }.count == 3)
    }
}
