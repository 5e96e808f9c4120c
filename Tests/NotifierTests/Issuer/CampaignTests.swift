import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// The campaign's rules without the CLI: the window, who is eligible, what a dry run lists, and a run's outcome.
@Suite struct CampaignTests {
    /// 2027-01-20 04:46 Japan time: inside fiscal year 2027's window.
    static let inWindow = Date(timeIntervalSince1970: 1_800_416_800)

    private static func day(_ year: Int, _ month: Int, _ dayOfMonth: Int) throws -> CalendarDate {
        try #require(CalendarDate(year: year, month: month, day: dayOfMonth))
    }

    private static func vendor(_ code: String, _ kind: VendorKind, notifyAfter: CalendarDate? = nil) -> VendorRecord {
        VendorRecord(
            code: VendorCode(stringLiteral: code), name: "株式会社\(code)", email: "v\(code)@example.test", kind: kind,
            notifyAfter: notifyAfter)
    }

    /// A database in a temporary folder, with these vendors imported.
    private static func database(_ vendors: [VendorRecord]) throws -> (Database, URL) {
        let folder = try CLI.temporaryDirectory()
        let database = try Database(path: folder.appendingPathComponent("notifier.sqlite3").path)
        try database.migrate(Schema.migrations)
        _ = try VendorStore(database: database).importVendors(vendors, now: inWindow)
        return (database, folder)
    }

    @Test func theWindowIsMidJanuaryToMarchJapanTime() throws {
        #expect(RenewalCalendar.japanDate(of: Self.inWindow) == (try Self.day(2027, 1, 20)))
        try Campaign.checkWindow(fiscalYear: 2027, at: Self.inWindow)
        let december = Self.inWindow.addingTimeInterval(-40 * 86_400)
        let error = try #require(throws: Campaign.OutsideWindow.self) {
            try Campaign.checkWindow(fiscalYear: 2027, at: december)
        }
        #expect(
            error.message.hasPrefix("fiscal year 2027's notices go out from 2027/01/15 00:00 to 2027/03/31 23:59"),
            "\(error.message)")
        #expect(error.message.hasSuffix("Use --force to send anyway."))
    }

    @Test func constructionVendorsEveryYearCommissionedOnlyFromNotifyAfter() throws {
        let today = try Self.day(2027, 1, 20)
        #expect(Campaign.isEligible(Self.vendor("1000001", .construction), on: today))
        #expect(!Campaign.isEligible(Self.vendor("1000002", .commissioned), on: today))
        #expect(Campaign.isEligible(Self.vendor("1000003", .commissioned, notifyAfter: today), on: today))
        #expect(
            !Campaign.isEligible(
                Self.vendor("1000004", .commissioned, notifyAfter: try Self.day(2027, 1, 21)), on: today))
        #expect(
            !Campaign.isEligible(
                Self.vendor("1000005", .construction, notifyAfter: try Self.day(2027, 2, 1)), on: today),
            "notify_after holds back a construction vendor too")
    }

    @Test func aDryRunListsTheNewAndTheDueAndChangesNothing() throws {
        let (database, folder) = try Self.database([
            Self.vendor("1000001", .construction), Self.vendor("1000002", .commissioned),
            Self.vendor("1000003", .commissioned, notifyAfter: try Self.day(2027, 1, 10)),
            Self.vendor("1000004", .construction),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let campaign = Campaign(fiscalYear: 2027, now: Self.inWindow)
        let eligibility = try campaign.eligibility(in: database)
        #expect(eligibility.eligible.map(\.code) == ["1000001", "1000003", "1000004"] && eligibility.waiting == 1)

        let store = NoticeStore(database: database)
        _ = try store.plan(
            vendorCodes: ["1000004"], fiscalYear: 2027, urlBase: "https://bid.to-kousya.example/d",
            messageIDDomain: "example.test",
            now: Self.inWindow)
        let plan = try campaign.dryRun(eligibility, retryDeferred: false, in: database)
        #expect(plan.new.map(\.code) == ["1000001", "1000003"])
        #expect(plan.due.map(\.vendorCode) == ["1000004"] && plan.due.first?.state == .pending)
        #expect(plan.waiting == 1)
        #expect(try store.notices(fiscalYear: 2027).map(\.vendorCode) == ["1000004"], "a dry run plans nothing")
    }

    @Test func aRunPlansTheEligibleAndSendsWhatIsDue() throws {
        let (database, folder) = try Self.database([
            Self.vendor("1000001", .construction), Self.vendor("1000002", .commissioned),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outbox = folder.appendingPathComponent("outbox").path
        let campaign = Campaign(fiscalYear: 2027, now: Self.inWindow)
        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        let path = database.path
        let eligibility = try campaign.eligibility(in: database)
        let result = try campaign.run(
            eligibility, urlBase: "https://bid.to-kousya.example/d",
            sending: Campaign.Sending(
                sender: sender, messageIDDomain: "to-kousya.example", transport: { try MaildirOutbox(path: outbox) }),
            in: database)
        #expect(result.planned == 1 && result.due == 1 && result.waiting == 1)
        #expect(result.summary.sent == 1 && result.outcome == .allSent)
        #expect(try NoticeStore(database: try Database(path: path)).notices(fiscalYear: 2027).map(\.state) == [.sent])
    }

    @Test func theSummaryDecidesTheOutcome() {
        var summary = BatchSender.Summary()
        let result = { Campaign.Result(summary: summary, due: 0, planned: 0, waiting: 0).outcome }
        #expect(result() == .allSent)
        summary.deferred = 1
        #expect(result() == .someDeferred)
        summary.failed = 1
        #expect(result() == .someFailed, "a refusal for good outweighs a deferral")
        let stop = Delivery(outcome: .unavailable, code: nil, reply: "no server")
        summary.stoppedBy = stop
        #expect(result() == .stopped(by: stop))
    }
}
