import Dispatch
import Foundation
import NotifierCore

/// `notifier watch --maildir DIR` or `notifier watch --imap URL`: handles every message of a mailbox once, then
/// keeps watching until SIGTERM, or stops after one pass with `--once` (for cron).
struct WatchCommand: Command {
    static let name = "watch"
    static let summary =
        "Watch a mailbox (Maildir or IMAP) for notices: vault the URLs, relay fresh OTPs, report phishing"
    static let usage = [
        "watch --maildir DIR [--once] [--poll SECONDS] [relay and trust options]",
        "watch --imap URL [--imap-user USER] [--once] [--no-idle] [--max-message-size SIZE] [--timeout S]",
        "      [relay and trust options]",
    ]
    static let about = """
        Handles every message of the mailbox not handled before (remembered in the database), then keeps
        watching until SIGTERM or SIGINT, or stops after one pass with --once. Read-only: mail is never moved,
        flagged or deleted. A trusted update notice's URL goes into the vault; a trusted OTP notice that has not
        expired is relayed (when several arrive together, only the newest); an untrusted notice is reported on
        standard error and never stored or relayed. --timeout S is also how long one IMAP command may take,
        however busily the server talks (default 120), and --connect-timeout S the IMAP connection's.
        """
    static var options: [Option<Self>] {
        [.value("--maildir", "DIR", \.maildir, "the mailbox, a Maildir (new/ and cur/)", parse: Parse.text)]
            + IMAPOptions.options.lifted(\.imap) + [
                .flag("--once", \.once, "one pass, then exit (for cron)"),
                .flag("--no-idle", \.noIdle, "over IMAP, look every --poll seconds instead of waiting in IDLE"),
                .value("--poll", "SECONDS", \.poll, "how often to look again (default 2)", parse: Self.poll),
            ] + VendorOptions.options.lifted(\.vendor)
    }

    var maildir: String?
    var imap = IMAPOptions()
    var once = false
    var noIdle = false
    var poll: Double?
    var vendor = VendorOptions()

    func validate() throws {
        if maildir != nil && imap.url != nil { throw UsageError("watch: give --maildir DIR or --imap URL, not both") }
        try vendor.transport.validate()
    }

    /// Seconds from 0.1 to 3600.
    static func poll(_ value: String) throws -> Double {
        guard let seconds = Double(value), seconds >= 0.1, seconds <= 3600 else {
            throw InvalidValue("takes seconds from 0.1 to 3600")
        }
        return seconds
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let database = try context.openDatabase()
        let imap = self.imap.filled(from: configuration.imap)
        // Watching Gmail or Microsoft 365 over IMAP names the provider whose Authentication-Results count.
        let pipeline = VendorPipeline(
            settings: try vendor.filled(from: configuration).settings(
                context: context, imapHost: maildir == nil ? imap.host : nil),
            database: database, diagnostics: .standardError)
        let source: any MailSource
        if let maildir {
            source = MaildirSource(path: maildir)
        } else {
            guard imap.url != nil else {
                throw UsageError("watch: give --maildir DIR or --imap URL (or set imap_url in the configuration)")
            }
            let settings = try imap.settings(
                caFile: vendor.transport.caFile ?? configuration.transport.caFile,
                connectTimeout: vendor.transport.connectTimeout, timeout: vendor.transport.timeout, context: context)
            source = IMAPSource(settings: settings, state: MailboxStateStore(database: database))
        }
        let watcher = Watcher(
            source: source, handler: pipeline, settings: .init(once: once, idle: !noIdle, poll: poll ?? 2),
            stop: StopSignal(), diagnostics: .standardError
        ) { handled in
            let output = StandardOutput.shared
            for (key, decision) in handled { output.write("\(key): \(decision.rawValue)\n") }
            output.flush()
        }
        return try watcher.run() == .handled ? .success : .temporaryFailure
    }
}
