import Foundation
import MailParse

/// Hands a fresh OTP to the installers: by mail (template otp_relay) to `relayTo`, and to their own program
/// (`RelayCommand`). Which OTP is relayed, and when, is the pipeline's decision; the relay only delivers it, and
/// says whom it reached.
package final class OTPRelay {
    package struct Settings {
        /// Installers who get the OTP by mail.
        package var relayTo: [Mailbox] = []
        /// A command that gets the OTP as a JSON object on its standard input.
        var command: String?
        /// Seconds the relay command may take before its process group is killed.
        var timeout: Double = 30
        /// notifier's environment, of which the relay command gets only `RelayCommand.passedVariables`.
        package var environment: [String: String] = [:]
        /// The From of relay mail.
        package var from: Mailbox?
        /// Makes the transport for relay mail (only asked for when there is something to relay).
        package var transport: (() throws -> MessageTransport)?
        var templates = TemplateStore(directory: nil)
        var charset: OutgoingMessage.BodyCharset = .utf8

        package init(
            relayTo: [Mailbox] = [],
            command: String? = nil,
            timeout: Double = 30,
            environment: [String: String] = [:],
            from: Mailbox? = nil,
            transport: (() throws -> MessageTransport)? = nil,
            templates: TemplateStore = TemplateStore(directory: nil),
            charset: OutgoingMessage.BodyCharset = .utf8
        ) {
            self.relayTo = relayTo
            self.command = command
            self.timeout = timeout
            self.environment = environment
            self.from = from
            self.transport = transport
            self.templates = templates
            self.charset = charset
        }
    }

    /// A relay that did not get through: the message stays unhandled and is tried again (EX_TEMPFAIL, 75).
    package struct RelayError: NotifierError {
        package let message: String
    }

    let settings: Settings
    /// Made on the first relay by mail, and kept for the next; dropped after a failure.
    private var transport: MessageTransport?

    init(settings: Settings) { self.settings = settings }

    /// Whether there is anyone to relay to (--relay-to or --relay-command).
    var hasTargets: Bool { !settings.relayTo.isEmpty || settings.command != nil }

    /// Hands the code to every installer; returns whom it reached. The code is held in memory only. Whatever goes
    /// wrong on the way (no transport, a full outbox, a refusal, a command that fails or hangs) is a `RelayError`:
    /// the message stays unhandled and is tried again (`ingest` exits 75, so the mail server keeps it).
    func relay(code: String, expiresAt: Date, notice: Notice, now: Date) throws -> String {
        do {
            return try relayOnce(code: code, expiresAt: expiresAt, notice: notice, now: now)
        } catch let error as RelayError {
            throw error
        } catch {
            transport = nil
            throw RelayError(message: "the OTP was not relayed: \(error.personMessage)")
        }
    }

    private func relayOnce(code: String, expiresAt: Date, notice: Notice, now: Date) throws -> String {
        var reached: [String] = []
        let expiry = notice.expiresAt?.description ?? ""
        if !settings.relayTo.isEmpty {
            try mail(code: code, expiry: expiry, now: now)
            reached += settings.relayTo.map(\.addrSpec)
        }
        if let command = settings.command {
            var object = JSONLine()
            object.add("otp", code)
            object.add("expires_at", expiry)
            object.add("minutes_left", max(0, Int((expiresAt.timeIntervalSince(now) / 60).rounded(.up))))
            object.add("message_id", notice.messageID)
            object.add("from", notice.from?.addrSpec)
            try RelayCommand(command: command, timeout: settings.timeout, environment: settings.environment)
                .run(input: object.line)
            reached.append("relay command")
        }
        return reached.joined(separator: ", ")
    }

    /// The relay mail, one message to every installer.
    private func mail(code: String, expiry: String, now: Date) throws {
        guard let from = settings.from else {
            throw RelayError(message: "relay mail needs --from (or from in the configuration)")
        }
        if transport == nil { transport = try settings.transport?() }
        guard let transport else { throw RelayError(message: "no transport for relay mail") }
        let composer = Composer(store: settings.templates, messageIDDomain: nil, clock: { now })
        let composed = try composer.compose(
            template: .otpRelay, from: from, to: settings.relayTo, variables: ["otp": code, "expires_at": expiry],
            charset: settings.charset, strict: false)
        let delivery = try transport.deliver(
            composed.bytes, sender: from.addrSpec, recipients: settings.relayTo.map(\.addrSpec))
        guard delivery.outcome == .sent else {
            throw RelayError(message: "relay mail not sent (\(delivery.outcome.rawValue)): \(delivery.reply)")
        }
    }
}
