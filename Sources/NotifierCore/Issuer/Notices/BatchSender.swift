import Foundation
import MailParse
import Synchronization

/// Sends the year's update notices (or a wave of reminders: `NoticeStore.Mailing`) over `connections` SMTP
/// connections at once, each notice's state committed before and after its exchange, so a run killed at any instant
/// and run again skips nobody and sends a second copy only of the message that was in flight (with the same
/// Message-ID).
package final class BatchSender: Sendable {
    package struct Settings: Sendable {
        var fiscalYear: Int
        /// What is sent: the rows it works and the template it writes them with.
        var mailing: NoticeStore.Mailing
        package var sender: Mailbox
        /// The envelope sender (where bounces go); nil for the sender's address.
        var returnPath: ReturnPath?
        var charset: OutgoingMessage.BodyCharset
        var templates: TemplateStore
        /// The registry, by vendor code (loaded once; a notice's vendor is looked up here).
        var vendors: [VendorCode: VendorRecord]
        var connections: Int
        /// Messages per minute over all connections; nil for as fast as the server takes them.
        var ratePerMinute: Int?
        var retryDeferred: Bool
        /// Makes one transport per connection.
        package var transport: @Sendable () throws -> MessageTransport
        /// Where the count and pace go while the batch runs; nil for nowhere.
        var progress: ProgressSink?

        package init(
            fiscalYear: Int,
            mailing: NoticeStore.Mailing = .notices,
            sender: Mailbox,
            returnPath: ReturnPath? = nil,
            charset: OutgoingMessage.BodyCharset,
            templates: TemplateStore,
            vendors: [VendorCode: VendorRecord],
            connections: Int,
            ratePerMinute: Int? = nil,
            retryDeferred: Bool,
            transport: @escaping @Sendable () throws -> MessageTransport,
            progress: ProgressSink? = nil
        ) {
            self.fiscalYear = fiscalYear
            self.mailing = mailing
            self.sender = sender
            self.returnPath = returnPath
            self.charset = charset
            self.templates = templates
            self.vendors = vendors
            self.connections = connections
            self.ratePerMinute = ratePerMinute
            self.retryDeferred = retryDeferred
            self.transport = transport
            self.progress = progress
        }

        /// The template every message of the batch is written with.
        var template: TemplateName { mailing.template }
    }

    package struct Summary: Sendable {
        package var sent = 0
        package var deferred = 0
        package var failed = 0
        package var failures: [(vendor: VendorCode, reply: String)] = []
        package var deferrals: [(vendor: VendorCode, reply: String)] = []
        /// Why the run stopped early (no server, login refused), with the delivery that said so.
        var stoppedBy: Delivery?
        var total = 0

        /// The run as a whole.
        package enum Outcome: Equatable {
            case allSent
            /// Some were refused for good (5xx).
            case someFailed
            /// Some are deferred, to be tried again later.
            case someDeferred
            /// No server, or the login was refused: the rest were not tried.
            case stopped(by: Delivery)
        }

        package var outcome: Outcome {
            if let stop = stoppedBy { return .stopped(by: stop) }
            if failed > 0 { return .someFailed }
            if deferred > 0 { return .someDeferred }
            return .allSent
        }
    }

    /// What the connections' threads share: the queue, the tally, the rate's next slot.
    private struct State {
        var queue: [NoticeStore.Notice] = []
        var next = 0
        var summary = Summary()
        var nextSlot = Date.distantPast
        var started = Date()
        var lastProgress = Date.distantPast
        var workerError: (any Error)?
        var breaker = Breaker()
    }

    /// Stops a run whose server refuses the sender rather than the recipients (a quota, an M365 "not allowed to
    /// send as"): 20 refusals in a row with the same 5xx code, or half of the first 50 attempts refused. Without it a
    /// relay that refuses everyone marks the whole registry failed in seconds.
    struct Breaker {
        static let streakLimit = 20
        static let sample = 50

        /// The refusals in a row with one code, and that code.
        var streak: [NoticeStore.Notice] = []
        var streakCode: Int?
        /// Outcomes noted so far, and the refusals among the first `sample`.
        var attempts = 0
        var earlyRefusals: [NoticeStore.Notice] = []
        /// Once tripped, every notice whose refusal is to be undone (the streak's, or the sample's).
        var tripped: [NoticeStore.Notice]?
        /// How it tripped, for the message: "in a row", or "of the first 50".
        var how = ""

        /// Counts one outcome; true when it trips the breaker now.
        mutating func note(_ id: NoticeStore.Notice, _ delivery: Delivery) -> Bool {
            attempts += 1
            let refused = delivery.outcome == .permanent && delivery.code.map { (500..<600).contains($0) } == true
            if tripped != nil {
                if refused && delivery.code == streakCode { tripped?.append(id) }
                return false
            }
            guard refused else {
                streak = []
                streakCode = nil
                return false
            }
            if delivery.code != streakCode { streak = [] }
            streakCode = delivery.code
            streak.append(id)
            if attempts <= Self.sample { earlyRefusals.append(id) }
            if streak.count >= Self.streakLimit {
                tripped = streak
                how = "in a row"
            } else if earlyRefusals.count * 2 >= Self.sample {
                tripped = earlyRefusals
                how = "of the first \(Self.sample)"
            }
            return tripped != nil
        }
    }

    private let settings: Settings
    private let state = Mutex(State())
    /// The connections' one database connection, through which their writes are committed together when they
    /// come together. Writers take turns there rather than in SQLite's busy handler, which sleeps a millisecond or
    /// more each time it finds the database locked, and one connection keeps one page cache warm instead of each
    /// re-reading what the others wrote.
    private let commits: GroupCommit<Bool>

    /// `database` is the process's connection: the batch's threads use it through one `GroupCommit`, and nothing
    /// else uses it while the batch runs.
    init(settings: Settings, database: sending Database) {
        self.settings = settings
        commits = GroupCommit(database: database)
    }

    /// Sends every due notice; returns what happened.
    func run(due: [NoticeStore.Notice]) throws -> Summary {
        state.withLock { state in
            state.queue = due
            state.summary.total = due.count
            state.started = Date()
        }
        let group = DispatchGroup()
        for _ in 0..<max(1, min(settings.connections, due.count)) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do { try work() } catch {
                    state.withLock { state in
                        if state.workerError == nil { state.workerError = error }
                    }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        settings.progress?.finish()
        var (summary, workerError) = state.withLock { ($0.summary, $0.workerError) }
        let undone = state.withLock { $0.breaker.tripped ?? [] }
        if let workerError { throw workerError }
        if !undone.isEmpty {
            // The breaker's refusals were the server's, not the vendors': back to pending, and not counted as failed.
            let ids = undone.map(\.id)
            let mailing = settings.mailing
            _ = try commits.commit { database in
                try NoticeStore(database: database, mailing: mailing).reopen(ids, now: Date())
                return true
            }
            let vendors = Set(undone.map(\.vendorCode))
            summary.failed -= vendors.count
            summary.failures.removeAll { vendors.contains($0.vendor) }
        }
        return summary
    }

    /// A notice taken from the queue and made ready to go: its message, or why it cannot be sent.
    private struct Prepared {
        let notice: NoticeStore.Notice
        package let message: (bytes: [UInt8], envelope: Envelope)?
        let failure: Delivery?
    }

    /// One connection's loop, with its own transport. The outcome of one notice and the claim of the next are one
    /// write, committed (alone, or with other connections' writes of the same moment) before the next message
    /// goes: still only the message in flight can go out twice after a kill (a claimed but unsent notice is simply
    /// sent on the next run).
    ///
    /// Without `--rate`, the notice after the current one is taken before the current one goes, so the transport
    /// can announce its envelope behind the current message (SMTP PIPELINING: one round trip a message), and it is
    /// composed while the server has the current message. Announcing is not sending: the next notice is still
    /// claimed, in the commit that records the current one, before its own message goes out; a run killed in
    /// between leaves an unfinished transaction the server throws away. With `--rate` nothing is announced: the
    /// server would wait for the message for as long as the rate makes it wait.
    private func work() throws {
        let transport = try settings.transport()
        let composer = Composer(store: settings.templates, messageIDDomain: nil)
        let dates = Dates(fiscalYear: settings.fiscalYear)
        let prepare = { (notice: NoticeStore.Notice, recipient: Recipient?) in
            self.prepare(notice, for: recipient, composer: composer, dates: dates)
        }
        let lookahead = settings.ratePerMinute == nil
        var finished: (notice: NoticeStore.Notice, delivery: Delivery)?
        var upcoming: Prepared?
        while true {
            // After a stop (no server, login refused) the notice in hand stays as it was, for the next run.
            let current = isStopped ? nil : (upcoming ?? take().map { prepare($0, recipient(of: $0)) })
            upcoming = nil
            if current != nil { waitForRateSlot() }
            let recorded = finished
            let claim = current?.notice.id
            let claimed = try commits.commit { [mailing = settings.mailing] database in
                let store = NoticeStore(database: database, mailing: mailing)
                if let recorded {
                    try store.record(
                        recorded.notice.id, delivery: recorded.delivery,
                        attempts: recorded.notice.attempts + 1, now: Date())
                }
                return try claim.map { try store.claim($0, now: Date()) } ?? false
            }
            if let finished { note(finished.notice, finished.delivery) }
            finished = nil
            guard let current else { return }
            guard claimed else { continue }
            var delivery = current.failure ?? Delivery(outcome: .permanent, code: nil, reply: "nothing to send")
            if let message = current.message {
                let following = lookahead ? take() : nil
                let followingRecipient = following.flatMap(recipient(of:))
                do {
                    delivery = try transport.deliver(
                        message.bytes, sender: message.envelope.sender, recipients: message.envelope.recipients,
                        announcing: following.flatMap { notice in
                            followingRecipient.map { envelope(of: notice, to: $0) }
                        },
                        meanwhile: { upcoming = following.map { prepare($0, followingRecipient) } })
                } catch let error as NotifierError {
                    delivery = Delivery(outcome: .permanent, code: nil, reply: error.message)
                }
                if upcoming == nil { upcoming = following.map { prepare($0, followingRecipient) } }
            }
            finished = (current.notice, delivery)
        }
    }

    private typealias Recipient = (vendor: VendorRecord, mailbox: Mailbox)

    /// A notice's vendor and address; nil when the vendor is gone from the registry or has no valid address.
    private func recipient(of notice: NoticeStore.Notice) -> Recipient? {
        guard let vendor = settings.vendors[notice.vendorCode], let mailbox = Validation.mailbox(vendor.email) else {
            return nil
        }
        return (vendor, mailbox)
    }

    /// The envelope of a notice's message: from the return path (the notice's own address with VERP), to its vendor.
    private func envelope(of notice: NoticeStore.Notice, to recipient: Recipient) -> Envelope {
        Envelope(
            sender: settings.returnPath?.address(forMessageID: notice.messageID) ?? settings.sender.addrSpec,
            recipients: [recipient.mailbox.addrSpec])
    }

    /// The dates every message of the year shows: the new certificate's validity, and the last day of the one in
    /// use now (the day before; a reminder says it ends then).
    private struct Dates {
        let validFrom: CalendarDate
        let validUntil: CalendarDate
        let currentUntil: CalendarDate

        init(fiscalYear: Int) {
            (validFrom, validUntil) = RenewalCalendar.validity(of: fiscalYear)
            currentUntil = RenewalCalendar.currentValidityEnd(before: fiscalYear)
        }
    }

    /// Composes a notice's message for its vendor (`recipient`, from `recipient(of:)`); a vendor gone from the
    /// registry, or a message that cannot be written, is a permanent failure of that notice. Every template gets
    /// the same variables; each uses those it names.
    private func prepare(
        _ notice: NoticeStore.Notice, for recipient: Recipient?, composer: Composer, dates: Dates
    ) -> Prepared {
        guard let (vendor, mailbox) = recipient else {
            return Prepared(
                notice: notice, message: nil,
                failure: Delivery(
                    outcome: .permanent, code: nil,
                    reply: "vendor \(notice.vendorCode) is no longer in the registry or has no valid address"))
        }
        do {
            let composed = try composer.compose(
                template: settings.template, from: settings.sender, to: [mailbox],
                variables: [
                    "vendor_name": vendor.name, "vendor_code": vendor.code.rawValue, "url": notice.url,
                    "valid_from": dates.validFrom.description, "valid_until": dates.validUntil.description,
                    "current_until": dates.currentUntil.description,
                ],
                charset: settings.charset, strict: false, messageID: notice.messageID)
            return Prepared(
                notice: notice, message: (composed.bytes, envelope(of: notice, to: (vendor, mailbox))), failure: nil)
        } catch {
            let reason = error.personMessage
            return Prepared(
                notice: notice, message: nil, failure: Delivery(outcome: .permanent, code: nil, reply: reason))
        }
    }

    private var isStopped: Bool { state.withLock { $0.summary.stoppedBy != nil } }

    private func take() -> NoticeStore.Notice? {
        state.withLock { state in
            guard state.summary.stoppedBy == nil, state.next < state.queue.count else { return nil }
            defer { state.next += 1 }
            return state.queue[state.next]
        }
    }

    /// `--rate`: one message every 60/rate seconds over all connections.
    private func waitForRateSlot() {
        guard let rate = settings.ratePerMinute, rate > 0 else { return }
        let interval = 60.0 / Double(rate)
        let slot: Date = state.withLock { state in
            let slot = max(Date(), state.nextSlot)
            state.nextSlot = slot.addingTimeInterval(interval)
            return slot
        }
        let wait = slot.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    private func note(_ notice: NoticeStore.Notice, _ delivery: Delivery) {
        state.withLock { state in
            switch delivery.outcome.noticeState {
            case .sent: state.summary.sent += 1
            case .failed:
                state.summary.failed += 1
                state.summary.failures.append((notice.vendorCode, delivery.reply))
            case .deferred, .pending, .sending, .bounced:
                state.summary.deferred += 1
                state.summary.deferrals.append((notice.vendorCode, delivery.reply))
            }
            if delivery.outcome.stopsTheBatch && state.summary.stoppedBy == nil { state.summary.stoppedBy = delivery }
            if state.breaker.note(notice, delivery) && state.summary.stoppedBy == nil {
                let count = state.breaker.tripped?.count ?? 0
                state.summary.stoppedBy = Delivery(
                    outcome: .unavailable, code: delivery.code,
                    reply:
                        "the server refused \(counted(count, "recipient")) \(state.breaker.how) (last: \(delivery.reply)). It is refusing the sender or the run, not these addresses: check "
                        + "the account's sending limits and whether it may send as \(settings.sender.addrSpec). "
                        + "Nothing more was tried; the refused \(settings.mailing.noun) are pending again for the next run"
                )
            }
            guard let progress = settings.progress, Date().timeIntervalSince(state.lastProgress) > 0.2 else { return }
            state.lastProgress = Date()
            let summary = state.summary
            let done = summary.sent + summary.deferred + summary.failed
            let elapsed = max(Date().timeIntervalSince(state.started), 0.001)
            let rate = Double(done) / elapsed
            let eta = rate > 0 ? Int(Double(summary.total - done) / rate) : 0
            progress.update(.init(done: done, total: summary.total, perSecond: rate, remainingSeconds: eta))
        }
    }
}
