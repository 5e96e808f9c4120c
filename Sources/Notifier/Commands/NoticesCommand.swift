import Foundation
import MailParse

/// `notifier notices send ...` and `notifier notices status ...`: the issuer's yearly batch of update notices.
struct NoticesCommand: Command {
    static let name = "notices"
    static let summary = "Send the year's update notices to every vendor (crash-safe), or show their state"
    static let help = """
        Usage: notifier notices send [--fiscal-year N] --download-url-base URL --from ADDR (--smtp URL | --outbox DIR)
                                     [--connections N] [--rate N/min] [--dry-run] [--force] [--retry-deferred]
               notifier notices status [--fiscal-year N] [--json]

        send    gives every eligible vendor its notice for fiscal year N (default: the coming one), once: a
                personal URL (URL?t= and a random 128-bit token) and a Message-ID fixed for the year. Each notice's
                state is committed before and after its SMTP exchange: a run killed at any moment and run again
                skips nobody, and sends a second copy only of the message in flight (same Message-ID). Transient
                failures (4xx, timeouts) are retried on later runs with exponential backoff (5 min doubling, at
                most 6 h; --retry-deferred tries them now); refusals (5xx) are recorded with the server's reply.
                Notices go out only in the renewal window (01-15 to 03-31 before the year, Japan time) unless
                --force. Commissioned contractors, and any vendor with notify_after, are notified from that day.
                --connections N SMTP connections work at once (default 1); --rate caps messages per minute.
                Ends with a summary; exit 0 all sent, 67 some refused for good, 75 some deferred, 69 no server,
                77 login refused.
        status  counts per state and the failures with the server's reply; --json: one object.

        Options for send also: --smtp-user, --smtp-password-file, --smtp-tls, --ca-file, --connect-timeout,
        --timeout (as for 'notifier send'), --charset, --templates.
        """

    enum Action {
        case send
        case status
    }

    var action: Action
    var fiscalYear: Int?
    var urlBase: String?
    var from: String?
    var connections = 1
    var rate: Int?
    var dryRun = false
    var force = false
    var retryDeferred = false
    var json = false
    var charset: OutgoingMessage.BodyCharset?
    var templates: String?
    var transport = TransportOptions()
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        guard case .positional(let verb)? = arguments.next() else { throw UsageError("notices: say send or status") }
        switch verb {
        case "send": action = .send
        case "status": action = .status
        default: throw UsageError("notices: unknown action '\(verb)' (send, status)")
        }
        while let word = arguments.next() {
            switch (action, word) {
            case (_, .option("--fiscal-year", let inline)):
                fiscalYear = try VendorYearOptions.fiscalYear(try arguments.value(for: "--fiscal-year", inlineValue: inline))
            case (.status, .option("--json", let inline)):
                try Arguments.flag("--json", inlineValue: inline)
                json = true
            case (.send, .option("--download-url-base", let inline)):
                let value = try arguments.value(for: "--download-url-base", inlineValue: inline)
                guard Validation.isDownloadURLBase(value) else {
                    throw UsageError("--download-url-base must be an https:// URL without spaces or '#'")
                }
                urlBase = value
            case (.send, .option("--from", let inline)):
                from = try arguments.value(for: "--from", inlineValue: inline)
            case (.send, .option("--connections", let inline)):
                let value = try arguments.value(for: "--connections", inlineValue: inline)
                guard let count = Int(value), (1...64).contains(count) else {
                    throw UsageError("--connections takes 1 to 64, not '\(value)'")
                }
                connections = count
            case (.send, .option("--rate", let inline)):
                let value = try arguments.value(for: "--rate", inlineValue: inline)
                let number = value.hasSuffix("/min") ? String(value.dropLast(4)) : value
                guard let perMinute = Int(number), perMinute > 0 else {
                    throw UsageError("--rate takes messages per minute like 600/min, not '\(value)'")
                }
                rate = perMinute
            case (.send, .option("--dry-run", let inline)):
                try Arguments.flag("--dry-run", inlineValue: inline)
                dryRun = true
            case (.send, .option("--force", let inline)):
                try Arguments.flag("--force", inlineValue: inline)
                force = true
            case (.send, .option("--retry-deferred", let inline)):
                try Arguments.flag("--retry-deferred", inlineValue: inline)
                retryDeferred = true
            case (.send, .option("--charset", let inline)):
                charset = try MessageOptions.charset(try arguments.value(for: "--charset", inlineValue: inline))
            case (.send, .option("--templates", let inline)):
                templates = try arguments.value(for: "--templates", inlineValue: inline)
            case (.send, _):
                guard try transport.take(word, from: &arguments) else {
                    throw UsageError("notices send: unexpected '\(word.text)'")
                }
            default:
                throw UsageError("notices \(verb): unexpected '\(word.text)'")
            }
        }
        if action == .send { try transport.validate() }
    }

    func run() throws -> ExitCode {
        switch action {
        case .send: return try send()
        case .status: return try status()
        }
    }

    private func send() throws -> ExitCode {
        let configuration = try context.configuration()
        let now = Date()
        let year = fiscalYear ?? RenewalCalendar.comingFiscalYear(at: now)
        do {
            if !force { try Campaign.checkWindow(fiscalYear: year, at: now) }
        } catch let closed as Campaign.OutsideWindow {
            throw UsageError(closed.message)
        }
        if let from { try Validation.checkOneLine(from, what: "notices send: --from") }
        guard let fromText = from ?? configuration.from, let sender = Validation.mailbox(fromText) else {
            throw UsageError("notices send: give --from ADDR (or set from in the configuration)")
        }
        guard let base = urlBase ?? configuration.downloadURLBase else {
            throw UsageError("notices send: give --download-url-base URL (or set download_url_base in the configuration)")
        }
        let database = try context.openDatabase()
        let output = StandardOutput.shared
        let lock = try RunLock(path: database.path + ".send-lock")
        defer { lock.release() }

        let campaign = Campaign(database: database, fiscalYear: year, now: now)
        let eligibility = try campaign.eligibility()
        if dryRun {
            let plan = try campaign.dryRun(eligibility, retryDeferred: retryDeferred)
            output.write("dry run, fiscal year \(year): \(plan.new.count) new notices and \(plan.due.count) due again would be sent; "
                + "\(plan.waiting) vendors wait for their update data (notify_after)\n")
            for vendor in plan.new { output.write("  new  \(vendor.code)  \(vendor.email)\n") }
            for notice in plan.due { output.write("  \(notice.state.rawValue)  \(notice.vendorCode)\n") }
            return .success
        }
        let transportOptions = transport
        let context = self.context
        let result = try campaign.run(eligibility, sending: Campaign.Sending(
            urlBase: base, sender: sender, messageIDDomain: configuration.messageIDDomain ?? sender.domain,
            charset: charset ?? configuration.charset ?? .utf8,
            templates: TemplateStore(directory: templates ?? configuration.templates), connections: connections,
            ratePerMinute: rate, retryDeferred: retryDeferred,
            transport: { try transportOptions.transport(configuration: configuration, context: context) },
            progress: isatty(STDERR_FILENO) == 1))

        let summary = result.summary
        output.write("fiscal year \(year): \(summary.sent) sent, \(summary.deferred) deferred, \(summary.failed) failed "
            + "(of \(result.due) due; \(result.planned) new this run; \(result.waiting) vendors wait for notify_after)\n")
        for failure in summary.failures { output.write("  failed    \(failure.vendor): \(failure.reply)\n") }
        for deferral in summary.deferrals.prefix(20) { output.write("  deferred  \(deferral.vendor): \(deferral.reply)\n") }
        if summary.deferrals.count > 20 { output.write("  ... and \(summary.deferrals.count - 20) more deferred\n") }
        switch result.outcome {
        case .stopped(let stop):
            Diagnostics.standardError.error("stopped early: \(stop.reply)")
            return stop.exitCode
        case .someFailed: return .noUser
        case .someDeferred: return .temporaryFailure
        case .allSent: return .success
        }
    }

    private func status() throws -> ExitCode {
        let year = fiscalYear ?? RenewalCalendar.comingFiscalYear(at: Date())
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
                item.add("vendor_code", notice.vendorCode)
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
