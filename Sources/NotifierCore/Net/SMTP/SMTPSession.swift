import Foundation

/// One SMTP connection. libcurl connects it (TCP, smtps:// or STARTTLS, the certificate check, EHLO and AUTH: with
/// CURLOPT_CONNECT_ONLY it stops there); the mail transactions are notifier's own, because libcurl speaks them in
/// lockstep, one round trip per command, and cannot pipeline. When the server offers PIPELINING (RFC 2920), a
/// message's MAIL, RCPT and DATA go out in one write, and the next message's envelope rides behind the final dot of
/// the one before: one round trip a message instead of four.
///
/// After a failure of the connection itself (closed, timed out, a reply that cannot be read, a 421) the session is
/// `broken` and must not be used again.
/// - SeeAlso: RFC 5321 §3.3 (mail transactions) and §4.5.2 (dot-stuffing), RFC 2920 (pipelining)
final class SMTPSession {
    /// Why a session could not be had or went wrong: the delivery to report for the message.
    package struct Failure: Error {
        let delivery: Delivery
    }

    let settings: SMTPSettings
    /// The EHLO keywords the server offered (after STARTTLS, if any), in capitals.
    let capabilities: Set<String>
    private let handle: EasyHandle
    private let stream: CurlStream
    private var reader = SMTPReplyReader()
    /// The envelope whose MAIL, RCPT and DATA were sent behind the last message, their replies not read yet.
    private(set) var announced: Envelope?
    private(set) var broken = false
    /// How many transactions this connection has finished, delivered or refused (a connection that carried some
    /// may have gone stale since).
    private(set) var transactions = 0
    /// Whether the current transaction got as far as sending the message (after which it may have arrived even if
    /// its reply did not).
    private(set) var reachedData = false

    var pipelining: Bool { capabilities.contains("PIPELINING") }

    /// Connects and logs in. Throws `Failure` with the delivery to report when that fails.
    init(settings: SMTPSettings) throws(Failure) {
        self.settings = settings
        // Before each connection: a token or password command runs now. Its failure is the login's (exit 77).
        let credentials: Credentials?
        do {
            credentials = try settings.login?.credentials()
        } catch {
            throw Failure(delivery: Delivery(outcome: .authentication, code: nil, reply: error.message))
        }
        do {
            handle = try EasyHandle()
            try handle.connectOnly(
                url: settings.url, requireTLS: settings.requiresTLS, caFile: settings.caFile,
                credentials: credentials, connectTimeout: settings.connectTimeout,
                responseTimeout: settings.responseTimeout)
        } catch {
            throw Failure(delivery: Delivery(outcome: .transient, code: nil, reply: Self.describe(error)))
        }
        do {
            try handle.perform()
        } catch {
            throw Failure(
                delivery: Self.classify(
                    error, responseCode: handle.responseCode, lines: handle.serverLines,
                    forLogin: settings.requiresTLSForLogin, url: settings.url))
        }
        guard let stream = CurlStream(connected: handle) else {
            throw Failure(
                delivery: Delivery(outcome: .transient, code: nil, reply: "libcurl holds no connection after EHLO"))
        }
        self.stream = stream
        capabilities = Self.capabilities(in: handle.serverLines)
        // libcurl logs in only when the server offers AUTH, and otherwise goes on without a word (RFC 4954 §3: a
        // server need not offer it). A user who asked to log in did not ask to send anonymously.
        if let user = settings.login?.user,
            !capabilities.contains(where: { $0 == "AUTH" || $0.hasPrefix("AUTH=") })
        {
            broken = true
            stream.abandon()
            throw Failure(
                delivery: Delivery(
                    outcome: .authentication, code: nil,
                    reply:
                        "the server offers no AUTH, so --smtp-user \(user.replacingControlCharacters()) cannot log in and nothing was sent: "
                        + "check smtp_url (a submission port offers AUTH, often after STARTTLS), or drop --smtp-user "
                        + "and smtp_user if this server takes mail without a login"))
        }
    }

    deinit { close() }

    /// Says QUIT and waits a moment for the answer (not with a message half sent: the connection is just dropped,
    /// and the server throws the unfinished message away); then ends the connection.
    func close() {
        if !broken && announced == nil {
            broken = true
            if (try? stream.send(Array("QUIT\r\n".utf8), stall: .seconds(2))) != nil {
                _ = try? reply(after: "QUIT", until: .now + .seconds(2))
            }
        }
        abandon()
    }

    /// Drops the connection without QUIT (one that went stale, or waits for a message that is not coming).
    func abandon() {
        broken = true
        stream.abandon()
    }

    /// Whether the server has said something unasked or hung up since the last exchange (a 421 before closing an
    /// idle connection): such a connection is not used for a new message.
    var isStale: Bool {
        broken || (announced == nil && (reader.hasBufferedInput || stream.hasUnsolicitedInput))
    }

    /// One mail transaction. `next`, when the server pipelines and the envelope has one recipient, is announced
    /// behind this message's final dot: the caller promises that the next transaction on this session is for it.
    /// `meanwhile` runs once the message is on its way, while the server has it (not at all when the message is
    /// refused before). Throws `Failure` when the connection failed (the session is then broken); a refusal is a
    /// returned delivery.
    func send(
        _ message: [UInt8], envelope: Envelope, announcing next: Envelope?, meanwhile: () -> Void = {}
    ) throws(Failure) -> Delivery {
        precondition(!broken, "a broken SMTP session was used again")
        let delivery = try transaction(message, envelope: envelope, announcing: next, meanwhile: meanwhile)
        transactions += 1
        return delivery
    }

    private func transaction(
        _ message: [UInt8], envelope: Envelope, announcing next: Envelope?, meanwhile: () -> Void
    ) throws(Failure) -> Delivery {
        let deadline = ContinuousClock.now + .seconds(settings.timeout)
        if let announced, announced != envelope {
            throw fail("the next message was announced for \(announced.recipients) but \(envelope.recipients) came")
        }
        reachedData = false
        let data = Self.stuffed(message)
        let pipelined = announced != nil || (pipelining && envelope.recipients.count == 1)
        if pipelined {
            if announced == nil { try write(try commands(for: envelope), until: deadline) }
            announced = nil
            if let refusal = try envelopeReplies(recipients: envelope.recipients.count, deadline: deadline) {
                return refusal
            }
        } else if let refusal = try lockstepEnvelope(envelope, deadline: deadline) {
            return refusal
        }
        var group = data
        if let next, pipelining, next.recipients.count == 1, let nextCommands = try? commands(for: next) {
            group += nextCommands
            announced = next
        }
        reachedData = true
        try write(group, until: deadline)
        meanwhile()
        let final = try reply(after: "the end of the message", until: deadline)
        return try delivery(for: final, to: .endOfData)
    }

    // MARK: - The envelope

    /// `MAIL FROM`, one `RCPT TO` a recipient and `DATA`, as one group of lines. Throws when an address could
    /// smuggle a command (CR, LF, angle brackets) or needs SMTPUTF8 the server does not offer.
    private func commands(for envelope: Envelope) throws(Failure) -> [UInt8] {
        var utf8 = false
        for address in [envelope.sender] + envelope.recipients {
            if address.replacingControlCharacters() != address
                || address.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") })
            {
                throw Failure(
                    delivery: Delivery(
                        outcome: .permanent, code: nil,
                        reply: "not an address SMTP can carry: \(address.replacingControlCharacters())"))
            }
            if !address.utf8.allSatisfy({ $0 < 0x80 }) { utf8 = true }
        }
        if utf8 && !capabilities.contains("SMTPUTF8") {
            throw Failure(
                delivery: Delivery(
                    outcome: .permanent, code: nil,
                    reply:
                        "the server does not offer SMTPUTF8, which the address \(envelope.recipients.first ?? envelope.sender) needs"
                ))
        }
        var text = "MAIL FROM:<\(envelope.sender)>\(utf8 ? " SMTPUTF8" : "")\r\n"
        for recipient in envelope.recipients { text += "RCPT TO:<\(recipient)>\r\n" }
        text += "DATA\r\n"
        return Array(text.utf8)
    }

    /// Reads the replies to a pipelined MAIL, RCPT… and DATA: nil when the server waits for the message (354),
    /// else the refusal to report. RFC 2920 §3.1: every reply is read, and a DATA accepted despite a refused
    /// recipient gets a lone dot (no message) rather than this message.
    private func envelopeReplies(recipients: Int, deadline: ContinuousClock.Instant) throws(Failure) -> Delivery? {
        var refusal: (reply: SMTPReply, command: Command)?
        let mail = try reply(after: "MAIL FROM", until: deadline)
        if mail.code != 250 { refusal = (mail, .mail) }
        for _ in 0..<recipients {
            let rcpt = try reply(after: "RCPT TO", until: deadline)
            if refusal == nil && !(rcpt.code == 250 || rcpt.code == 251) { refusal = (rcpt, .rcpt) }
        }
        let data = try reply(after: "DATA", until: deadline)
        if let refusal {
            if data.code == 354 {
                try write(Array(".\r\n".utf8), until: deadline)
                _ = try reply(after: "an empty message", until: deadline)
            } else if mail.code == 250 {
                try reset(deadline: deadline)
            }
            return try delivery(for: refusal.reply, to: refusal.command)
        }
        if data.code == 354 { return nil }
        try reset(deadline: deadline)
        return try delivery(for: data, to: .data)
    }

    /// MAIL, each RCPT and DATA one at a time: for servers without PIPELINING, and for several recipients (a
    /// refused one stops the message before DATA, so nobody gets it: all or nothing, as before).
    private func lockstepEnvelope(_ envelope: Envelope, deadline: ContinuousClock.Instant) throws(Failure) -> Delivery?
    {
        let lines = try commands(for: envelope).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        for (index, line) in lines.enumerated() {
            try write(Array(line) + [UInt8(ascii: "\n")], until: deadline)
            let isData = index == lines.count - 1
            let answer = try reply(after: index == 0 ? "MAIL FROM" : isData ? "DATA" : "RCPT TO", until: deadline)
            let expected = isData ? [354] : index == 0 ? [250] : [250, 251]
            if !expected.contains(answer.code) {
                if index > 0 { try reset(deadline: deadline) }
                return try delivery(for: answer, to: index == 0 ? .mail : isData ? .data : .rcpt)
            }
        }
        return nil
    }

    private func reset(deadline: ContinuousClock.Instant) throws(Failure) {
        try write(Array("RSET\r\n".utf8), until: deadline)
        let answer = try reply(after: "RSET", until: deadline)
        if answer.code != 250 { throw fail("RSET answered \(answer.summary)") }
    }

    // MARK: - Replies and bytes

    private enum Command {
        case mail, rcpt, data, endOfData

        /// The reply that lets the transaction go on.
        var expected: Int { self == .data ? 354 : 250 }
    }

    /// What a reply to `command` means for the message: the expected one lets it go on; 4xx transient, 5xx
    /// permanent, but a 530 to MAIL (RFC 4954 §6: authentication required) is the configuration's fault, not the
    /// message's.
    private func delivery(for reply: SMTPReply, to command: Command) throws(Failure) -> Delivery {
        switch reply.code {
        case command.expected: return Delivery(outcome: .sent, code: reply.code, reply: reply.summary)
        case 530 where command == .mail:
            return Delivery(outcome: .authentication, code: reply.code, reply: reply.summary)
        case 400..<500: return Delivery(outcome: .transient, code: reply.code, reply: reply.summary)
        case 500..<600: return Delivery(outcome: .permanent, code: reply.code, reply: reply.summary)
        default: throw fail("unexpected reply \(reply.summary)")
        }
    }

    /// The next reply: the server may pause `responseTimeout` seconds at most, and the message's time runs out at
    /// `deadline`. A 421, whatever it answers, means the server is closing the connection (RFC 5321 §3.8): it ends
    /// the session, with the server's words as the message's transient failure.
    private func reply(after step: String, until deadline: ContinuousClock.Instant) throws(Failure) -> SMTPReply {
        while true {
            let next: SMTPReply?
            do { next = try reader.next() } catch { throw fail("an unreadable reply after \(step): \(error.reason)") }
            if let next {
                guard next.code != 421 else {
                    abandon()
                    throw Failure(delivery: Delivery(outcome: .transient, code: 421, reply: next.summary))
                }
                return next
            }
            let limit = min(deadline, .now + .seconds(settings.responseTimeout))
            let arrived: Bool
            do {
                arrived = try stream.receive(until: limit) { reader.append($0) }
            } catch {
                throw fail("\(error.reason) after \(step)")
            }
            if !arrived {
                throw fail("Timeout: no reply after \(step) within \(settings.responseTimeout) s")
            }
        }
    }

    private func write(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws(Failure) {
        do {
            try stream.send(bytes, stall: .seconds(settings.responseTimeout), until: deadline)
        } catch {
            throw fail(
                error == .timeout
                    ? "Timeout: the server took nothing for \(settings.responseTimeout) s, or the message's \(settings.timeout) s ran out"
                    : "\(error.reason) while sending")
        }
    }

    /// Marks the session broken (the connection is dropped) and returns the transient failure to throw.
    private func fail(_ why: String) -> Failure {
        abandon()
        return Failure(delivery: Delivery(outcome: .transient, code: nil, reply: why.replacingControlCharacters()))
    }

    /// The message as DATA carries it (RFC 5321 §4.5.2): lines ending in CRLF (a bare LF or CR becomes CRLF), a dot
    /// doubled at the start of a line, then the final `.` line.
    static func stuffed(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 8)
        var lineStart = true
        var index = 0
        let count = message.count
        while index < count {
            let byte = message[index]
            if lineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            switch byte {
            case UInt8(ascii: "\r"):
                out.append(UInt8(ascii: "\r"))
                out.append(UInt8(ascii: "\n"))
                if index + 1 < count && message[index + 1] == UInt8(ascii: "\n") { index += 1 }
                lineStart = true
            case UInt8(ascii: "\n"):
                out.append(UInt8(ascii: "\r"))
                out.append(UInt8(ascii: "\n"))
                lineStart = true
            default:
                out.append(byte)
                lineStart = false
            }
            index += 1
        }
        if !lineStart { out += [UInt8(ascii: "\r"), UInt8(ascii: "\n")] }
        out += [UInt8(ascii: "."), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        return out
    }

    /// The keywords of the last EHLO reply among the lines libcurl saw while connecting (the one after STARTTLS
    /// when there was one): `250-PIPELINING` gives `PIPELINING`.
    static func capabilities(in lines: [String]) -> Set<String> {
        var reader = SMTPReplyReader()
        var last: SMTPReply?
        for line in lines {
            reader.append(ArraySlice(Array((line + "\r\n").utf8)))
            while let reply = try? reader.next() {
                if reply.code == 250 { last = reply }
            }
        }
        guard let last else { return [] }
        return Set(last.lines.dropFirst().compactMap { $0.split(separator: " ").first.map { $0.uppercased() } })
    }

    private static func describe(_ error: Error) -> String {
        error.personMessage
    }

    /// Turns a failed connect (libcurl's code and the server's last lines) into the delivery to report.
    /// `forLogin`: TLS was required only because a password would otherwise go in clear (`--smtp-tls auto`).
    static func classify(
        _ failure: EasyHandle.ConnectFailure, responseCode: Int, lines: [String], forLogin: Bool = false,
        url: String = ""
    ) -> Delivery {
        let replies = lines.filter { $0.count >= 3 && $0.prefix(3).allSatisfy(\.isNumber) }
        // After a refusal libcurl says QUIT and the server "221 Bye": the refusal is the reply that counts.
        let last = (replies.last { $0.first == "4" || $0.first == "5" } ?? replies.last).map {
            $0.replacingControlCharacters()
        }
        let replyCode = last.flatMap { Int($0.prefix(3)) } ?? (responseCode > 0 ? responseCode : nil)
        let why = failure.reason
        // Every reply names the server it is about: `mail.example.jp:587: Couldn't connect to server`.
        let address = ServerAddress.hostAndPort(ofURL: url)
        let place = address.map { "\($0): " } ?? ""
        switch failure.kind {
        case .loginDenied:
            return Delivery(outcome: .authentication, code: replyCode, reply: place + (last ?? why))
        case .tlsRequired where forLogin:
            let host = LoopbackHost.host(ofURL: url) ?? "HOST"
            let refusal =
                "\(place)the server does not offer STARTTLS\(offered(lines)), so the password of --smtp-user would go "
                + "out in clear; nothing was sent: use smtps://\(host) (TLS from the start), or --smtp-tls none "
                + "(smtp_tls = none) to allow a login in clear on purpose"
            return Delivery(outcome: .unavailable, code: replyCode, reply: refusal)
        case .tlsRequired:
            let refusal =
                "\(place)the server does not offer STARTTLS\(offered(lines)), and --smtp-tls required refuses to send "
                + "in clear; nothing was sent: have the server offer STARTTLS, use smtps:// if it takes TLS from the "
                + "start, or --smtp-tls auto (smtp_tls = auto) to send in clear to this server on purpose"
            return Delivery(outcome: .unavailable, code: replyCode, reply: refusal)
        case .noServer:
            let connect = address.map { "cannot connect to \($0): " } ?? ""
            return Delivery(
                outcome: .unavailable, code: replyCode, reply: connect + (last.map { "\(why): \($0)" } ?? why))
        case .timeout, .other:
            // A 4xx greeting, a timeout, a broken connection: the server may take the message later.
            if let replyCode, (500..<600).contains(replyCode), failure.kind != .timeout {
                return Delivery(
                    outcome: .unavailable, code: replyCode, reply: place + (last.map { "\(why): \($0)" } ?? why))
            }
            return Delivery(
                outcome: .transient, code: replyCode, reply: place + (last.map { "\(why) after: \($0)" } ?? why))
        }
    }

    /// ` (it offers PIPELINING, SIZE, 8BITMIME)`: what the last EHLO reply offered, in words, or nothing when the
    /// server sent no EHLO reply.
    private static func offered(_ lines: [String]) -> String {
        let keywords = capabilities(in: lines).sorted().map { $0.replacingControlCharacters() }
        guard !keywords.isEmpty else { return "" }
        return " (it offers \(keywords.prefix(12).joined(separator: ", ")))"
    }
}
