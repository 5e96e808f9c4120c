import Foundation
import NotifierCore

/// The mailbox a watch reads and how: `--maildir DIR` or `--imap URL` with its login and limits, `--once`,
/// `--no-idle`, `--poll`. The vendor's `watch` and the issuer's `bounces watch` take these, and make their source
/// and their watch settings here.
struct MailboxOptions: OptionGroup {
    var maildir: String?
    var imap = IMAPOptions()
    var once = false
    var noIdle = false
    var poll: Double?

    static var options: [Option<Self>] {
        [.value("--maildir", "DIR", \.maildir, "the mailbox, a Maildir (new/ and cur/)", parse: Parse.text)]
            + IMAPOptions.options.lifted(\.imap) + [
                .flag("--once", \.once, "one pass, then exit (for cron)"),
                .flag("--no-idle", \.noIdle, "over IMAP, look every --poll seconds instead of waiting in IDLE"),
                .value(
                    "--poll", "SECONDS", \.poll,
                    "how often to look again (default \(Int(Self.imapPoll)) over IMAP, \(Int(Self.maildirPoll)) for --maildir)",
                    parse: Self.poll),
            ]
    }

    /// `command` names the command in the error.
    func validate(command: String) throws {
        if maildir != nil && imap.url != nil {
            throw UsageError("\(command): give --maildir DIR or --imap URL, not both")
        }
    }

    /// Seconds from 0.1 to 3600.
    static func poll(_ value: String) throws -> Double {
        guard let seconds = Double(value), seconds >= 0.1, seconds <= 3600 else {
            throw InvalidValue("takes seconds from 0.1 to 3600")
        }
        return seconds
    }

    /// The IMAP options filled from the configuration.
    func imap(filledFrom configuration: Configuration) -> IMAPOptions { imap.filled(from: configuration.imap) }

    /// The source these options name (IMAP options already filled from the configuration); its UIDVALIDITY and
    /// last UID are kept in `database`.
    func source(
        command: String, imap: IMAPOptions, transport: TransportOptions, configuration: Configuration,
        database: Database, context: CommandContext
    ) throws -> any MailSource {
        if let maildir { return MaildirSource(path: maildir) }
        guard imap.url != nil else {
            throw UsageError("\(command): give --maildir DIR or --imap URL (or set imap_url in the configuration)")
        }
        let settings = try imap.settings(
            caFile: transport.caFile ?? configuration.transport.caFile,
            connectTimeout: transport.connectTimeout, timeout: transport.timeout, context: context)
        return IMAPSource(settings: settings, state: MailboxStateStore(database: database))
    }

    /// Seconds between looks at an IMAP mailbox without IDLE (`--no-idle`, or a server that has none): each look is
    /// commands to a provider's server that may throttle a client asking every few seconds, and a minute is soon
    /// enough for a notice (an OTP lives 30).
    static let imapPoll: Double = 60
    /// Seconds between looks at a Maildir: reading two local folders is cheap, and a fresh OTP should not wait.
    static let maildirPoll: Double = 2

    var watchSettings: WatchSettings {
        .init(once: once, idle: !noIdle, poll: poll ?? (maildir != nil ? Self.maildirPoll : Self.imapPoll))
    }
}
