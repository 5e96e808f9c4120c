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
        #expect(one.status == 0 && one.stdout.contains("requeued 1 notice of fiscal year 2027"), "\(one.stderr)")
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

    @Test(
        "a server that refuses everyone trips the breaker: exit 69, nothing marked failed, all sent once it is fixed",
        arguments: [1, 3])
    func theBreakerStopsARunTheServerRefusesWhole(connections: Int) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(30))
        let refused = try fixture.send(
            ["--fiscal-year", "2027", "--connections", "\(connections)"]
                + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RCPT550")))
        #expect(refused.status == 69, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("refused 2") && refused.stderr.contains("in a row"), "\(refused.stderr)")
        #expect(refused.stderr.contains("550") && refused.stdout.contains(" 0 failed"), "\(refused.stdout)")
        let states = try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027).map(
            \.state)
        #expect(states.count == 30 && !states.contains(.failed) && !states.contains(.sent), "\(states)")
        let fixed = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(fixed.status == 0 && fixed.stdout.contains("30 sent"), "\(fixed.stdout) \(fixed.stderr)")
    }

    @Test func halfOfTheFirstFiftyRefusedTripsTheBreakerAndFewerDoNot() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        // Every other address is refused (550): never 20 in a row, but the 25th refusal is half of 50.
        _ = try fixture.importVendors(
            IssuerFixture.vendorRows(60) { $0 % 2 == 1 ? "v\($0)+550@example.test" : "v\($0)@example.test" })
        let result = try fixture.send(
            ["--fiscal-year", "2027"] + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RECIPIENT")))
        #expect(result.status == 69, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("refused 25 recipients of the first 50"), "\(result.stderr)")
        let notices = try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027)
        // 25 sent before the 25th refusal, and the message in flight when it came.
        let sent = notices.filter { $0.state == .sent }.count
        #expect((25...26).contains(sent), "\(sent)")
        #expect(notices.filter { $0.state == .pending }.count == 60 - sent && !notices.contains { $0.state == .failed })

        // Four refusals among five (the existing batch tests have one) are the vendors' own: recorded, no stop.
        let few = try IssuerFixture()
        defer { few.remove() }
        _ = try few.importVendors(
            IssuerFixture.vendorRows(5) { $0 == 0 ? "ok@example.test" : "v\($0)+550@example.test" })
        let recorded = try few.send(
            ["--fiscal-year", "2027"] + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RECIPIENT")))
        #expect(recorded.status == 67 && recorded.stdout.contains("1 sent, 0 deferred, 4 failed"), "\(recorded.stdout)")
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
