import Foundation
import MailParse

/// What the vendor side does with each message, whatever mailbox it came from: a trusted update notice goes into
/// the URL vault, a trusted OTP notice that has not expired is relayed to the installers, an untrusted notice is
/// reported with its reason in words (suspected phishing only for look-alike hosts, spoofed display names and links
/// whose text shows another host) and never stored or relayed. Every message is marked handled, so it is handled
/// once; one whose relay failed is not, so it is tried again while its code is still valid. What it meets (a
/// suspected phishing, a relay, an expired code) is said through `diagnostics` once the message's decision is
/// committed; the relay itself is `OTPRelay`'s.
package final class VendorPipeline {
    package struct Settings {
        package var trust: TrustPolicy
        /// Installers who get the OTP by mail.
        package var relayTo: [Mailbox] = []
        /// A command that gets the OTP as a JSON object on its standard input.
        package var relayCommand: String?
        /// Seconds the relay command may take before its process group is killed.
        package var relayTimeout: Double = 30
        /// notifier's environment, of which the relay command gets only `RelayCommand.passedVariables`.
        package var environment: [String: String] = [:]
        /// The From of relay mail.
        package var relayFrom: Mailbox?
        /// Makes the transport for relay mail (only asked for when there is something to relay).
        package var transport: (() throws -> MessageTransport)?
        package var templates = TemplateStore(directory: nil)
        package var charset: OutgoingMessage.BodyCharset = .utf8
        var now: () -> Date = { Date() }

        package init(
            trust: TrustPolicy,
            relayTo: [Mailbox] = [],
            relayCommand: String? = nil,
            relayTimeout: Double = 30,
            environment: [String: String] = [:],
            relayFrom: Mailbox? = nil,
            transport: (() throws -> MessageTransport)? = nil,
            templates: TemplateStore = TemplateStore(directory: nil),
            charset: OutgoingMessage.BodyCharset = .utf8,
            now: @escaping () -> Date = { Date() }
        ) {
            self.trust = trust
            self.relayTo = relayTo
            self.relayCommand = relayCommand
            self.relayTimeout = relayTimeout
            self.environment = environment
            self.relayFrom = relayFrom
            self.transport = transport
            self.templates = templates
            self.charset = charset
            self.now = now
        }

        /// The relay's part of these settings.
        var relay: OTPRelay.Settings {
            OTPRelay.Settings(
                relayTo: relayTo, command: relayCommand, timeout: relayTimeout, environment: environment,
                from: relayFrom,
                transport: transport, templates: templates, charset: charset)
        }
    }

    package enum Decision: String {
        /// `unrelayed`: a fresh OTP, but no --relay-to or --relay-command was given. `implausible`: an OTP whose
        /// expiry is further from its Date or its arrival than any issuer's OTP lives (never relayed, never
        /// superseding anything).
        /// `oversized`: larger than --max-message-size, never read (an IMAP source decides it, not the pipeline).
        case stored, duplicate, relayed, unrelayed, expired, superseded, implausible, untrusted, other, oversized

        /// What a trusted notice was decided: only these claim a Message-ID against later trusted messages.
        static let trusted: [Decision] = [.stored, .relayed, .unrelayed, .expired, .superseded]
    }

    let settings: Settings
    let vault: VaultStore
    let relay: OTPRelay
    let diagnostics: Diagnostics

    package init(settings: Settings, database: Database, diagnostics: Diagnostics) {
        self.settings = settings
        vault = VaultStore(database: database)
        relay = OTPRelay(settings: settings.relay)
        self.diagnostics = diagnostics
    }

    /// A line for the person running notifier, said once its message's decision is committed (never for a
    /// message whose transaction was rolled back: it is handled, and said, again).
    private struct Said {
        let level: Diagnostics.Level
        package let text: String
    }

    /// A message read and judged, its bytes let go: a watcher reads a large mailbox one message at a time.
    package struct Judged {
        let source: String
        let key: String
        let notice: Notice
        /// Its Message-ID, or a digest of its bytes.
        let identity: String
        /// The junk folder's name when it was found there.
        var junkFolder: String? = nil
    }

    /// Reads and judges one message.
    package func read(_ message: RawMessage) -> Judged {
        let notice = NoticeReader.read(message.bytes, trust: settings.trust)
        return Judged(
            source: message.source, key: message.key, notice: notice,
            identity: MessageIdentity.of(message.bytes, messageID: notice.messageID), junkFolder: message.junkFolder)
    }

    /// Handles a batch of messages judged; among its trusted, unexpired OTP notices only the newest is relayed.
    /// Messages handled before are skipped (nil). A relay failure is thrown after the rest of the batch has been
    /// handled.
    ///
    /// Each message is decided in one write transaction (BEGIN IMMEDIATE): whether it was handled before, by any
    /// process, the relay of its OTP, and the mark that it was handled. Another notifier handling the same message,
    /// or a newer OTP, at the same moment waits for that transaction and then finds it handled, so an OTP is relayed
    /// once and never after a newer one. A relay that fails rolls its transaction back: the message stays
    /// unhandled, to be relayed on the next try.
    package func handle(_ notices: [Judged]) throws -> [Decision?] {
        var decisions: [Decision?] = Array(repeating: nil, count: notices.count)
        let now = settings.now()
        let newestOTP = notices.filter { $0.notice.kind == .otp && isActionable($0.notice, now: now) }
            .compactMap { $0.notice.expiresAt?.instant }.filter { $0 > now }.max()
        var firstError: Error?
        for (index, message) in notices.enumerated() {
            var said: [Said] = []
            do {
                decisions[index] = try vault.database.transaction { () throws -> Decision? in
                    if try vault.wasHandled(source: message.source, key: message.key) { return nil }
                    // The same message under another name (a copy, or new UIDs after a UIDVALIDITY change): noted,
                    // not handled again — no second relay, no second report. A trusted notice is a copy only of a
                    // trusted one: an untrusted message never claims a Message-ID.
                    if try vault.wasHandled(
                        messageID: message.identity, asTrusted: isActionable(message.notice, now: now))
                    {
                        try vault.markHandled(
                            source: message.source, key: message.key, messageID: message.identity, decision: .duplicate,
                            at: now)
                        return .duplicate
                    }
                    return try decide(message, newestOTP: newestOTP, now: now, said: &said)
                }
                for line in said { diagnostics.say(line.level, line.text) }
                if let folder = message.junkFolder, let decision = decisions[index] {
                    reportJunk(message, folder: folder, decision: decision)
                }
            } catch let error as OTPRelay.RelayError {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return decisions
    }

    /// What becomes of one message not handled before; runs inside its transaction.
    private func decide(_ message: Judged, newestOTP: Date?, now: Date, said: inout [Said]) throws -> Decision {
        let notice = message.notice
        let identity = message.identity
        let sender = notice.from?.addrSpec ?? "(no From)"
        // A bounce is nothing the vendor side acts on: it is handled as any other mail.
        if notice.kind == .other || notice.kind == .bounce {
            try vault.markHandled(
                source: message.source, key: message.key, messageID: identity, decision: .other, at: now)
            return .other
        }
        if notice.implausibleExpiry || (notice.trusted && !isActionable(notice, now: now)) {
            said.append(
                Said(
                    level: .warning,
                    text: "an implausible OTP notice, not relayed: \(message.key) from \(sender): its expiry "
                        + "\(notice.expiresAt?.description ?? "") is more than \(Int(OTPPlausibility.validity / 60)) minutes "
                        + "after the mail was sent or arrived, and the issuer's OTPs are valid for 30 minutes"))
            try vault.markHandled(
                source: message.source, key: message.key, messageID: identity, decision: .implausible, at: now)
            return .implausible
        }
        guard notice.trusted else {
            let what =
                notice.suspectedPhishing
                ? "suspected phishing" : "not trusted (\(notice.reason?.rawValue ?? "untrusted"))"
            said.append(
                Said(
                    level: .warning,
                    text: "\(what), not stored or relayed: \(message.key) from \(sender): "
                        + (notice.distrustReason ?? "not trusted")))
            try vault.markHandled(
                source: message.source, key: message.key, messageID: identity, decision: .untrusted, at: now)
            return .untrusted
        }
        switch notice.kind {
        case .updateNotice:
            guard let code = notice.vendorCode.flatMap(VendorCode.init(rawValue:)), let url = notice.url else {
                said.append(
                    Said(
                        level: .warning,
                        text: "a trusted notice without a vendor code or URL, not stored: \(message.key)"))
                try vault.markHandled(
                    source: message.source, key: message.key, messageID: identity, decision: .other, at: now)
                return .other
            }
            let year =
                notice.validFrom.flatMap(RenewalCalendar.fiscalYear(of:)) ?? RenewalCalendar.comingFiscalYear(at: now)
            for note in notice.notes { said.append(Said(level: .notice, text: "\(message.key): \(note)")) }
            let stored = try vault.store(
                vendorCode: code, fiscalYear: year, validFrom: notice.validFrom?.description,
                validUntil: notice.validUntil?.description, url: url, messageID: identity, sender: sender,
                receivedAt: now, sentAt: notice.sentAt)
            try vault.markHandled(
                source: message.source, key: message.key, messageID: identity, decision: stored ? .stored : .duplicate,
                at: now)
            return stored ? .stored : .duplicate
        case .otp:
            guard let expiry = notice.expiresAt?.instant, let code = notice.otp else {
                // An OTP line without an expiry (or the reverse): nothing to act on, and not to be read again.
                try vault.markHandled(
                    source: message.source, key: message.key, messageID: identity, decision: .other, at: now)
                return .other
            }
            let sighting: OTPSightingState
            var relayedTo: String?
            if expiry <= now {
                sighting = .expired
                said.append(
                    Said(
                        level: .notice,
                        text: "OTP notice \(message.key) expired at \(notice.expiresAt?.description ?? ""): not relayed"
                    ))
            } else if let newest = newestOTP, expiry < newest {
                sighting = .superseded
            } else if let relayed = try vault.latestRelayedExpiry(), expiry < relayed {
                sighting = .superseded
            } else if !relay.hasTargets {
                sighting = .unrelayed
                said.append(
                    Said(
                        level: .warning,
                        text: "a fresh OTP notice \(message.key) (valid until "
                            + "\(notice.expiresAt?.description ?? "")) was not relayed: give --relay-to ADDR or --relay-command CMD"
                    ))
            } else {
                relayedTo = try relay.relay(code: code, expiresAt: expiry, notice: notice, now: now)
                sighting = .relayed
                said.append(
                    Said(
                        level: .notice,
                        text: "OTP relayed to \(relayedTo ?? ""), valid until \(notice.expiresAt?.description ?? "")"))
            }
            try vault.recordOTP(
                messageID: identity, expiresAt: expiry, receivedAt: now, state: sighting, relayedTo: relayedTo)
            let decision = Decision(sighting)
            try vault.markHandled(
                source: message.source, key: message.key, messageID: identity, decision: decision, at: now)
            return decision
        case .other, .bounce:
            return .other
        }
    }

    /// A trusted notice found in the junk folder, handled as any other, is also reported once (its message is
    /// handled once): the vendor should mark its sender as safe, or the next one may never be looked at.
    private func reportJunk(_ message: Judged, folder: String, decision: Decision) {
        guard message.notice.trusted, Decision.trusted.contains(decision) || decision == .duplicate,
            let sender = message.notice.from?.addrSpec
        else { return }
        diagnostics.warning(
            "a trusted notice \(message.key) was found in the junk folder (\(folder)): mark \(sender) as a safe "
                + "sender (in the mail program or webmail), so that the next one reaches the inbox")
    }

    /// An expiry more than `OTPPlausibility.validity` after the message arrived.
    static func isImplausible(expiry: Date, arrival: Date) -> Bool {
        expiry.timeIntervalSince(arrival) > OTPPlausibility.validity
    }

    /// Trusted, and for an OTP also plausible on arrival: what may be acted on and claim a Message-ID.
    private func isActionable(_ notice: Notice, now: Date) -> Bool {
        guard notice.trusted else { return false }
        guard notice.kind == .otp, let expiry = notice.expiresAt?.instant else { return true }
        return !Self.isImplausible(expiry: expiry, arrival: now)
    }
}

/// The pipeline is what the watcher does with a vendor's mail.
extension VendorPipeline: MailHandler {
    package func wasHandled(source: String, key: String) throws -> Bool {
        try vault.wasHandled(source: source, key: key)
    }

    /// Recorded as handled with the decision `oversized`, never read.
    package func skip(_ message: OversizedMessage) throws -> Decision {
        try vault.markHandled(
            source: message.source, key: message.key, messageID: nil, decision: .oversized, at: settings.now())
        return .oversized
    }

    /// From a trusted sender, or anything that resembles a notice or OTP mail (look-alikes are read and reported as
    /// suspected phishing): `Candidate.mayBeNotice`.
    package func isCandidate(headers: [UInt8]) -> Bool {
        Candidate.mayBeNotice(Message.parse(headers), trust: settings.trust)
    }

    /// Recorded as handled with the decision `other`, as the reader would have decided, without its body; or
    /// `duplicate` when its Message-ID was handled before under another name (new UIDs after a UIDVALIDITY change),
    /// as the reader says of a message read whole.
    package func passOver(_ message: MessageHeader) throws -> Decision? {
        let now = settings.now()
        let messageID = Message.parse(message.bytes).messageID.flatMap { $0.isEmpty ? nil : $0 }
        return try vault.database.transaction { () throws -> Decision? in
            if try vault.wasHandled(source: message.source, key: message.key) { return nil }
            let seen = try messageID.map { try vault.wasHandled(messageID: $0, asTrusted: false) } ?? false
            let decision: Decision = seen ? .duplicate : .other
            try vault.markHandled(
                source: message.source, key: message.key, messageID: messageID, decision: decision, at: now)
            return decision
        }
    }

    /// A relay that did not get through is tried again on the next pass, while the code is still valid.
    package func retryReason(for error: Error) -> String? {
        (error as? OTPRelay.RelayError).map { "\($0.message); trying again" }
    }
}

extension Diagnostics {
    /// Says `text` at `level`.
    fileprivate func say(_ level: Level, _ text: String) {
        switch level {
        case .error: error(text)
        case .warning: warning(text)
        case .notice: notice(text)
        case .info: info(text)
        }
    }
}
