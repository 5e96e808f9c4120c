import Foundation
import MailParse

/// Sends the year's update notices over `connections` SMTP connections at once, each notice's state committed
/// before and after its exchange, so a run killed at any instant and run again skips nobody and sends a second copy
/// only of the message that was in flight (with the same Message-ID).
final class BatchSender: @unchecked Sendable {
    struct Settings {
        var databasePath: String
        var fiscalYear: Int
        var sender: Mailbox
        var charset: OutgoingMessage.BodyCharset
        var templates: TemplateStore
        /// The registry, by vendor code (loaded once; a notice's vendor is looked up here).
        var vendors: [String: VendorRecord]
        var connections: Int
        /// Messages per minute over all connections; nil for as fast as the server takes them.
        var ratePerMinute: Int?
        var retryDeferred: Bool
        /// Makes one transport per connection.
        var transport: @Sendable () throws -> MessageTransport
        var progress: Bool
    }

    struct Summary {
        var sent = 0
        var deferred = 0
        var failed = 0
        var failures: [(vendor: String, reply: String)] = []
        var deferrals: [(vendor: String, reply: String)] = []
        /// Why the run stopped early (no server, login refused), with the delivery that said so.
        var stoppedBy: Delivery?
        var total = 0
    }

    private let settings: Settings
    private let lock = NSLock()
    private var queue: [NoticeStore.Notice] = []
    private var next = 0
    private var summary = Summary()
    private var nextSlot = Date.distantPast
    private var started = Date()
    private var lastProgress = Date.distantPast
    private var workerError: Error?
    /// Writers in this process take turns here rather than in SQLite's busy handler, which sleeps a millisecond
    /// or more each time it finds the database locked.
    private let writeLock = NSLock()

    init(settings: Settings) { self.settings = settings }

    /// Sends every due notice; returns what happened.
    func run(due: [NoticeStore.Notice]) throws -> Summary {
        queue = due
        summary.total = due.count
        started = Date()
        let group = DispatchGroup()
        for _ in 0..<max(1, min(settings.connections, due.count)) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do { try work() } catch {
                    lock.withLock {
                        if workerError == nil { workerError = error }
                    }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        if settings.progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if let workerError { throw workerError }
        return summary
    }

    /// One connection's loop: its own database connection and transport. The outcome of one notice and the claim
    /// of the next are committed together: one commit per message, and still only the message in flight can go
    /// out twice after a kill (a claimed but unsent notice is simply sent on the next run).
    private func work() throws {
        let database = try Database(path: settings.databasePath)
        let store = NoticeStore(database: database)
        let transport = try settings.transport()
        let composer = Composer(store: settings.templates, messageIDDomain: nil)
        let validity = RenewalCalendar.validity(of: settings.fiscalYear)
        var finished: (notice: NoticeStore.Notice, delivery: Delivery)?
        while true {
            let next = take()
            if next != nil { waitForRateSlot() }
            let claimed: Bool = try writeLock.withLock {
                try database.transaction {
                    if let finished {
                        try store.record(finished.notice.id, delivery: finished.delivery,
                                         attempts: finished.notice.attempts + 1, now: Date())
                    }
                    return try next.map { try store.claim($0.id, now: Date()) } ?? false
                }
            }
            if let finished { note(finished.notice, finished.delivery) }
            finished = nil
            guard let notice = next else { return }
            guard claimed else { continue }
            let delivery: Delivery
            if let vendor = settings.vendors[notice.vendorCode], let recipient = Validation.mailbox(vendor.email) {
                do {
                    let composed = try composer.compose(
                        template: "update_notice", from: settings.sender, to: [recipient],
                        variables: ["vendor_name": vendor.name, "vendor_code": vendor.code, "url": notice.url,
                                    "valid_from": validity.from.description, "valid_until": validity.until.description],
                        charset: settings.charset, strict: false, messageID: notice.messageID)
                    delivery = try transport.deliver(
                        composed.bytes, sender: settings.sender.addrSpec, recipients: [recipient.addrSpec])
                } catch let error as NotifierError {
                    delivery = Delivery(outcome: .permanent, code: nil, reply: error.message)
                }
            } else {
                delivery = Delivery(
                    outcome: .permanent, code: nil,
                    reply: "vendor \(notice.vendorCode) is no longer in the registry or has no valid address")
            }
            finished = (notice, delivery)
        }
    }

    private func take() -> NoticeStore.Notice? {
        lock.withLock {
            guard summary.stoppedBy == nil, next < queue.count else { return nil }
            defer { next += 1 }
            return queue[next]
        }
    }

    /// `--rate`: one message every 60/rate seconds over all connections.
    private func waitForRateSlot() {
        guard let rate = settings.ratePerMinute, rate > 0 else { return }
        let interval = 60.0 / Double(rate)
        let slot: Date = lock.withLock {
            let slot = max(Date(), nextSlot)
            nextSlot = slot.addingTimeInterval(interval)
            return slot
        }
        let wait = slot.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    private func note(_ notice: NoticeStore.Notice, _ delivery: Delivery) {
        lock.withLock {
            switch delivery.outcome {
            case .sent: summary.sent += 1
            case .permanent:
                summary.failed += 1
                summary.failures.append((notice.vendorCode, delivery.reply))
            case .transient:
                summary.deferred += 1
                summary.deferrals.append((notice.vendorCode, delivery.reply))
            case .unavailable, .authentication:
                summary.deferred += 1
                summary.deferrals.append((notice.vendorCode, delivery.reply))
                if summary.stoppedBy == nil { summary.stoppedBy = delivery }
            }
            guard settings.progress, Date().timeIntervalSince(lastProgress) > 0.2 else { return }
            lastProgress = Date()
            let done = summary.sent + summary.deferred + summary.failed
            let elapsed = max(Date().timeIntervalSince(started), 0.001)
            let rate = Double(done) / elapsed
            let eta = rate > 0 ? Int(Double(summary.total - done) / rate) : 0
            FileHandle.standardError.write(Data(
                "\r\u{1B}[K\(done)/\(summary.total) notices, \(String(format: "%.1f", rate))/s, ETA \(eta / 60)m\(eta % 60)s".utf8))
        }
    }
}
