import Foundation
import NotifierCore

/// The mailbox a watch reads and how: `--maildir DIR`, `--imap URL` or `--pop3 URL` with its login and limits,
/// `--once`, `--no-idle`, `--poll`. The vendor's `watch` and the issuer's `bounces watch` take these, and make their source
/// and their watch settings here.
struct MailboxOptions: OptionGroup {
    var maildir: String?
    var imap = IMAPOptions()
    var pop3 = POP3Options()
    var once = false
    var noIdle = false
    var poll: Double?

    static var options: [Option<Self>] {
        [.value("--maildir", "DIR", \.maildir, "the mailbox, a Maildir (new/ and cur/)", parse: Parse.text)]
            + IMAPOptions.options.lifted(\.imap) + POP3Options.options.lifted(\.pop3) + [
                .flag("--once", \.once, "one pass, then exit (for cron)"),
                .flag("--no-idle", \.noIdle, "over IMAP, look every --poll seconds instead of waiting in IDLE"),
                .value(
                    "--poll", "SECONDS", \.poll,
                    "how often to look again (default \(Int(Self.remotePoll)) over IMAP without IDLE and over POP3, "
                        + "\(Int(Self.maildirPoll)) for --maildir)",
                    parse: Self.poll),
            ]
    }

    /// `command` names the command in the error.
    func validate(command: String) throws {
        if [maildir != nil, imap.url != nil, pop3.url != nil].filter({ $0 }).count > 1 {
            throw UsageError("\(command): give one of --maildir DIR, --imap URL or --pop3 URL")
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

    /// Which kind of mailbox is watched: the command line's choice, else the configuration's (imap_url or pop3_url,
    /// not both); nil when none is named.
    enum Kind { case maildir, imap, pop3 }

    func kind(command: String, configuration: Configuration) throws -> Kind? {
        if maildir != nil { return .maildir }
        if pop3.url != nil { return .pop3 }
        if imap.url != nil { return .imap }
        switch (configuration.imap.url != nil, configuration.pop3.url != nil) {
        case (true, true):
            throw UsageError(
                "\(command): the configuration sets both imap_url and pop3_url: keep one, or give --imap URL or "
                    + "--pop3 URL")
        case (true, false): return .imap
        case (false, true): return .pop3
        case (false, false): return nil
        }
    }

    /// The watched server's host, IMAP's or POP3's (it names the provider whose Authentication-Results count).
    func host(command: String, configuration: Configuration) throws -> String? {
        switch try kind(command: command, configuration: configuration) {
        case .imap: return imap(filledFrom: configuration).host
        case .pop3: return pop3.filled(from: configuration.pop3).host
        case .maildir, nil: return nil
        }
    }

    /// The source these options name (IMAP options already filled from the configuration); an IMAP folder's
    /// UIDVALIDITY and last UID are kept in `database`. Over IMAP, with `findsJunk` the junk folder is read too, and
    /// `firstPass` is what the first pass over a folder asks the server for.
    func source(
        command: String, imap: IMAPOptions, transport: TransportOptions, configuration: Configuration,
        database: Database, context: CommandContext, findsJunk: Bool = false, firstPass: IMAPSource.FirstPass? = nil
    ) throws -> any MailSource {
        let caFile = transport.caFile ?? configuration.transport.caFile
        switch try kind(command: command, configuration: configuration) {
        case .maildir:
            return MaildirSource(path: maildir ?? "")
        case .imap:
            let settings = try imap.settings(
                caFile: caFile, connectTimeout: transport.connectTimeout, timeout: transport.timeout, context: context)
            return IMAPSource(
                settings: settings, state: MailboxStateStore(database: database), findsJunk: findsJunk,
                firstPass: firstPass)
        case .pop3:
            let settings = try pop3.filled(from: configuration.pop3).settings(
                caFile: caFile, connectTimeout: transport.connectTimeout, timeout: transport.timeout,
                maxMessageSize: imap.maxMessageSize, context: context)
            return POP3Source(settings: settings)
        case nil:
            throw UsageError(
                "\(command): give --maildir DIR, --imap URL or --pop3 URL (or set imap_url or pop3_url in the "
                    + "configuration)")
        }
    }

    /// Seconds between looks at a server's mailbox without IDLE (IMAP with `--no-idle` or a server that has none;
    /// POP3, which has none): each look is commands to a provider's server that may throttle a client asking every
    /// few seconds, and a minute is soon enough for a notice (an OTP lives 30).
    static let remotePoll: Double = 60
    /// Seconds between looks at a Maildir: reading two local folders is cheap, and a fresh OTP should not wait.
    static let maildirPoll: Double = 2

    /// How the watch passes: `--poll` seconds apart when it cannot wait in IDLE.
    var watchSettings: WatchSettings {
        .init(once: once, idle: !noIdle, poll: poll ?? (maildir != nil ? Self.maildirPoll : Self.remotePoll))
    }
}
