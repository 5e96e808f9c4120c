import Foundation
import MailParse
import Synchronization
import Testing

@testable import Notifier
@testable import NotifierCore

/// Issue, verify and unlock on a real database with a clock the test moves. The code comes from the mail in the
/// outbox, as the vendor gets it.
@Suite("OTP service")
struct OTPServiceTests {
    let fixture: OTPFixture
    init() throws { fixture = try OTPFixture() }

    var vendor: VendorCode { VendorCode(stringLiteral: OTPFixture.vendor) }

    @Test func aCodeIsValidFor30MinutesAndThenExpires() throws {
        let code = try fixture.issue()
        fixture.clock.advance(30 * 60 - 1)
        #expect(try fixture.service().verify(vendorCode: vendor, input: code) == .valid, "at 29:59")

        fixture.clock.advance(60)
        let late = try fixture.issue()
        let expiry = fixture.clock.now.epochSeconds + 30 * 60
        fixture.clock.advance(30 * 60)
        #expect(
            try fixture.service().verify(vendorCode: vendor, input: late) == .rejected(.expired(at: expiry)), "at 30:00"
        )
    }

    @Test func aCodeIsAcceptedOnce() throws {
        let code = try fixture.issue()
        let service = try fixture.service()
        #expect(try service.verify(vendorCode: vendor, input: code) == .valid)
        let usedAt = fixture.clock.now.epochSeconds
        fixture.clock.advance(5)
        #expect(try service.verify(vendorCode: vendor, input: code) == .rejected(.used(at: usedAt)))
        #expect(try fixture.events().suffix(2) == ["otp_verified", "otp_verify_failed"])
    }

    @Test func anAcceptedCodeRecordsTheYearsDownloadOnceAndARefusedOneDoesNot() throws {
        // The fixture's clock stands on 2027-01-15 (Japan time): the renewal of fiscal year 2027's certificate.
        let service = try fixture.service()
        let first = try fixture.issue()
        #expect(try service.verify(vendorCode: vendor, input: "WRONG234") != .valid)
        #expect(try service.store.downloadedAt(vendor, fiscalYear: 2027) == nil)
        #expect(try service.verify(vendorCode: vendor, input: first) == .valid)
        let downloaded = fixture.clock.now.epochSeconds
        #expect(try service.store.downloadedAt(vendor, fiscalYear: 2027) == downloaded)
        // Another PC, later: the first download stands.
        fixture.clock.advance(3600)
        #expect(try service.verify(vendorCode: vendor, input: try fixture.issue()) == .valid)
        #expect(try service.store.downloadedAt(vendor, fiscalYear: 2027) == downloaded)
        #expect(try service.store.downloadedAt(vendor, fiscalYear: 2026) == nil)
        // 2027-03-31 and 2027-04-01, Japan time: both are the fiscal year 2027 certificate.
        #expect(RenewalCalendar.certificateYear(downloadedAt: Date(timeIntervalSince1970: 1_806_418_800)) == 2027)
        #expect(RenewalCalendar.certificateYear(downloadedAt: Date(timeIntervalSince1970: 1_806_505_200)) == 2027)
    }

    @Test func aCodeIsOnlyItsVendorsCode() throws {
        let code = try fixture.issue()
        let other = VendorCode(stringLiteral: OTPFixture.vendors[1].0)
        #expect(
            try fixture.service().verify(vendorCode: other, input: code) == .rejected(.wrong(inARow: 1, locked: false)))
        #expect(try fixture.service().verify(vendorCode: vendor, input: code) == .valid)
    }

    @Test func fiveWrongCodesLockUntilUnlocked() throws {
        let code = try fixture.issue()
        let service = try fixture.service()
        let wrong = try #require(
            ["ABCDEFGH", "abcdefgh", "23456789", "HGFEDCBA", "hgfedcba"].filter { $0 != code }.first)
        for attempt in 1...4 {
            #expect(
                try service.verify(vendorCode: vendor, input: wrong)
                    == .rejected(.wrong(inARow: attempt, locked: false)))
        }
        #expect(try service.verify(vendorCode: vendor, input: wrong) == .rejected(.wrong(inARow: 5, locked: true)))
        // The sixth attempt is refused even with the right code, and the code is not used up by it.
        guard case .locked(let error) = try service.verify(vendorCode: vendor, input: code) else {
            Issue.record("not locked")
            return
        }
        #expect(ExitCode(for: error).rawValue == 77)
        #expect(error.message.contains("notifier otp unlock --vendor \(vendor)"))
        // A locked vendor is not mailed a code either: it could not be used.
        fixture.clock.advance(120)
        #expect(throws: OTPLockedError.self) { try fixture.issue() }

        let unlocked = try service.unlock(vendorCode: vendor)
        #expect(unlocked == OTPService.Unlocked(lockedAt: fixture.clock.now.epochSeconds - 120, wrongInARow: 5))
        #expect(try service.verify(vendorCode: vendor, input: code) == .valid)
        let events = try fixture.events()
        #expect(events.filter { $0 == "otp_verify_failed" }.count == 5)
        #expect(
            events.contains("otp_locked") && events.contains("otp_verify_refused") && events.contains("otp_unlocked"))
        #expect(events.contains("otp_issue_refused"))
    }

    @Test func anAcceptedCodeClearsTheCount() throws {
        let code = try fixture.issue()
        let service = try fixture.service()
        for _ in 1...4 { _ = try service.verify(vendorCode: vendor, input: "zzzzzzzz") }
        #expect(try service.verify(vendorCode: vendor, input: code) == .valid)
        fixture.clock.advance(60)
        try fixture.issue()
        #expect(
            try service.verify(vendorCode: vendor, input: "zzzzzzzz") == .rejected(.wrong(inARow: 1, locked: false)))
    }

    @Test func onlyGuessesCountTowardTheLock() throws {
        // Expired or used codes are the vendor's own; input that cannot be a code cannot match.
        let code = try fixture.issue()
        let service = try fixture.service()
        #expect(try service.verify(vendorCode: vendor, input: code) == .valid)
        for _ in 1...6 {
            #expect(try service.verify(vendorCode: vendor, input: code) != .valid)
            #expect(try service.verify(vendorCode: vendor, input: "0O1Il000").isMalformed)
            #expect(try service.verify(vendorCode: vendor, input: "").isMalformed)
        }
        fixture.clock.advance(60)
        let next = try fixture.issue()
        fixture.clock.advance(31 * 60)
        for _ in 1...6 { #expect(try service.verify(vendorCode: vendor, input: next) != .valid) }
        #expect(
            try service.verify(vendorCode: vendor, input: "zzzzzzzz") == .rejected(.wrong(inARow: 1, locked: false)))
    }

    @Test func aNewCodeReplacesTheOlderOne() throws {
        let first = try fixture.issue()
        fixture.clock.advance(60)
        let second = try fixture.issue()
        #expect(first != second)
        #expect(try fixture.storedCodes() == 1)
        let service = try fixture.service()
        #expect(try service.verify(vendorCode: vendor, input: first) == .rejected(.wrong(inARow: 1, locked: false)))
        #expect(try service.verify(vendorCode: vendor, input: second) == .valid)
    }

    @Test func oneCodeAMinute() throws {
        try fixture.issue()
        let issuedAt = fixture.clock.now.epochSeconds
        fixture.clock.advance(59)
        do {
            try fixture.issue()
            Issue.record("not refused")
        } catch let error as OTPRateLimitError {
            #expect(error.reason == .cooldown(seconds: 60))
            #expect(error.retryAt == issuedAt + 60)
            #expect(ExitCode(for: error).rawValue == 75)
            #expect(error.message.contains("try again after \(JapanClock.iso8601(seconds: issuedAt + 60)) (in 1 s)"))
        }
        fixture.clock.advance(1)
        try fixture.issue()
        #expect(try fixture.outboxMessages().count == 2)
        #expect(try fixture.events().filter { $0 == "otp_issue_refused" }.count == 1)
    }

    @Test func fiveCodesAnHourOnARollingWindow() throws {
        let start = fixture.clock.now.epochSeconds
        for _ in 1...5 {
            try fixture.issue()
            fixture.clock.advance(60)
        }
        // Refusals do not count: asking again and again does not push the next code further away.
        for _ in 1...3 {
            #expect(
                throws: OTPRateLimitError(
                    vendorCode: vendor, reason: .hourlyCap(issues: 5), retryAt: start + 3600,
                    now: fixture.clock.now.epochSeconds)
            ) { try fixture.issue() }
            fixture.clock.advance(600)
        }
        // now start + 300 + 1800: still refused until the first code is an hour old.
        fixture.clock.advance(Double(start + 3599) - fixture.clock.now.timeIntervalSince1970)
        #expect(throws: OTPRateLimitError.self) { try fixture.issue() }
        fixture.clock.advance(1)
        try fixture.issue()
        #expect(try fixture.outboxMessages().count == 6)
        // The other vendor has a cap of their own.
        try fixture.issue(OTPFixture.vendors[1].0)
    }

    @Test func aCodeThatCouldNotBeMailedIsNeverValid() throws {
        let old = try fixture.issue()
        fixture.clock.advance(60)
        let refusing = RefusingTransport(Delivery(outcome: .permanent, code: 550, reply: "550 5.1.1 User unknown"))
        var mailed: String?
        do {
            _ = try fixture.service().issue(vendorCode: vendor) { mail in
                mailed = mail.code
                return try OTPFixture.mail(mail, through: refusing)
            }
            Issue.record("no error")
        } catch let error as OTPDeliveryError {
            #expect(ExitCode(for: error).rawValue == 67)
            #expect(error.message.contains("550 5.1.1 User unknown") && error.message.contains("not valid"))
        }
        let lost = try #require(mailed)
        #expect(refusing.messages == 1)
        let service = try fixture.service()
        #expect(try service.verify(vendorCode: vendor, input: lost) == .rejected(.wrong(inARow: 1, locked: false)))
        // The older code, mailed before, stays as it was.
        #expect(try service.verify(vendorCode: vendor, input: old) == .valid)
        #expect(try fixture.events().contains("otp_issue_failed"))
        // A failed mail counts like a sent one: a retry loop cannot send more than the cap allows.
        #expect(throws: OTPRateLimitError.self) { try fixture.issue() }
    }

    @Test func aTransportThatThrowsLeavesNoCode() throws {
        struct Broken: Error {}
        #expect(throws: Broken.self) {
            _ = try fixture.service().issue(vendorCode: vendor) { _ in throw Broken() }
        }
        #expect(try fixture.storedCodes() == 0)
        #expect(try fixture.events() == ["otp_issue_started", "otp_issue_failed"])
    }

    @Test func unknownVendors() throws {
        #expect(throws: UnknownVendorError.self) { try fixture.issue("9999999") }
        #expect(try fixture.service().verify(vendorCode: "9999999", input: "ABCDEFGH") == .unknownVendor)
        #expect(throws: UnknownVendorError.self) { try fixture.service().unlock(vendorCode: "9999999") }
        #expect(try fixture.outboxMessages().isEmpty)
        #expect(try fixture.events("9999999") == ["otp_issue_refused", "otp_verify_refused"])
    }

    @Test func twoVerificationsAtOnceAcceptTheCodeOnce() throws {
        let code = try fixture.issue()
        let results = Results()
        let fixture = self.fixture
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                results.append(try fixture.service().verify(vendorCode: vendor, input: code))
            } catch {
                Issue.record(error)
            }
        }
        #expect(results.values.count == 8)
        #expect(results.values.filter { $0 == .valid }.count == 1)
    }

    @Test func digestsDependOnKeyVendorAndCode() throws {
        let key = OTPKey(bytes: Array(repeating: 7, count: 32))
        let digest = try key.digest(vendorCode: vendor, code: "ABCDEFGH")
        #expect(digest.count == 32)
        #expect(OTPKey.same(digest, try key.digest(vendorCode: vendor, code: "ABCDEFGH")))
        #expect(!OTPKey.same(digest, try key.digest(vendorCode: "5184963", code: "ABCDEFGH")))
        #expect(!OTPKey.same(digest, try key.digest(vendorCode: vendor, code: "ABCDEFGJ")))
        #expect(
            !OTPKey.same(
                digest, try OTPKey(bytes: Array(repeating: 8, count: 32)).digest(vendorCode: vendor, code: "ABCDEFGH")))
        #expect(!OTPKey.same(digest, Array(digest.prefix(31))))
        #expect(!OTPKey.same([], []))
        // The same HMAC-SHA-256 as Python's hmac module computes for key 07×32 and "5184962:ABCDEFGH".
        #expect(
            digest.map { String(format: "%02x", $0) }.joined()
                == "0efb3fe3e3311f37fc04fc91e2b60e9bfd5e52f6c11bb2f41496f24d8b91f5b4")
    }
}

/// Verdicts gathered from several threads.
final class Results: Sendable {
    private let stored = Mutex<[OTPService.Verdict]>([])
    var values: [OTPService.Verdict] { stored.withLock { $0 } }
    func append(_ verdict: OTPService.Verdict) { stored.withLock { $0.append(verdict) } }
}
