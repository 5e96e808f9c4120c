import Foundation
import MailParse

/// `notifier notices send ...` and `notifier notices status ...`: the issuer's yearly batch of update notices.
enum NoticesCommand {
    static let entry = CommandEntry(
        group: "notices", summary: "Send the year's update notices to every vendor (crash-safe), or show their state",
        about: "The issuer's yearly batch of update notices: one personal download URL per vendor and fiscal year.",
        [CommandEntry(NoticesSendCommand.self, in: "notices"), CommandEntry(NoticesStatusCommand.self, in: "notices")])
}

/// `notifier notices send`.
struct NoticesSendCommand: Command {
    static let name = "send"
    static let summary = "Give every eligible vendor its notice for the fiscal year, once"
    static let usage = [
        "send [--fiscal-year N] --download-url-base URL --from ADDR (--smtp URL | --outbox DIR)",
        "     [--connections N] [--rate N/min] [--dry-run] [--force] [--retry-deferred]",
    ]
    static let about = """
        Gives every eligible vendor its notice for fiscal year N (default: the coming one), once: a personal URL
        (URL?t= and a random 128-bit token) and a Message-ID fixed for the year. Each notice's state is committed
        before and after its SMTP exchange: a run killed at any moment and run again skips nobody, and sends a
        second copy only of the message in flight (same Message-ID). Transient failures (4xx, timeouts) are
        retried on later runs with exponential backoff (5 min doubling, at most 6 h; --retry-deferred tries them
        now); refusals (5xx) are recorded with the server's reply. Notices go out only in the renewal window
        (01-15 to 03-31 before the year, Japan time) unless --force. Commissioned contractors, and any vendor
        with notify_after, are notified from that day. Ends with a summary.
        """
    static let footer = """
        Exit status: 0 all sent, 67 some refused for good, 75 some deferred (or another run holds the batch),
        69 no server, 77 login refused.
        """
    static var options: [Option<Self>] {
        VendorYearOptions.options.filter { $0.flag == "--fiscal-year" }.lifted(\.year)
            + NoticeOptions.options.lifted(\.notices) + SenderOptions.options.lifted(\.sender)
            + TransportOptions.options.lifted(\.transport) + [
                .value(
                    "--connections", "N", \.connections, "SMTP connections at work at once (default 1)",
                    parse: Parse.number(1...64)),
                .value("--rate", "N/min", \.rate, "at most N messages a minute", parse: Self.rate),
                .flag("--dry-run", \.dryRun, "say who would get a notice, and send nothing"),
                .flag("--force", \.force, "send outside the renewal window"),
                .flag("--retry-deferred", \.retryDeferred, "try deferred notices now, without waiting for their backoff"),
            ]
    }

    var year = VendorYearOptions()
    var notices = NoticeOptions()
    var sender = SenderOptions()
    var transport = TransportOptions()
    var connections: Int?
    var rate: Int?
    var dryRun = false
    var force = false
    var retryDeferred = false

    func validate() throws { try transport.validate() }

    /// `600/min` or `600`.
    static func rate(_ value: String) throws -> Int {
        let number = value.hasSuffix("/min") ? String(value.dropLast(4)) : value
        guard let perMinute = Int(number), perMinute > 0 else { throw InvalidValue("takes messages per minute like 600/min") }
        return perMinute
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let now = Date()
        let year = self.year.fiscalYear ?? RenewalCalendar.comingFiscalYear(at: now)
        let window = RenewalCalendar.window(of: year)
        if !RenewalCalendar.isInWindow(now, fiscalYear: year) && !force {
            throw UsageError(
                "fiscal year \(year)'s notices go out from \(JapanClock.noticeText(window.start)) to "
                    + "\(JapanClock.noticeText(window.end.addingTimeInterval(-60))) (Japan time); it is "
                    + "\(JapanClock.noticeText(now)) now. Use --force to send anyway.")
        }
        let options = self.sender.filled(from: configuration.sender)
        let sender = try options.sender(command: "notices send")
        guard let base = notices.filled(from: configuration.notices).downloadURLBase else {
            throw UsageError("notices send: give --download-url-base URL (or set download_url_base in the configuration)")
        }
        let database = try context.openDatabase()
        let output = StandardOutput.shared
        let lock = try RunLock(path: database.path + ".send-lock")
        defer { lock.release() }

        // Who is due: vendors without a notice this year who may be notified today (notify_after), plus every
        // planned, interrupted or deferred notice.
        let today = RenewalCalendar.japanDate(of: now)
        let vendors = try VendorStore(database: database).all()
        let eligible = vendors.filter { vendor in
            if let after = vendor.notifyAfter { return after <= today }
            return vendor.kind == .construction
        }
        let waiting = vendors.count - eligible.count
        let store = NoticeStore(database: database)
        if dryRun {
            let existing = Set(try store.notices(fiscalYear: year).map { $0.vendorCode })
            let new = eligible.filter { !existing.contains($0.code) }
            let due = try store.due(fiscalYear: year, now: now, retryDeferred: retryDeferred)
            output.write("dry run, fiscal year \(year): \(new.count) new notices and \(due.count) due again would be sent; "
                + "\(waiting) vendors wait for their update data (notify_after)\n")
            for vendor in new { output.write("  new  \(vendor.code)  \(vendor.email)\n") }
            for notice in due { output.write("  \(notice.state.rawValue)  \(notice.vendorCode)\n") }
            return .success
        }
        let domain = options.messageIDDomain ?? sender.domain
        let planned = try store.plan(
            vendorCodes: eligible.map(\.code), fiscalYear: year, urlBase: base, messageIDDomain: domain, now: now)
        let due = try store.due(fiscalYear: year, now: now, retryDeferred: retryDeferred)
        let transport = self.transport.filled(from: configuration.transport)
        let sendSettings = BatchSender.Settings(
            fiscalYear: year, sender: sender,
            charset: options.bodyCharset, templates: TemplateStore(directory: options.templates),
            vendors: Dictionary(vendors.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first }), connections: connections ?? 1,
            ratePerMinute: rate, retryDeferred: retryDeferred,
            transport: { try transport.transport(context: context) },
            progress: isatty(STDERR_FILENO) == 1 ? .terminalLine(noun: "notices") : nil)
        let summary = try BatchSender(settings: sendSettings, database: database).run(due: due)

        output.write("fiscal year \(year): \(summary.sent) sent, \(summary.deferred) deferred, \(summary.failed) failed "
            + "(of \(due.count) due; \(planned) new this run; \(waiting) vendors wait for notify_after)\n")
        for failure in summary.failures { output.write("  failed    \(failure.vendor): \(failure.reply)\n") }
        for deferral in summary.deferrals.prefix(20) { output.write("  deferred  \(deferral.vendor): \(deferral.reply)\n") }
        if summary.deferrals.count > 20 { output.write("  ... and \(summary.deferrals.count - 20) more deferred\n") }
        if let stop = summary.stoppedBy {
            Diagnostics.standardError.error("stopped early: \(stop.reply)")
            return ExitCode(for: stop)
        }
        if summary.failed > 0 { return .noUser }
        if summary.deferred > 0 { return .temporaryFailure }
        return .success
    }
}

/// `notifier notices status`.
struct NoticesStatusCommand: Command {
    static let name = "status"
    static let summary = "Count the notices per state and show the failures with the server's reply"
    static let about = "Counts the fiscal year's notices per state, and lists the failures with the server's reply."
    static var options: [Option<Self>] {
        VendorYearOptions.options.filter { $0.flag == "--fiscal-year" }.lifted(\.year)
            + [.flag("--json", \.json, "one JSON object: fiscal_year, a count per state, and problems")]
    }

    var year = VendorYearOptions()
    var json = false

    func run(_ context: CommandContext) throws -> ExitCode {
        let year = self.year.fiscalYear ?? RenewalCalendar.comingFiscalYear(at: Date())
        let store = NoticeStore(database: try context.openDatabase())
        let counts = try store.counts(fiscalYear: year)
        let problems = try store.notices(fiscalYear: year, states: NoticeState.allCases.filter(\.needsAttention))
        let states = NoticeState.allCases
        let output = StandardOutput.shared
        if json {
            var line = "{\"fiscal_year\": \(year)"
            for state in states { line += ", \"\(state.rawValue)\": \(counts[state] ?? 0)" }
            line += ", \"problems\": ["
            line += problems.map { notice in
                var item = JSONLine()
                item.add("vendor_code", notice.vendorCode.rawValue)
                item.add("state", notice.state.rawValue)
                item.add("attempts", notice.attempts)
                item.add("last_code", notice.lastCode)
                item.add("last_reply", notice.lastReply)
                return item.line
            }.joined(separator: ", ")
            output.write(line + "]}\n")
        } else {
            output.write("fiscal year \(year): " + states.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ") + "\n")
            for notice in problems {
                output.write("  \(notice.state.rawValue)  \(notice.vendorCode)  after \(notice.attempts) attempts: \(notice.lastReply ?? "")\n")
            }
        }
        return .success
    }
}
