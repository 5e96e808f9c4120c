import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// The store's batch functions on a mailing of reminders, and a reminder round, without the CLI.
@Suite struct ReminderRoundTests {
    static let now = Date(timeIntervalSince1970: 1_803_000_000)

    /// A database with `count` vendors and a sent notice for each (fiscal year 2027).
    private static func database(vendors count: Int) throws -> (Database, URL) {
        let folder = try CLI.temporaryDirectory()
        let database = try Database(path: folder.appendingPathComponent("notifier.sqlite3").path)
        try database.migrate(Schema.migrations)
        let records = (0..<count).map { index in
            VendorRecord(
                code: VendorCode(stringLiteral: String(1_000_000 + index)), name: "株式会社\(index)",
                email: "v\(index)@example.test", kind: .construction, notifyAfter: nil)
        }
        _ = try VendorStore(database: database).importVendors(records, now: now)
        _ = try NoticeStore(database: database).plan(
            vendorCodes: records.map(\.code), fiscalYear: 2027, urlBase: "https://bid.to-kousya.example/d",
            messageIDDomain: "to-kousya.example", now: now)
        try database.run("UPDATE notices SET state = 'sent'")
        return (database, folder)
    }

    private static func wave(_ name: String) throws -> ReminderWave { try ReminderWave(name) }

    @Test(arguments: ["03-01", "a", "A_z-9", String(repeating: "w", count: 32)])
    func waveNamesThatAreTaken(name: String) throws {
        #expect(try ReminderWave(name).rawValue == name)
    }

    @Test(arguments: ["", "a b", "a.b", "é", "03-01\n", "03/01", "<x>", String(repeating: "w", count: 33)])
    func waveNamesThatAreRefused(name: String) {
        #expect(throws: InvalidValue.self) { try ReminderWave(name) }
        #expect(ReminderWave(rawValue: name) == nil)
    }

    @Test func theCertificateInUseEndsOnMarch31BeforeTheYear() {
        #expect(RenewalCalendar.currentValidityEnd(before: 2027).description == "2027-03-31")
        #expect(RenewalCalendar.currentValidityEnd(before: 2027) == RenewalCalendar.validity(of: 2026).until)
        #expect(RenewalCalendar.currentValidityEnd(before: 1900).description == "1900-03-31")
    }

    @Test func recipientsAreTheVendorsSentANoticeWithoutADownloadBeforeTheCutoff() throws {
        let (database, folder) = try Self.database(vendors: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        try database.run("UPDATE notices SET state = 'bounced' WHERE vendor_code = '1000004'")
        try database.run("INSERT INTO downloads VALUES ('1000001', 2027, 1000), ('1000002', 2027, 2000)")
        try database.run("INSERT INTO downloads VALUES ('1000003', 2026, 1000)")
        let store = NoticeStore(database: database)
        let all = try store.reminderRecipients(fiscalYear: 2027, downloadedBefore: nil)
        #expect(all.map(\.vendorCode.rawValue) == ["1000000", "1000003"])
        let notices = try store.notices(fiscalYear: 2027)
        #expect(
            all.map(\.url) == notices.filter { ["1000000", "1000003"].contains($0.vendorCode.rawValue) }.map(\.url))
        // A download at the cutoff instant or later does not count.
        let cut = try store.reminderRecipients(fiscalYear: 2027, downloadedBefore: Date(timeIntervalSince1970: 2000))
        #expect(cut.map(\.vendorCode.rawValue) == ["1000000", "1000002", "1000003"])
        #expect(try store.reminderRecipients(fiscalYear: 2028, downloadedBefore: nil).isEmpty)
    }

    /// Notices and reminders have ids of their own (both tables count from 1), and waves share one table: each
    /// store's functions see and change only their mailing's rows.
    @Test func theMailingKeepsTheNoticesAndEachWaveApart() throws {
        let (database, folder) = try Self.database(vendors: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let notices = NoticeStore(database: database)
        let first = NoticeStore(database: database, mailing: .reminders(wave: try Self.wave("03-01")))
        let second = NoticeStore(database: database, mailing: .reminders(wave: try Self.wave("03-20")))
        let recipients = try notices.reminderRecipients(fiscalYear: 2027, downloadedBefore: nil)
        #expect(
            try notices.planReminders(
                recipients, fiscalYear: 2027, wave: try Self.wave("03-01"), messageIDDomain: "to-kousya.example",
                now: Self.now) == 3)
        #expect(
            try notices.planReminders(
                recipients, fiscalYear: 2027, wave: try Self.wave("03-01"), messageIDDomain: "to-kousya.example",
                now: Self.now) == 0, "once per vendor and wave")
        #expect(
            try notices.planReminders(
                Array(recipients.prefix(1)), fiscalYear: 2027, wave: try Self.wave("03-20"),
                messageIDDomain: "to-kousya.example", now: Self.now) == 1)

        #expect(try notices.due(fiscalYear: 2027, now: Self.now, retryDeferred: false).isEmpty)
        let due = try first.due(fiscalYear: 2027, now: Self.now, retryDeferred: false)
        #expect(due.map(\.vendorCode.rawValue) == ["1000000", "1000001", "1000002"])
        #expect(try second.due(fiscalYear: 2027, now: Self.now, retryDeferred: false).map(\.id) == [4])
        #expect(due.map(\.url) == recipients.map(\.url))
        #expect(due.allSatisfy { $0.messageID.hasPrefix("reminder.2027.\($0.vendorCode).") })
        // The local part fills a VERP return path's {token}: exactly as long as the longest it allows for.
        #expect(due.allSatisfy { $0.messageID.split(separator: "@")[0].count == ReturnPath.longestTag })
        #expect(due.allSatisfy { $0.messageID.hasSuffix("@to-kousya.example") })

        // Reminder 1 is claimed and recorded refused; notice 1 stays sent, and the other wave's row untouched.
        let id = try #require(due.first?.id)
        let noticeID = try notices.notices(fiscalYear: 2027).first?.id
        #expect(id == 1 && noticeID == 1)
        #expect(try first.claim(id, now: Self.now))
        try first.record(
            id, delivery: Delivery(outcome: .permanent, code: 550, reply: "550 5.1.1 no"), attempts: 1, now: Self.now)
        #expect(try first.counts(fiscalYear: 2027) == [.failed: 1, .pending: 2])
        #expect(try second.counts(fiscalYear: 2027) == [.pending: 1])
        #expect(try notices.counts(fiscalYear: 2027) == [.sent: 3])
        // The breaker's undo, and a requeue: the same URL, a new reminder Message-ID.
        try first.reopen([id], now: Self.now)
        #expect(try first.counts(fiscalYear: 2027) == [.pending: 3])
        try first.record(
            id, delivery: Delivery(outcome: .permanent, code: 550, reply: "550 5.1.1 no"), attempts: 1, now: Self.now)
        #expect(try first.requeue(fiscalYear: 2027, vendors: [], states: [.failed], now: Self.now) == ["1000000"])
        let requeued = try #require(try first.notices(fiscalYear: 2027).first)
        #expect(requeued.state == .pending && requeued.url == due[0].url && requeued.messageID != due[0].messageID)
        #expect(requeued.messageID.hasPrefix("reminder.2027.1000000."))
        #expect(try notices.notices(fiscalYear: 2027).map(\.state) == [.sent, .sent, .sent])
    }

    @Test func aRoundPlansSendsAndSkipsWhoDownloadedMeanwhile() throws {
        let (database, folder) = try Self.database(vendors: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = database.path
        let outbox = folder.appendingPathComponent("outbox").path
        let round = ReminderRound(fiscalYear: 2027, wave: try Self.wave("03-01"), now: Self.now)
        let dry = try round.dryRun(retryDeferred: false, in: database)
        #expect(dry.new.count == 3 && dry.due.isEmpty && dry.downloaded == 0)
        // Planned by an earlier run that sent nothing; 1000001 downloads meanwhile.
        _ = try NoticeStore(database: database).planReminders(
            dry.new, fiscalYear: 2027, wave: try Self.wave("03-01"), messageIDDomain: "to-kousya.example", now: Self.now
        )
        try database.run("INSERT INTO downloads VALUES ('1000001', 2027, 1000)")
        let again = try round.dryRun(retryDeferred: false, in: database)
        #expect(again.new.isEmpty && again.due.map(\.vendorCode.rawValue) == ["1000000", "1000002"])
        #expect(again.downloaded == 1)

        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        let result = try round.run(
            sending: Campaign.Sending(
                sender: sender, messageIDDomain: "to-kousya.example", transport: { try MaildirOutbox(path: outbox) }),
            in: database)
        #expect(result.summary.sent == 2 && result.due == 2 && result.planned == 0 && result.downloaded == 1)
        #expect(result.outcome == .allSent)
        let store = NoticeStore(database: try Database(path: path), mailing: .reminders(wave: try Self.wave("03-01")))
        #expect(try store.notices(fiscalYear: 2027).map(\.state) == [.sent, .pending, .sent])
    }
}
