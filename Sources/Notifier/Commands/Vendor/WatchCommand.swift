import Dispatch
import Foundation
import NotifierCore

/// `notifier watch --maildir DIR`, `notifier watch --imap URL` or `notifier watch --pop3 URL`: handles every message of a mailbox once, then
/// keeps watching until SIGTERM, or stops after one pass with `--once` (for cron).
struct WatchCommand: Command {
    static let name = "watch"
    static let summary =
        "Watch a mailbox (Maildir, IMAP or POP3) for notices: vault the URLs, relay fresh OTPs, report phishing"
    static let usage = [
        "watch --maildir DIR [--once] [--poll SECONDS] [relay and trust options]",
        "watch --imap URL [--imap-user USER] [--once] [--no-idle] [--max-message-size SIZE] [--timeout S]",
        "      [relay and trust options]",
        "watch --pop3 URL [--pop3-user USER] [--once] [--poll SECONDS] [relay and trust options]",
    ]
    static let about = """
        Handles every message of the mailbox not handled before (remembered in the database), then keeps
        watching until SIGTERM or SIGINT, or stops after one pass with --once. Read-only: mail is never moved,
        flagged or deleted. A trusted update notice's URL goes into the vault; a trusted OTP notice that has not
        expired is relayed (when several arrive together, only the newest); an untrusted notice is reported on
        standard error and never stored or relayed. --timeout S is also how long one IMAP command may take,
        however busily the server talks (default 120), and --connect-timeout S the IMAP connection's. Over POP3
        (no IDLE) it looks every --poll seconds (default 60), one short session each time, reads each new
        message's header section first (TOP) and downloads only what could be a notice (RETR); it never
        deletes: keep messages on the server at least a day.
        """
    static let footer = """
        Exit status: 0 every message handled (one pass with --once, or stopped by SIGTERM or SIGINT); 75 some
        were left for the next pass (the database was busy, a relay failed for now); 69 the IMAP server cannot
        be reached; 77 the IMAP login was refused; 64 bad usage; 78 configuration error.
        """
    static var options: [Option<Self>] {
        MailboxOptions.options.lifted(\.mailbox) + VendorOptions.options.lifted(\.vendor)
            + NoticeAlarmOptions.options.lifted(\.alarm)
    }

    var mailbox = MailboxOptions()
    var vendor = VendorOptions()
    var alarm = NoticeAlarmOptions()

    func validate() throws {
        try mailbox.validate(command: "watch")
        try vendor.transport.validate()
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let database = try context.openDatabase()
        let imap = mailbox.imap(filledFrom: configuration)
        // Watching Gmail or Microsoft 365 over IMAP or POP3 names the provider whose Authentication-Results count.
        let vendor = self.vendor.filled(from: configuration)
        let settings = try vendor.settings(
            context: context, imapHost: try mailbox.host(command: "watch", configuration: configuration))
        let pipeline = VendorPipeline(settings: settings, database: database, diagnostics: .standardError)
        let source = try mailbox.source(
            command: "watch", imap: imap, transport: self.vendor.transport, configuration: configuration,
            database: database, context: context, findsJunk: true,
            firstPass: .vendor(now: Date(), senders: settings.trust.senders))
        // Over IMAP the folders (the junk folder among them) are found on the first connection, made now so that the
        // start line can name them. A server not there yet is the watch's to retry (with --once, the exit).
        var folders: [IMAPSource.Folder]?
        if let source = source as? IMAPSource {
            do {
                folders = try source.resolveFolders()
            } catch  where !mailbox.once && source.shouldReconnect(after: error) {
                Diagnostics.standardError.warning("\(error.personMessage); the watch goes on, reconnecting")
                source.disconnect()
            }
        }
        Diagnostics.standardError.notice(
            Self.startLine(
                mailbox: mailbox, imapURL: imap.url, trust: vendor.trust, idles: source is IdlingMailSource,
                folderNames: imap.folders, folders: folders, junkPending: folders == nil && source is IMAPSource))
        let alarm = self.alarm.filled(from: configuration.alarm).day.map {
            NoticeAlarm(
                settings: NoticeAlarm.Settings(expectNoticeBy: $0, vendor: settings), database: database,
                diagnostics: .standardError)
        }
        let watcher = Watcher(
            source: source, handler: pipeline, settings: mailbox.watchSettings, stop: StopSignal(),
            diagnostics: .standardError
        ) { handled in
            let output = StandardOutput.shared
            for (key, decision) in handled { output.write("\(key): \(decision.rawValue)\n") }
            output.flush()
        } afterPass: {
            // The missing-notice alarm, after each pass (so a notice just read counts), at most every 10 minutes.
            alarm.map { $0.checkIfDue() ? .handled : .retryLater } ?? .handled
        }
        return try watcher.run() == .handled ? .success : .temporaryFailure
    }

    /// The line `watch` says on start: what it watches (a Maildir's path, or the IMAP URL without user or password),
    /// how (IDLE, polling every N s, or one pass), which folders, and whom it trusts (the senders and hosts, or the
    /// built-in JKK東京 policy when neither is set).
    ///
    /// Over IMAP, `folders` are the folders found on connecting; without them, the folders named (`folderNames`),
    /// and with `junkPending` (the server could not be reached yet) the junk folder still to be looked for.
    static func startLine(
        mailbox: MailboxOptions, imapURL: String?, trust: TrustOptions, idles: Bool, folderNames: [String] = [],
        folders: [IMAPSource.Folder]? = nil, junkPending: Bool = false
    ) -> String {
        let what: String
        var folder = "INBOX"
        if let maildir = mailbox.maildir {
            what = "Maildir \(maildir)"
        } else {
            var components = URLComponents(string: imapURL ?? "")
            components?.user = nil
            components?.password = nil
            what = components?.string ?? "IMAP"
            if let url = components?.string, let endpoint = try? IMAPSettings.endpoint(of: url) {
                folder = endpoint.mailbox
            }
            if let folders {
                folder = folders.map { found in
                    found.name
                        + (found.foundBy.map { " (the junk folder, found by \($0))" }
                            ?? (found.isJunk ? " (the junk folder)" : ""))
                }.joined(separator: ", ")
            } else {
                folder =
                    (folderNames.isEmpty ? [folder] : folderNames).joined(separator: ", ")
                    + (junkPending ? " and the junk folder, looked for once connected" : "")
            }
        }
        let poll = mailbox.poll ?? WatchSettings().pollSeconds
        let every = poll == poll.rounded() ? String(Int(poll)) : String(poll)
        var idle = "waiting with IDLE"
        if let folders, folders.count > 1 { idle += " on each of the \(folders.count) folders, a connection each" }
        let how =
            mailbox.once
            ? "one pass (--once)" : idles && !mailbox.noIdle ? idle : "polling every \(every) s"
        let trusted =
            trust.senders.isEmpty && trust.hosts.isEmpty
            ? "the built-in JKK東京 policy"
            : "senders \(trust.policy().senders.joined(separator: ", ")), hosts \(trust.policy().hosts.joined(separator: ", "))"
        return "watching \(what), \(how); folders: \(folder); trusting \(trusted)".replacingControlCharacters()
    }
}
