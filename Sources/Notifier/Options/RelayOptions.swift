import Foundation
import MailParse
import NotifierCore

/// Where fresh OTPs go: `--relay-to` installers by mail, `--relay-command` for anything else. `ingest` and `watch`
/// take these, with the trust, sender and transport options.
struct RelayOptions: OptionGroup {
    var relayTo: [Mailbox] = []
    var relayCommand: String?
    var relayTimeout: Int?

    static var options: [Option<Self>] {
        [
            .list(
                "--relay-to", key: "relay_to", "ADDR", \.relayTo,
                "mail each fresh OTP to this installer (repeatable; template otp_relay)", parse: Parse.mailbox),
            .value(
                "--relay-command", key: "relay_command", "CMD", \.relayCommand,
                "run CMD (with /bin/sh) with the OTP as a JSON object on its standard input: otp, expires_at, "
                    + "minutes_left, message_id, from. It runs in a process group of its own with only PATH, HOME, "
                    + "LANG and TZ of notifier's environment (no secrets)", parse: Parse.text),
            .value(
                "--relay-timeout", key: "relay_timeout", "SECONDS", \.relayTimeout,
                "kill the relay command's process group after this long and count it as a failed relay, tried "
                    + "again later (default 30)", parse: Parse.seconds),
        ]
    }
}

/// The options of the vendor side's handling, `ingest` and `watch` alike: whom to trust, where OTPs are relayed,
/// and how relay mail is written and sent.
struct VendorOptions: OptionGroup {
    var trust = TrustOptions()
    var relay = RelayOptions()
    var sender = SenderOptions()
    var transport = TransportOptions()

    static var options: [Option<Self>] {
        TrustOptions.options.lifted(\.trust) + RelayOptions.options.lifted(\.relay)
            + SenderOptions.options.lifted(\.sender)
            + TransportOptions.options.lifted(\.transport)
    }

    /// These options with the configuration's where the command line gave none.
    func filled(from configuration: Configuration) -> VendorOptions {
        VendorOptions(
            trust: trust.filled(from: configuration.trust), relay: relay.filled(from: configuration.relay),
            sender: sender.filled(from: configuration.sender),
            transport: transport.filled(from: configuration.transport))
    }

    /// The pipeline's settings; `imapHost` is the watched IMAP server's. Without an authserv-id to trust, says once
    /// that senders are not authenticated.
    func settings(context: CommandContext, imapHost: String? = nil) throws -> VendorPipeline.Settings {
        var settings = VendorPipeline.Settings(trust: trust.policy(imapHost: imapHost))
        if settings.trust.authservIDs.isEmpty { Diagnostics.standardError.warning(TrustOptions.unauthenticatedWarning) }
        settings.relayTo = relay.relayTo
        settings.relayCommand = relay.relayCommand
        settings.relayTimeout = Double(relay.relayTimeout ?? 30)
        settings.environment = context.environment
        if !relay.relayTo.isEmpty {
            guard let from = sender.from else {
                throw UsageError("--relay-to needs --from ADDR (or from in the configuration) for the relay mail")
            }
            settings.relayFrom = from
            let transport = self.transport
            settings.transport = { try transport.transport(context: context) }
        }
        settings.templates = TemplateStore(directory: sender.templates)
        settings.charset = sender.bodyCharset
        return settings
    }
}
