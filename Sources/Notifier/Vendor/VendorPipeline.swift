import Foundation
import MailParse

/// What the vendor side does with each message, whatever mailbox it came from: a trusted update notice goes into
/// the URL vault, a trusted OTP notice that has not expired is relayed to the installers, an untrusted notice is
/// reported with its reason in words (suspected phishing only for look-alike hosts, spoofed display names and links
/// whose text shows another host) and never stored or relayed. Every message is marked handled, so it is handled
/// once; one whose relay failed is not, so it is tried again while its code is still valid.
final class VendorPipeline {
    struct Settings {
        var trust: TrustPolicy
        /// Installers who get the OTP by mail.
        var relayTo: [Mailbox] = []
        /// A command that gets the OTP as a JSON object on its standard input.
        var relayCommand: String?
        /// The From of relay mail.
        var relayFrom: Mailbox?
        /// Makes the transport for relay mail (only asked for when there is something to relay).
        var transport: (() throws -> MessageTransport)?
        var templates = TemplateStore(directory: nil)
        var charset: OutgoingMessage.BodyCharset = .utf8
        var now: () -> Date = { Date() }
    }

    enum Decision: String {
        /// `unrelayed`: a fresh OTP, but no --relay-to or --relay-command was given.
        case stored, duplicate, relayed, unrelayed, expired, superseded, untrusted, other
    }

    struct Incoming {
        /// Where it came from: `ingest`, `maildir:/path`, `imap:URL`.
        let source: String
        /// Its name there: a Maildir file's unique name, an IMAP UIDVALIDITY/UID, a digest.
        let key: String
        let bytes: [UInt8]
    }

    /// A relay that did not get through: the message stays unhandled and is tried again (EX_TEMPFAIL, 75).
    struct RelayError: NotifierError {
        let message: String
        var exitCode: ExitCode { .temporaryFailure }
    }

    let settings: Settings
    let vault: VaultStore
    private var transport: MessageTransport?
    /// Lines for the person running notifier (suspected phishing, relays), written by the caller.
    private(set) var reports: [String] = []

    func clearReports() { reports.removeAll() }

    init(settings: Settings, database: Database) {
        self.settings = settings
        vault = VaultStore(database: database)
    }

    /// Handles a batch; among its trusted, unexpired OTP notices only the newest is relayed. Messages handled before
    /// are skipped (nil). A relay failure is thrown after the rest of the batch has been handled.
    func handle(_ batch: [Incoming]) throws -> [Decision?] {
        var notices: [(Incoming, Notice, String)] = []
        var decisions: [Decision?] = Array(repeating: nil, count: batch.count)
        for message in batch {
            let notice = NoticeReader.read(message.bytes, trust: settings.trust)
            notices.append((message, notice, MessageIdentity.of(message.bytes, messageID: notice.messageID)))
        }
        let now = settings.now()
        let newestOTP = notices.compactMap { $0.1.kind == .otp && $0.1.trusted ? $0.1.expiresAt?.instant : nil }
            .filter { $0 > now }.max()
        var firstError: Error?
        for (index, (message, notice, identity)) in notices.enumerated() {
            if try vault.wasHandled(source: message.source, key: message.key) { continue }
            // The same message under another name (a copy, or new UIDs after a UIDVALIDITY change): noted, not
            // handled again — no second relay, no second report.
            if try vault.wasHandled(messageID: identity) {
                try vault.markHandled(source: message.source, key: message.key, messageID: identity, decision: "duplicate", at: now)
                decisions[index] = .duplicate
                continue
            }
            do {
                decisions[index] = try decide(message, notice, identity: identity, newestOTP: newestOTP, now: now)
            } catch let error as RelayError {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return decisions
    }

    private func decide(_ message: Incoming, _ notice: Notice, identity: String, newestOTP: Date?, now: Date) throws -> Decision {
        let database = vault.database
        let sender = notice.from?.addrSpec ?? "(no From)"
        if notice.kind == .other {
            try vault.markHandled(source: message.source, key: message.key, messageID: identity, decision: "other", at: now)
            return .other
        }
        guard notice.trusted else {
            let what = notice.suspectedPhishing ? "suspected phishing" : "not trusted (\(notice.reason?.rawValue ?? "untrusted"))"
            reports.append("\(what), not stored or relayed: \(message.key) from \(sender): "
                + (notice.distrustReason ?? "not trusted"))
            try vault.markHandled(source: message.source, key: message.key, messageID: identity, decision: "untrusted", at: now)
            return .untrusted
        }
        switch notice.kind {
        case .updateNotice:
            guard let code = notice.vendorCode, let url = notice.url else {
                reports.append("a trusted notice without a vendor code or URL, not stored: \(message.key)")
                try vault.markHandled(source: message.source, key: message.key, messageID: identity, decision: "other", at: now)
                return .other
            }
            let year = notice.validFrom.flatMap(RenewalCalendar.fiscalYear(of:)) ?? RenewalCalendar.comingFiscalYear(at: now)
            for note in notice.notes { reports.append("\(message.key): \(note)") }
            return try database.transaction {
                let stored = try vault.store(
                    vendorCode: code, fiscalYear: year, validFrom: notice.validFrom?.description,
                    validUntil: notice.validUntil?.description, url: url, messageID: identity, sender: sender, receivedAt: now)
                try vault.markHandled(
                    source: message.source, key: message.key, messageID: identity, decision: stored ? "stored" : "duplicate", at: now)
                return stored ? .stored : .duplicate
            }
        case .otp:
            guard let expiry = notice.expiresAt?.instant, let code = notice.otp else {
                // An OTP line without an expiry (or the reverse): nothing to act on, and not to be read again.
                try vault.markHandled(source: message.source, key: message.key, messageID: identity, decision: "other", at: now)
                return .other
            }
            let decision: Decision
            var relayedTo: String?
            if expiry <= now {
                decision = .expired
                reports.append("OTP notice \(message.key) expired at \(notice.expiresAt?.description ?? ""): not relayed")
            } else if let newest = newestOTP, expiry < newest {
                decision = .superseded
            } else if let relayed = try vault.latestRelayedExpiry(), expiry < relayed {
                decision = .superseded
            } else if settings.relayTo.isEmpty && settings.relayCommand == nil {
                decision = .unrelayed
                reports.append("a fresh OTP notice \(message.key) (valid until \(notice.expiresAt?.description ?? "")) "
                    + "was not relayed: give --relay-to ADDR or --relay-command CMD")
            } else {
                relayedTo = try relay(code: code, expiresAt: expiry, notice: notice, identity: identity, now: now)
                decision = .relayed
                reports.append("OTP relayed to \(relayedTo ?? ""), valid until \(notice.expiresAt?.description ?? "")")
            }
            try database.transaction {
                try vault.recordOTP(messageID: identity, expiresAt: expiry, receivedAt: now, state: decision.rawValue, relayedTo: relayedTo)
                try vault.markHandled(source: message.source, key: message.key, messageID: identity, decision: decision.rawValue, at: now)
            }
            return decision
        case .other:
            return .other
        }
    }

    /// Hands the code to every installer; returns whom it reached. The code is held in memory only.
    private func relay(code: String, expiresAt: Date, notice: Notice, identity: String, now: Date) throws -> String {
        var reached: [String] = []
        let expiry = notice.expiresAt?.description ?? ""
        if !settings.relayTo.isEmpty {
            guard let from = settings.relayFrom else { throw RelayError(message: "relay mail needs --from (or from in the configuration)") }
            if transport == nil { transport = try settings.transport?() }
            guard let transport else { throw RelayError(message: "no transport for relay mail") }
            let composer = Composer(store: settings.templates, messageIDDomain: nil, clock: { now })
            let composed = try composer.compose(
                template: "otp_relay", from: from, to: settings.relayTo,
                variables: ["otp": code, "expires_at": expiry], charset: settings.charset, strict: false)
            let delivery = try transport.deliver(
                composed.bytes, sender: from.addrSpec, recipients: settings.relayTo.map(\.addrSpec))
            guard delivery.outcome == .sent else {
                throw RelayError(message: "relay mail not sent (\(delivery.outcome.rawValue)): \(delivery.reply)")
            }
            reached += settings.relayTo.map(\.addrSpec)
        }
        if let command = settings.relayCommand {
            var object = JSONLine()
            object.add("otp", code)
            object.add("expires_at", expiry)
            object.add("minutes_left", max(0, Int((expiresAt.timeIntervalSince(now) / 60).rounded(.up))))
            object.add("message_id", notice.messageID)
            object.add("from", notice.from?.addrSpec)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            let input = Pipe()
            process.standardInput = input
            do {
                try process.run()
            } catch {
                throw RelayError(message: "cannot run the relay command: \(error.localizedDescription)")
            }
            input.fileHandleForWriting.write(Data((object.line + "\n").utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw RelayError(message: "the relay command exited with status \(process.terminationStatus)")
            }
            reached.append("relay command")
        }
        return reached.joined(separator: ", ")
    }
}
