import Dispatch
import Foundation

/// `notifier watch --maildir DIR` or `notifier watch --imap URL`: handles every message of a mailbox once, then
/// keeps watching until SIGTERM, or stops after one pass with `--once` (for cron).
struct WatchCommand: Command {
    static let name = "watch"
    static let summary = "Watch a mailbox (Maildir or IMAP) for notices: vault the URLs, relay fresh OTPs, report phishing"
    static let help = """
        Usage: notifier watch --maildir DIR [--once] [--poll SECONDS] [relay and trust options]
               notifier watch --imap URL [--imap-user USER] [--once] [--no-idle] [--max-message-size SIZE]
                              [--timeout S] [relay and trust options]

        Handles every message of the mailbox not handled before (remembered in the database), then keeps
        watching until SIGTERM or SIGINT, or stops after one pass with --once. Read-only: mail is never moved,
        flagged or deleted. A trusted update notice's URL goes into the vault; a trusted OTP notice that has not
        expired is relayed (when several arrive together, only the newest); an untrusted notice is reported on
        standard error and never stored or relayed.

        Options:
          --maildir DIR         the mailbox, a Maildir (new/ and cur/)
          --imap URL            the mailbox over IMAP: imaps://HOST[:PORT]/MAILBOX, or imap://... with STARTTLS
                                (INBOX when no mailbox is named); the user from --imap-user (or user@ in the URL),
                                the password from $NOTIFIER_IMAP_PASSWORD or --imap-password-file (never argv).
                                UIDVALIDITY and the last UID are kept in the database. Without --once it waits with
                                IMAP IDLE (re-IDLE every 25 minutes), reconnecting with backoff after a lost
                                connection; --no-idle looks every --poll seconds instead
          --imap-user USER, --imap-password-file PATH, --ca-file PATH
          --imap-tls MODE       auto (the default): STARTTLS when offered; without it the login is refused
                                (exit 69) unless the host is localhost, 127.x.x.x or ::1. required: refuse to log in
                                without TLS. none: a login in clear allowed on purpose (imap_tls in the configuration)
          --max-message-size SIZE
                                skip an IMAP message larger than SIZE (bytes, or with K, M or G; default 32M,
                                max_message_size): it is never downloaded, is reported once as UIDVALIDITY/UID:
                                oversized, and later messages are read as usual
          --timeout S           seconds one IMAP command may take, however busily the server talks (default 120;
                                also the time one relay mail may take); --connect-timeout S for the connection
          --once                one pass, then exit (for cron)
          --poll SECONDS        how often to look again (default 2)
        \(VendorOptions.help)
        """

    var maildir: String?
    var imapURL: String?
    var imapUser: String?
    var imapPasswordFile: String?
    var imapTLS: IMAPSettings.TLSMode?
    var maxMessageSize: Int?
    var idle = true
    var once = false
    var poll: Double = 2
    var options = VendorOptions()
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        while let word = arguments.next() {
            switch word {
            case .option("--maildir", let inline):
                maildir = try arguments.value(for: "--maildir", inlineValue: inline)
            case .option("--imap", let inline):
                imapURL = try arguments.value(for: "--imap", inlineValue: inline)
            case .option("--imap-user", let inline):
                imapUser = try arguments.value(for: "--imap-user", inlineValue: inline)
            case .option("--imap-password-file", let inline):
                imapPasswordFile = try arguments.value(for: "--imap-password-file", inlineValue: inline)
            case .option("--imap-tls", let inline):
                let value = try arguments.value(for: "--imap-tls", inlineValue: inline)
                guard let mode = IMAPSettings.TLSMode(rawValue: value) else {
                    throw UsageError("--imap-tls must be auto, required or none, not '\(value)'")
                }
                imapTLS = mode
            case .option("--max-message-size", let inline):
                let value = try arguments.value(for: "--max-message-size", inlineValue: inline)
                guard let size = Validation.byteSize(value) else {
                    throw UsageError("--max-message-size takes a size from 1K to 1G, like 32M, not '\(value)'")
                }
                maxMessageSize = size
            case .option("--imap-password", _):
                throw UsageError("passwords are not taken on the command line: set NOTIFIER_IMAP_PASSWORD or --imap-password-file")
            case .option("--no-idle", let inline):
                try Arguments.flag("--no-idle", inlineValue: inline)
                idle = false
            case .option("--once", let inline):
                try Arguments.flag("--once", inlineValue: inline)
                once = true
            case .option("--poll", let inline):
                let value = try arguments.value(for: "--poll", inlineValue: inline)
                guard let seconds = Double(value), seconds >= 0.1, seconds <= 3600 else {
                    throw UsageError("--poll takes seconds from 0.1 to 3600, not '\(value)'")
                }
                poll = seconds
            default:
                guard try options.take(word, from: &arguments) else { throw UsageError("watch: unexpected '\(word.text)'") }
            }
        }
        if maildir != nil && imapURL != nil { throw UsageError("watch: give --maildir DIR or --imap URL, not both") }
        try options.transport.validate()
    }

    func run() throws -> ExitCode {
        let configuration = try context.configuration()
        let database = try context.openDatabase()
        // Watching Gmail or Microsoft 365 over IMAP names the provider whose Authentication-Results count.
        let imapHost = maildir == nil ? (imapURL ?? configuration.imapURL).flatMap { URLComponents(string: $0)?.host } : nil
        let pipeline = VendorPipeline(
            settings: try options.settings(configuration: configuration, context: context, imapHost: imapHost),
            database: database, diagnostics: .standardError)
        let stop = StopSignal()
        let source: any MailSource
        if let maildir {
            source = MaildirSource(path: maildir)
        } else {
            guard imapURL != nil || configuration.imapURL != nil else {
                throw UsageError("watch: give --maildir DIR or --imap URL (or set imap_url in the configuration)")
            }
            source = IMAPSource(settings: try imapSettings(configuration), state: MailboxStateStore(database: database))
        }
        let watcher = Watcher(
            source: source, handler: pipeline, settings: .init(once: once, idle: idle, poll: poll), stop: stop,
            diagnostics: .standardError
        ) { handled in report(handled) }
        return try watcher.run() == .handled ? .success : .temporaryFailure
    }

    /// The IMAP settings: the user from --imap-user or the URL's user part, the password from the environment or a
    /// file, never from argv.
    private func imapSettings(_ configuration: Configuration) throws -> IMAPSettings {
        var url = imapURL ?? configuration.imapURL ?? ""
        var user = imapUser ?? configuration.imapUser
        if let components = URLComponents(string: url), let urlUser = components.user {
            if components.password != nil {
                throw UsageError("--imap must not carry a password: set NOTIFIER_IMAP_PASSWORD or --imap-password-file")
            }
            user = user ?? urlUser.removingPercentEncoding ?? urlUser
            var stripped = components
            stripped.user = nil
            url = stripped.string ?? url
        }
        guard let user, !user.isEmpty else { throw UsageError("watch --imap: give --imap-user USER (or USER@ in the URL)") }
        var password = context.environment["NOTIFIER_IMAP_PASSWORD"]
        if password?.isEmpty != false, let file = imapPasswordFile ?? configuration.imapPasswordFile {
            var environment = context.environment
            environment["NOTIFIER_SMTP_PASSWORD"] = nil
            password = try SMTPSettings.password(environment: environment, passwordFile: file, what: "IMAP")
        }
        guard let password, !password.isEmpty else {
            throw ConfigurationError("watch --imap: no password: set NOTIFIER_IMAP_PASSWORD or --imap-password-file")
        }
        _ = try IMAPSettings.endpoint(of: url)
        var settings = IMAPSettings(
            url: url, user: user, password: password, tls: imapTLS ?? configuration.imapTLS ?? .auto,
            caFile: options.transport.caFile ?? configuration.caFile)
        settings.maxMessageSize = maxMessageSize ?? configuration.maxMessageSize ?? settings.maxMessageSize
        settings.commandTimeout = options.transport.timeout ?? settings.commandTimeout
        settings.responseTimeout = min(settings.responseTimeout, settings.commandTimeout)
        settings.connectTimeout = options.transport.connectTimeout ?? settings.connectTimeout
        return settings
    }

    /// Prints `KEY: decision` for each message handled.
    private func report(_ handled: [(key: String, outcome: VendorPipeline.Decision)]) {
        let output = StandardOutput.shared
        for (key, decision) in handled { output.write("\(key): \(decision.rawValue)\n") }
        output.flush()
    }
}
