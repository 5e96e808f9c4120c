import Foundation
import MailParse
import NotifierCore

/// `notifier notices send|remind|status|requeue|lookup|report ...`: the issuer's yearly batch of update notices.
enum NoticesCommand {
    static let entry = CommandEntry(
        group: "notices",
        summary:
            "The year's update notices: send them (crash-safe), remind, their state, requeue, token lookup, report",
        about: "The issuer's yearly batch of update notices: one personal download URL per vendor and fiscal year.",
        [
            CommandEntry(NoticesSendCommand.self, in: "notices"),
            CommandEntry(NoticesRemindCommand.self, in: "notices"),
            CommandEntry(NoticesStatusCommand.self, in: "notices"),
            CommandEntry(NoticesRequeueCommand.self, in: "notices"),
            CommandEntry(NoticesLookupCommand.self, in: "notices"),
            CommandEntry(NoticesReportCommand.self, in: "notices"),
        ])
}

/// `notifier notices send`.
struct NoticesSendCommand: Command {
    static let name = "send"
    static let summary = "Give every eligible vendor its notice for the fiscal year, once"
    static let usage = [
        "send [--fiscal-year N] --download-url-base URL --from ADDR (--smtp URL | --outbox DIR)",
        "     [--connections N] [--rate N/min] [--dry-run] [--force] [--retry-deferred] [--vendor CODE]...",
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
        The summary ends with what is outstanding for the year (of the vendors named, with --vendor): failed,
        bounced and deferred notices from this run or earlier ones. A dry run sends nothing, also outside the
        window, and says when the window opens or closed.

        Exit status: 0 all sent and nothing outstanding; 67 some refused for good or bounced (this run or
        before); 75 some deferred and none refused (or another run holds the batch); 69 no server; 77 login
        refused; 64 outside the renewal window without --force, or bad usage.
        """
    static var options: [Option<Self>] {
        VendorYearOptions.options.filter { $0.flag == "--fiscal-year" }.lifted(\.year)
            + NoticeOptions.options.lifted(\.notices) + SenderOptions.options.lifted(\.sender)
            + TransportOptions.options.lifted(\.transport) + BatchOptions.options.lifted(\.batch) + [
                .list(
                    "--vendor", "CODE", \.vendors,
                    "only this vendor's notice, now: a deferred one without waiting for its backoff (repeatable)",
                    parse: VendorCode.init)
            ]
    }

    var year = VendorYearOptions()
    var notices = NoticeOptions()
    var sender = SenderOptions()
    var transport = TransportOptions()
    var batch = BatchOptions()
    var vendors: [VendorCode] = []

    func validate() throws { try transport.validate() }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let now = Date()
        let year = self.year.fiscalYear ?? RenewalCalendar.comingFiscalYear(at: now)
        // A dry run sends nothing, so it runs outside the window too, and says when the window is.
        if !batch.dryRun { try batch.checkWindow(fiscalYear: year, at: now) }
        let options = self.sender.filled(from: configuration.sender)
        let sender = try options.sender(command: "notices send")
        guard let base = notices.filled(from: configuration.notices).downloadURLBase else {
            throw UsageError(
                "notices send: give --download-url-base URL (or set download_url_base in the configuration)")
        }
        try NoticeOptions.checkTrusted(base: base, trust: configuration.trust, command: "notices send")
        let database = try context.openDatabase()
        let output = StandardOutput.shared
        let lock = try RunLock(path: database.path + ".send-lock")
        defer { lock.release() }

        let campaign = Campaign(fiscalYear: year, now: now, only: vendors.isEmpty ? nil : Set(vendors))
        let eligibility = try campaign.eligibility(in: database)
        for vendor in vendors where !eligibility.vendors.contains(where: { $0.code == vendor }) {
            Diagnostics.standardError.warning("vendor \(vendor) is not in the registry; nothing to send to it")
        }
        let registry = Dictionary(eligibility.vendors.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        if batch.dryRun {
            let plan = try campaign.dryRun(eligibility, retryDeferred: batch.retryDeferred, in: database)
            output.write(
                "dry run, fiscal year \(year): \(counted(plan.new.count, "new notice")) and \(plan.due.count) due "
                    + "again would be sent; \(counted(plan.waiting, "vendor")) waiting for their update data "
                    + "(notify_after)\n")
            output.write(Campaign.windowText(fiscalYear: year, at: now, forced: batch.force) + "\n")
            for vendor in plan.new { output.write("  new  \(vendor.shown)\n") }
            for notice in plan.due {
                output.write("  \(notice.state.rawValue)  \(BatchReport.shown(notice.vendorCode, in: registry))\n")
            }
            return .success
        }
        let sending = batch.sending(
            sender: sender, options: options, transport: self.transport.filled(from: configuration.transport),
            noun: "notices", context: context)
        let result = try campaign.run(eligibility, urlBase: base, sending: sending, in: database)
        // The run is over and handed its connection back: the process's one connection to the file, asked again.
        let outstanding = try BatchReport.Outstanding(
            NoticeStore(database: try context.openDatabase()), fiscalYear: year,
            only: vendors.isEmpty ? nil : Set(vendors),
            scope: vendors.isEmpty ? "fiscal year \(year)" : "the vendors named",
            listedBy: "notifier notices status --fiscal-year \(year)")
        return BatchReport.finish(
            result.summary, heading: "fiscal year \(year)",
            details: "of \(result.due) due; \(result.planned) new this run; \(counted(result.waiting, "vendor")) "
                + "waiting for notify_after", registry: registry, outstanding: outstanding)
    }
}

/// `notifier notices status`.
struct NoticesStatusCommand: Command {
    static let name = "status"
    static let summary = "Count the notices per state and show the failures with the server's reply"
    static let about = """
        Counts the fiscal year's notices per state, and lists the failed, bounced and deferred ones: vendor code,
        name and address, and the server's reply.
        """
    static var options: [Option<Self>] {
        VendorYearOptions.options.filter { $0.flag == "--fiscal-year" }.lifted(\.year)
            + [
                .flag(
                    "--json", \.json,
                    "one JSON object: fiscal_year, a count per state, and problems (vendor_code, state, attempts, "
                        + "last_code, last_reply, bounce_status, bounce_diagnostic, name, email)")
            ]
    }

    var year = VendorYearOptions()
    var json = false

    func run(_ context: CommandContext) throws -> ExitCode {
        let year = self.year.fiscalYear ?? RenewalCalendar.comingFiscalYear(at: Date())
        let database = try context.openDatabase()
        let store = NoticeStore(database: database)
        let registry = Dictionary(
            try VendorStore(database: database).all().map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
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
                item.add("bounce_status", notice.bounceStatus)
                item.add("bounce_diagnostic", notice.bounceDiagnostic)
                item.add("name", registry[notice.vendorCode]?.name)
                item.add("email", registry[notice.vendorCode]?.email)
                return item.line
            }.joined(separator: ", ")
            output.write(line + "]}\n")
        } else {
            output.write(
                "fiscal year \(year): " + states.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
                    + "\n")
            for notice in problems {
                let vendor = BatchReport.shown(notice.vendorCode, in: registry)
                let line =
                    notice.state == .bounced
                    ? "  bounced  \(vendor)  \(notice.bounceStatus ?? "")  \(notice.bounceDiagnostic ?? "")"
                    : "  \(notice.state.rawValue)  \(vendor)  after \(counted(notice.attempts, "attempt")): "
                        + (notice.lastReply ?? "")
                output.write(line.replacingControlCharacters() + "\n")
            }
        }
        return .success
    }
}

/// `notifier notices lookup --token T [--json]`: the download portal's question, whose personal URL this is.
struct NoticesLookupCommand: Command {
    static let name = "lookup"
    static let summary = "Say whose personal download URL a token is (for the download portal)"
    static let usage = ["lookup --token T [--json]"]
    static let about = """
        Resolves the t= value of a personal download URL to the vendor and fiscal year it was made for, the
        vendor's name and the notice's state; the portal asks before it shows the vendor's login page.
        """
    static let footer = """
        Exit status: 0 found; 66 no notice has this token; 65 not a token notifier makes (22 characters of
        A-Z, a-z, 0-9, - and _); 64 bad usage.
        """
    static var options: [Option<Self>] {
        [
            Option.value("--token", "T", \.token, "the t= value of the personal URL", parse: Parse.text).required,
            .flag("--json", \.json, "one JSON object: vendor_code, fiscal_year, name, state"),
        ]
    }

    var token: String?
    var json = false

    func run(_ context: CommandContext) throws -> ExitCode {
        let token = self.token ?? ""
        guard NoticeStore.isWellFormedToken(token) else {
            throw DataError(
                "notices lookup: that is not a token notifier makes (22 characters of A-Z, a-z, 0-9, - and _)")
        }
        guard let owner = try NoticeStore(database: try context.openDatabase()).owner(ofToken: token) else {
            throw UnknownTokenError(
                message: "notices lookup: no notice has this token; check that the URL was copied whole, or look "
                    + "the vendor up with 'notifier notices status'")
        }
        if json {
            var line = JSONLine()
            line.add("vendor_code", owner.vendorCode.rawValue)
            line.add("fiscal_year", owner.fiscalYear)
            line.add("name", owner.name)
            line.add("state", owner.state.rawValue)
            StandardOutput.shared.write(line.line + "\n")
        } else {
            StandardOutput.shared.write(
                "\(owner.vendorCode)  FY\(owner.fiscalYear)  \(owner.state.rawValue)  \(owner.name.replacingControlCharacters())\n"
            )
        }
        return .success
    }
}

/// No notice has the token (EX_NOINPUT, 66).
struct UnknownTokenError: NotifierError {
    let message: String
}

/// `notifier notices requeue --fiscal-year N (--vendor CODE... | --state failed|bounced|deferred)`: notices back to pending
/// after the registry's addresses were fixed (a re-import), for the next `notices send`.
struct NoticesRequeueCommand: Command {
    static let name = "requeue"
    static let summary = "Put failed notices (or some vendors' notices) back to pending for the next send"
    static let usage = ["requeue --fiscal-year N (--vendor CODE... | --state failed|bounced|deferred)"]
    static let about = """
        Puts the fiscal year's notices of the vendors named, or all those in the state named, back to pending:
        the next 'notifier notices send' sends them again, with the same personal URL and a new Message-ID. Fix
        the registry first (notifier vendors import): the notice goes to the address the registry has then. A
        notice being sent, or already pending, is left as it is. Not while a send runs on the database (exit 75).
        """
    static let footer = "Exit status: 0 requeued; 66 nothing to requeue; 75 a send is running; 64 bad usage."
    static var options: [Option<Self>] {
        VendorYearOptions.options.filter { $0.flag == "--fiscal-year" }.lifted(\.year).map(\.required) + [
            .list("--vendor", "CODE", \.vendors, "this vendor's notice (repeatable)", parse: VendorCode.init),
            .list(
                "--state", "STATE", \.states, "every notice in this state: failed, bounced or deferred",
                parse: Self.state),
        ]
    }

    var year = VendorYearOptions()
    var vendors: [VendorCode] = []
    var states: [NoticeState] = []

    func validate() throws {
        if vendors.isEmpty == states.isEmpty {
            throw UsageError("notices requeue: give --vendor CODE... or --state STATE")
        }
    }

    /// One of the states a requeue takes back.
    static func state(_ value: String) throws -> NoticeState {
        guard let state = NoticeState(rawValue: value), NoticeState.requeueable.contains(state) else {
            throw InvalidValue("must be " + NoticeState.requeueable.map(\.rawValue).joined(separator: " or "))
        }
        return state
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let fiscalYear = year.fiscalYear ?? 0
        let database = try context.openDatabase()
        let lock = try RunLock(path: database.path + ".send-lock")
        defer { lock.release() }
        let requeued = try NoticeStore(database: database).requeue(
            fiscalYear: fiscalYear, vendors: vendors, states: states, now: Date())
        for vendor in vendors where !requeued.contains(vendor) {
            Diagnostics.standardError.warning(
                "vendor \(vendor) has no notice of fiscal year \(fiscalYear) to requeue (none, or pending, or being sent)"
            )
        }
        guard !requeued.isEmpty else {
            throw NothingToRequeueError(message: "notices requeue: nothing to requeue for fiscal year \(fiscalYear)")
        }
        StandardOutput.shared.write(
            "requeued \(counted(requeued.count, "notice")) of fiscal year \(fiscalYear) (same URL, new Message-ID): "
                + requeued.map(\.rawValue).joined(separator: ", ") + "\n")
        return .success
    }
}

/// No notice matched (EX_NOINPUT, 66).
struct NothingToRequeueError: NotifierError {
    let message: String
}
