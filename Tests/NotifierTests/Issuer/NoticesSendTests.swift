import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `notifier notices send` and `status` into a Maildir outbox.
@Suite("notifier notices")
struct NoticesSendTests {
    @Test func sendsOncePerVendorAndYear() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        #expect(try fixture.importVendors(IssuerFixture.vendorRows(5)).status == 0)
        let first = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027", "--connections", "3"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("fiscal year 2027: 5 sent, 0 deferred, 0 failed"))
        let second = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(second.stdout.contains("0 sent"))
        let messages = try IssuerFixture.messages(in: fixture.outbox)
        #expect(messages.count == 5)
        for (notice, _) in messages {
            #expect(notice.kind == .updateNotice && notice.trusted)
            #expect(notice.validFrom?.description == "2027-04-01" && notice.validUntil?.description == "2028-03-31")
            let token = try #require(notice.url?.split(separator: "=").last)
            #expect(token.count == 22)  // 128 bits, base64url
        }
        #expect(Set(messages.compactMap(\.notice.url)).count == 5)
        let status = try fixture.run(["notices", "status", "--fiscal-year", "2027", "--json"])
        #expect(
            status.stdout
                == "{\"fiscal_year\": 2027, \"pending\": 0, \"sending\": 0, \"sent\": 5, \"deferred\": 0, \"failed\": 0, \"bounced\": 0, \"problems\": []}\n"
        )
    }

    @Test func anInterruptedNoticeIsSentAgainWithTheSameMessageIDAndURL() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(2))
        _ = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        // As if the process died between the server's acceptance and the commit.
        let database = try Database(path: fixture.database)
        try database.run("UPDATE notices SET state = 'sending' WHERE vendor_code = '1000001'")
        let again = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(again.stdout.contains("1 sent"))
        let copies = try IssuerFixture.messages(in: fixture.outbox).filter { $0.notice.vendorCode == "1000001" }
        #expect(copies.count == 2)
        #expect(Set(copies.map(\.messageID)).count == 1)
        #expect(Set(copies.compactMap(\.notice.url)).count == 1)
    }

    @Test func notifyAfterAndKindDecideWhoIsDue() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors([
            "1000001,A,a@example.test,construction,", "1000002,B,b@example.test,commissioned,",
            "1000003,C,c@example.test,commissioned,2020-01-01", "1000004,D,d@example.test,construction,2999-01-01",
        ])
        let result = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(result.stdout.contains("2 sent"))
        #expect(result.stdout.contains("2 vendors waiting for notify_after"))
        #expect(
            Set(try IssuerFixture.messages(in: fixture.outbox).compactMap(\.notice.vendorCode)) == [
                "1000001", "1000003",
            ])
    }

    @Test func dryRunChangesNothing() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(3))
        let result = try fixture.send(["--outbox", fixture.outbox.path, "--dry-run", "--fiscal-year", "2027"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("3 new notices"))
        #expect(!FileManager.default.fileExists(atPath: fixture.outbox.path))
        #expect(try Database(path: fixture.database).rows("SELECT * FROM notices").isEmpty)
    }

    @Test func outsideTheWindowNeedsForce() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(1))
        // Fiscal year 2020's window closed long ago.
        let result = try fixture.run([
            "notices", "send", "--fiscal-year", "2020", "--download-url-base", IssuerFixture.urlBase, "--from",
            IssuerFixture.from,
            "--outbox", fixture.outbox.path,
        ])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--force"))
    }

    @Test func backoffDoubles() {
        #expect(NoticeStore.backoff(attempts: 1) == 300)
        #expect(NoticeStore.backoff(attempts: 2) == 600)
        #expect(NoticeStore.backoff(attempts: 30) == 6 * 3600)
    }
}

/// What each delivery outcome means for a notice: one table, used by the store, the batch and the summary.
@Suite("notice states")
struct NoticeStateTests {
    @Test(arguments: [
        (Delivery.Outcome.sent, NoticeState.sent, NoticeState.Retry.never, false),
        (.permanent, .failed, .never, false),
        (.transient, .deferred, .afterBackoff, false),
        (.unavailable, .deferred, .nextRun, true),
        (.authentication, .deferred, .nextRun, true),
    ])
    func outcomes(outcome: Delivery.Outcome, state: NoticeState, retry: NoticeState.Retry, stops: Bool) {
        #expect(outcome.noticeState == state && outcome.retry == retry && outcome.stopsTheBatch == stops)
    }

    @Test func theSchemaKnowsEveryState() {
        let schema = Schema.migrations.joined()
        let check = "CHECK (state IN (" + NoticeState.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") + "))"
        #expect(schema.contains(check))
        #expect(NoticeState.allCases.filter(\.needsAttention) == [.deferred, .failed, .bounced])
    }
}
