import Foundation
import MailParse

/// The options `ingest` and `watch` share: whom to trust, and where OTPs are relayed.
struct VendorOptions {
    var trust = TrustOptions()
    var relayTo: [String] = []
    var relayCommand: String?
    var relayTimeout: Int?
    var from: String?
    var transport = TransportOptions()
    var templates: String?
    var charset: OutgoingMessage.BodyCharset?

    static let help = """
        \(TrustOptions.help)
          --relay-to ADDR       mail each fresh OTP to this installer (repeatable; template otp_relay)
          --relay-command CMD   run CMD (with /bin/sh) with the OTP as a JSON object on its standard input:
                                otp, expires_at, minutes_left, message_id, from. It runs in a process group of
                                its own with only PATH, HOME, LANG and TZ of notifier's environment (no secrets)
          --relay-timeout SECONDS  kill the relay command's process group after this long and count it as a
                                failed relay, tried again later (default 30)
          --from ADDR           the From of relay mail (default: the configuration's from)
          --smtp URL | --outbox DIR and the other transport options of 'notifier send', for relay mail
        """

    mutating func take(_ word: Arguments.Word, from arguments: inout Arguments) throws -> Bool {
        if try trust.take(word, from: &arguments) { return true }
        switch word {
        case .option("--relay-to", let inline):
            let value = try arguments.value(for: "--relay-to", inlineValue: inline)
            guard Validation.mailbox(value) != nil else { throw UsageError("--relay-to '\(value)' is not an address") }
            relayTo.append(value)
        case .option("--relay-command", let inline):
            relayCommand = try arguments.value(for: "--relay-command", inlineValue: inline)
        case .option("--relay-timeout", let inline):
            let value = try arguments.value(for: "--relay-timeout", inlineValue: inline)
            guard let seconds = Validation.relayTimeout(value) else {
                throw UsageError("--relay-timeout takes seconds from 1 to 3600, not '\(value)'")
            }
            relayTimeout = seconds
        case .option("--from", let inline):
            from = try arguments.value(for: "--from", inlineValue: inline)
        case .option("--templates", let inline):
            templates = try arguments.value(for: "--templates", inlineValue: inline)
        case .option("--charset", let inline):
            charset = try MessageOptions.charset(try arguments.value(for: "--charset", inlineValue: inline))
        default:
            return try transport.take(word, from: &arguments)
        }
        return true
    }

    /// The pipeline's settings from these options and the configuration; `imapHost` is the watched IMAP server's.
    /// Without an authserv-id to trust, says once that senders are not authenticated.
    func settings(configuration: Configuration, context: CommandContext, imapHost: String? = nil) throws
        -> VendorPipeline.Settings
    {
        var settings = VendorPipeline.Settings(trust: trust.policy(configuration: configuration, imapHost: imapHost))
        if settings.trust.authservIDs.isEmpty {
            FileHandle.standardError.write(Data("notifier: \(TrustOptions.unauthenticatedWarning)\n".utf8))
        }
        // Relay targets: the command line's, else the configuration's.
        let relayTo = self.relayTo.isEmpty ? configuration.relayTo : self.relayTo
        settings.relayTo = relayTo.compactMap(Validation.mailbox)
        settings.relayCommand = relayCommand ?? configuration.relayCommand
        settings.relayTimeout = Double(relayTimeout ?? configuration.relayTimeout ?? 30)
        settings.environment = context.environment
        if !relayTo.isEmpty {
            guard let text = from ?? configuration.from, let sender = Validation.mailbox(text) else {
                throw UsageError("--relay-to needs --from ADDR (or from in the configuration) for the relay mail")
            }
            settings.relayFrom = sender
            let transport = self.transport
            settings.transport = { try transport.transport(configuration: configuration, context: context) }
        }
        settings.templates = TemplateStore(directory: templates ?? configuration.templates)
        settings.charset = charset ?? configuration.charset ?? .utf8
        return settings
    }
}
