import Dispatch
import Foundation

/// `notifier watch --maildir DIR` or `notifier watch --imap URL`: handles every message of a mailbox once, then
/// keeps watching until SIGTERM, or stops after one pass with `--once` (for cron).
struct WatchCommand: Command {
    static let name = "watch"
    static let summary = "Watch a mailbox (Maildir or IMAP) for notices: vault the URLs, relay fresh OTPs, report phishing"
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
        guard let seconds = Double(value), seconds >= 0.1, seconds <= 3600 else { throw InvalidValue("takes seconds from 0.1 to 3600") }
        return seconds
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let database = try context.openDatabase()
        let imap = self.imap.filled(from: configuration.imap)
        // Watching Gmail or Microsoft 365 over IMAP names the provider whose Authentication-Results count.
        let pipeline = VendorPipeline(
            settings: try vendor.filled(from: configuration).settings(context: context, imapHost: maildir == nil ? imap.host : nil),
            database: database)
        let stop = StopSignal()
        let poll = self.poll ?? 2
        if maildir == nil {
            guard imap.url != nil else {
                throw UsageError("watch: give --maildir DIR or --imap URL (or set imap_url in the configuration)")
            }
            let settings = try imap.settings(
                caFile: vendor.transport.caFile ?? configuration.transport.caFile,
                connectTimeout: vendor.transport.connectTimeout, timeout: vendor.transport.timeout, context: context)
            return try watchIMAP(pipeline: pipeline, database: database, stop: stop, settings: settings)
        }
        let source = MaildirSource(path: maildir ?? "")
        var status = ExitCode.success
        repeat {
            status = try guarded {
                // One message in memory at a time: each is read, judged and let go before the next is read.
                let judged = try source.unhandled(vault: pipeline.vault).compactMap { entry in
                    source.read(entry).map(pipeline.judge)
                }
                report(pipeline, keys: judged.map(\.key), decisions: try pipeline.handle(judged: judged))
            }
            if once { break }
            stop.wait(seconds: poll)
        } while !stop.requested
        return status
    }

    /// Runs one pass; a failed relay or a busy database is reported and tried again on the next pass.
    private func guarded(_ pass: () throws -> Void) throws -> ExitCode {
        do {
            try pass()
            return .success
        } catch let error as VendorPipeline.RelayError {
            FileHandle.standardError.write(Data("notifier: \(error.message); trying again\n".utf8))
        } catch let error as SQLiteError where error.isBusy {
            FileHandle.standardError.write(Data("notifier: \(error.message)\n".utf8))
        }
        return .temporaryFailure
    }

    /// Passes over the mailbox, waiting in IDLE (or --poll) between them; a lost connection or a restarted server
    /// is met with a reconnect after 1, 2, 4 ... 60 seconds, and nothing is lost because the last UID moves only
    /// past handled messages.
    private func watchIMAP(
        pipeline: VendorPipeline, database: Database, stop: StopSignal, settings: IMAPSettings
    ) throws -> ExitCode {
        let poll = self.poll ?? 2
        let source = IMAPSource(settings: settings)
        var idler: IMAPIdler?
        var backoff: Double = 1
        var status = ExitCode.success
        while !stop.requested {
            do {
                status = try guarded {
                    try source.pass(pipeline: pipeline, state: MailboxStateStore(database: database), onOversized: { skipped in
                        StandardOutput.shared.write("\(skipped.key): oversized\n")
                        StandardOutput.shared.flush()
                        FileHandle.standardError.write(Data(
                            ("notifier: message \(skipped.key) has \(skipped.size) bytes, more than --max-message-size "
                                + "\(settings.maxMessageSize); skipped and recorded as oversized\n").utf8))
                    }) { keys, decisions in
                        report(pipeline, keys: keys, decisions: decisions)
                    }
                }
                if once { return status }
                backoff = 1
                if !noIdle {
                    // IDLE on a connection of its own; wake at once for new mail, and at least every few seconds
                    // to look at the stop flag.
                    if idler == nil { idler = try IMAPIdler(settings: settings) }
                    _ = try idler?.wait(timeout: 2)
                } else {
                    stop.wait(seconds: poll)
                }
            } catch let error as IMAPError where error.shouldReconnect && !once {
                FileHandle.standardError.write(Data("notifier: \(error.message); reconnecting in \(Int(backoff)) s\n".utf8))
                source.disconnect()
                idler = nil
                stop.wait(seconds: backoff)
                backoff = min(backoff * 2, 60)
            }
        }
        return status
    }

    private func report(_ pipeline: VendorPipeline, keys: [String], decisions: [VendorPipeline.Decision?]) {
        let output = StandardOutput.shared
        for (key, decision) in zip(keys, decisions) {
            if let decision { output.write("\(key): \(decision.rawValue)\n") }
        }
        output.flush()
        for line in pipeline.reports { FileHandle.standardError.write(Data("notifier: \(line)\n".utf8)) }
        pipeline.clearReports()
    }
}
