import Foundation
import MailParse

/// One fiscal year's round of update notices: when it may run, who gets a notice, what a dry run would send, and
/// the run itself (plan the missing notices, send every due one) ending in a summary. The command only resolves its
/// options, holds the run lock, prints and picks the exit status. Each step is given the database: the run hands it
/// over to the batch sender's threads.
package struct Campaign {
    let fiscalYear: Int
    /// The run's instant: the window, notify_after and the retry times are all judged at it.
    let now: Date
    /// Only these vendors' notices, sent now (their deferred ones without waiting for the backoff); nil for all.
    let only: Set<VendorCode>?

    package init(fiscalYear: Int, now: Date, only: Set<VendorCode>? = nil) {
        self.fiscalYear = fiscalYear
        self.now = now
        self.only = only
    }

    /// Whether the run takes `vendor`'s notice.
    private func includes(_ vendor: VendorCode) -> Bool { only?.contains(vendor) ?? true }

    /// The notices due now, of the vendors the run takes.
    private func due(in store: NoticeStore, retryDeferred: Bool) throws -> [NoticeStore.Notice] {
        try store.due(fiscalYear: fiscalYear, now: now, retryDeferred: retryDeferred || only != nil)
            .filter { includes($0.vendorCode) }
    }

    /// Notices for `fiscalYear` may not go out at `now` (outside its renewal window).
    package struct OutsideWindow: Error, Equatable {
        let fiscalYear: Int
        let window: DateInterval
        let now: Date

        /// In words, with the window's first and last minute in Japan time.
        package var message: String {
            "fiscal year \(fiscalYear)'s notices go out from \(JapanClock.noticeText(window.start)) to "
                + "\(JapanClock.noticeText(window.end.addingTimeInterval(-60))) (Japan time); it is "
                + "\(JapanClock.noticeText(now)) now. Use --force to send anyway."
        }
    }

    /// Where `now` stands to fiscal year `fiscalYear`'s renewal window, in one sentence for a dry run: open until
    /// when, opening when, or closed since when (Japan time), and what a real send would do then.
    package static func windowText(fiscalYear: Int, at now: Date, forced: Bool) -> String {
        let window = RenewalCalendar.window(of: fiscalYear)
        let from = JapanClock.noticeText(window.start)
        let to = JapanClock.noticeText(window.end.addingTimeInterval(-60))
        let then =
            forced ? "--force would send anyway" : "a send without --force is refused (exit 64) until then"
        if now < window.start {
            return "the renewal window for fiscal year \(fiscalYear) opens \(from) and closes \(to) (Japan time); "
                + "it is \(JapanClock.noticeText(now)) now: \(then)"
        }
        if now >= window.end {
            let closed = forced ? "--force would send anyway" : "a send without --force is refused (exit 64)"
            return "the renewal window for fiscal year \(fiscalYear) closed \(to) (Japan time; it opened \(from)); "
                + "it is \(JapanClock.noticeText(now)) now: \(closed)"
        }
        return "the renewal window for fiscal year \(fiscalYear) is open until \(to) (Japan time)"
    }

    /// Throws `OutsideWindow` unless notices for `fiscalYear` may go out at `now` (checked before anything is opened).
    package static func checkWindow(fiscalYear: Int, at now: Date) throws {
        guard RenewalCalendar.isInWindow(now, fiscalYear: fiscalYear) else {
            throw OutsideWindow(fiscalYear: fiscalYear, window: RenewalCalendar.window(of: fiscalYear), now: now)
        }
    }

    /// Whether `vendor` may get a notice on `day` (Japan time): a vendor with notify_after from that day on; else a
    /// construction vendor (they renew every year), never a commissioned contractor (notified only once their
    /// update data is ready, which notify_after says).
    static func isEligible(_ vendor: VendorRecord, on day: CalendarDate) -> Bool {
        if let after = vendor.notifyAfter { return after <= day }
        return vendor.kind == .construction
    }

    /// The registry split by `isEligible` today.
    package struct Eligibility {
        /// Every vendor in the registry (of those the run takes).
        package let vendors: [VendorRecord]
        let eligible: [VendorRecord]
        /// How many wait for their update data (notify_after).
        var waiting: Int { vendors.count - eligible.count }
    }

    package func eligibility(in database: Database) throws -> Eligibility {
        let today = RenewalCalendar.japanDate(of: now)
        let vendors = try VendorStore(database: database).all().filter { includes($0.code) }
        return Eligibility(vendors: vendors, eligible: vendors.filter { Self.isEligible($0, on: today) })
    }

    /// What a run would send, without changing anything.
    package struct DryRun {
        /// Eligible vendors without a notice this year: they would get a new one.
        package let new: [VendorRecord]
        /// Notices planned before and due now (pending, interrupted, deferred whose time has come).
        package let due: [NoticeStore.Notice]
        package let waiting: Int
    }

    package func dryRun(_ eligibility: Eligibility, retryDeferred: Bool, in database: Database) throws -> DryRun {
        let store = NoticeStore(database: database)
        let existing = Set(try store.notices(fiscalYear: fiscalYear).map(\.vendorCode))
        return DryRun(
            new: eligibility.eligible.filter { !existing.contains($0.code) },
            due: try due(in: store, retryDeferred: retryDeferred), waiting: eligibility.waiting)
    }

    /// How a run is sent: a round of notices, or a wave of reminders (`ReminderRound`).
    package struct Sending {
        package var sender: Mailbox
        /// The envelope sender, where bounces go; nil for the sender's address.
        var returnPath: ReturnPath?
        /// The domain of the Message-IDs.
        var messageIDDomain: String
        var charset: OutgoingMessage.BodyCharset = .utf8
        var templates = TemplateStore(directory: nil)
        var connections = 1
        var ratePerMinute: Int?
        var retryDeferred = false
        /// Makes one transport per connection.
        package var transport: @Sendable () throws -> MessageTransport
        /// Where the run shows its progress (the terminal line on standard error), or nil.
        var progress: ProgressSink?

        package init(
            sender: Mailbox,
            returnPath: ReturnPath? = nil,
            messageIDDomain: String,
            charset: OutgoingMessage.BodyCharset = .utf8,
            templates: TemplateStore = TemplateStore(directory: nil),
            connections: Int = 1,
            ratePerMinute: Int? = nil,
            retryDeferred: Bool = false,
            transport: @escaping @Sendable () throws -> MessageTransport,
            progress: ProgressSink? = nil
        ) {
            self.sender = sender
            self.returnPath = returnPath
            self.messageIDDomain = messageIDDomain
            self.charset = charset
            self.templates = templates
            self.connections = connections
            self.ratePerMinute = ratePerMinute
            self.retryDeferred = retryDeferred
            self.transport = transport
            self.progress = progress
        }

        /// The batch sender's settings for a mailing of `fiscalYear` to these vendors (the registry, in which each
        /// row's vendor is looked up).
        func settings(fiscalYear: Int, mailing: NoticeStore.Mailing, vendors: [VendorRecord]) -> BatchSender.Settings {
            BatchSender.Settings(
                fiscalYear: fiscalYear, mailing: mailing, sender: sender, returnPath: returnPath, charset: charset,
                templates: templates,
                vendors: Dictionary(vendors.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first }),
                connections: connections, ratePerMinute: ratePerMinute, retryDeferred: retryDeferred,
                transport: transport, progress: progress)
        }
    }

    /// What a run did.
    package struct Result {
        package let summary: BatchSender.Summary
        /// Notices due at the start of the run.
        package let due: Int
        /// Notices created this run.
        package let planned: Int
        package let waiting: Int

        /// The run as a whole.
        package typealias Outcome = BatchSender.Summary.Outcome

        package var outcome: Outcome { summary.outcome }
    }

    /// Plans a notice (a personal URL `urlBase?t=TOKEN`, a Message-ID) for every eligible vendor without one, then
    /// sends every due notice.
    package func run(_ eligibility: Eligibility, urlBase: String, sending: Sending, in database: sending Database)
        throws -> Result
    {
        let store = NoticeStore(database: database)
        let planned = try store.plan(
            vendorCodes: eligibility.eligible.map(\.code), fiscalYear: fiscalYear, urlBase: urlBase,
            messageIDDomain: sending.messageIDDomain, now: now)
        let due = try due(in: store, retryDeferred: sending.retryDeferred)
        let settings = sending.settings(fiscalYear: fiscalYear, mailing: .notices, vendors: eligibility.vendors)
        let summary = try BatchSender(settings: settings, database: database).run(due: due)
        return Result(summary: summary, due: due.count, planned: planned, waiting: eligibility.waiting)
    }
}
