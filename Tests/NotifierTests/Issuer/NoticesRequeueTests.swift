import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `notices requeue`: notices a server refused for good go back to pending once the registry is fixed.
@Suite("notices requeue against a server that refuses everyone", .serialized)
struct NoticesRequeueTests {
    @Test func refusedNoticesAreRequeuedAndSentWithTheSameURLAndANewMessageID() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(3))
        let refused = try fixture.send(
            ["--fiscal-year", "2027"] + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RCPT550")))
        #expect(refused.status == 67, "\(refused.stderr)")
        let store = NoticeStore(database: try Database(path: fixture.database))
        let before = try store.notices(fiscalYear: 2027)
        #expect(before.map(\.state) == [.failed, .failed, .failed])

        // One vendor by code, then every failed one; a notice already pending is not requeued twice.
        let one = try fixture.run(["notices", "requeue", "--fiscal-year", "2027", "--vendor", "1000001"])
        #expect(one.status == 0 && one.stdout.contains("requeued 1 notices of fiscal year 2027"), "\(one.stderr)")
        let rest = try fixture.run(["notices", "requeue", "--fiscal-year", "2027", "--state", "failed"])
        #expect(rest.status == 0 && rest.stdout.contains(": 1000000, 1000002\n"), "\(rest.stdout)")
        let none = try fixture.run(["notices", "requeue", "--fiscal-year", "2027", "--state", "failed"])
        #expect(none.status == 66, "\(none.stderr)")
        let after = try store.notices(fiscalYear: 2027)
        #expect(after.map(\.state) == [.pending, .pending, .pending] && after.allSatisfy { $0.attempts == 0 })
        #expect(zip(before, after).allSatisfy { $0.url == $1.url && $0.messageID != $1.messageID })

        let sent = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(sent.status == 0 && sent.stdout.contains("3 sent"), "\(sent.stderr)")
        let messages = try IssuerFixture.messages(in: fixture.outbox)
        #expect(Set(messages.map(\.messageID)) == Set(after.map(\.messageID)))
        #expect(Set(messages.compactMap(\.notice.url)) == Set(before.map(\.url)))
    }

    @Test func sendWithVendorSendsJustThoseNowEvenWhenDeferred() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(3))
        // Only one vendor is planned and tried; the server defers it (451), so it waits for its backoff.
        let deferred = try fixture.send(
            ["--fiscal-year", "2027", "--vendor", "1000002"]
                + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RCPT451")))
        #expect(deferred.status == 75, "\(deferred.stderr)")
        let store = NoticeStore(database: try Database(path: fixture.database))
        #expect(try store.notices(fiscalYear: 2027).map(\.vendorCode.rawValue) == ["1000002"])
        // Named, it goes now, without waiting for the backoff; the others are planned and sent only when named.
        let now = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027", "--vendor", "1000002"])
        #expect(now.status == 0 && now.stdout.contains("1 sent"), "\(now.stdout) \(now.stderr)")
        #expect(try IssuerFixture.messages(in: fixture.outbox).compactMap(\.notice.vendorCode) == ["1000002"])
        let unknown = try fixture.send([
            "--outbox", fixture.outbox.path, "--fiscal-year", "2027", "--vendor", "7777777",
        ])
        #expect(unknown.stderr.contains("vendor 7777777 is not in the registry"))
        #expect(try store.notices(fiscalYear: 2027).map(\.state) == [.sent])
    }

    @Test func notWhileASendRuns() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(1))
        _ = try fixture.send(
            ["--fiscal-year", "2027"] + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RCPT550")))
        let lock = try RunLock(path: fixture.database + ".send-lock")
        let busy = try fixture.run(["notices", "requeue", "--fiscal-year", "2027", "--state", "failed"])
        lock.release()
        #expect(busy.status == 75, "\(busy.stderr)")
        #expect(try fixture.run(["notices", "requeue", "--fiscal-year", "2027", "--state", "failed"]).status == 0)
    }

    @Test(
        "bad usage",
        arguments: [
            ["--state", "failed"], ["--fiscal-year", "2027"], ["--fiscal-year", "2027", "--state", "sent"],
            ["--fiscal-year", "2027", "--state", "failed", "--vendor", "1000000"],
            ["--fiscal-year", "2027", "--vendor", "12345"],
        ])
    func badUsage(arguments: [String]) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try fixture.run(["notices", "requeue"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
    }
}
