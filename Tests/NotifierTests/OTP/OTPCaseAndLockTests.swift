import Dispatch
import Foundation
import MailParse
import Testing

@testable import Notifier
@testable import NotifierCore

/// Codes in one case, read in either; what input that cannot be a code is told; codes mailed in mixed case before
/// the change; and a lock that lifts by itself after `otp_lock_minutes`.
@Suite("OTP: one case, malformed input, temporary locks")
struct OTPCaseAndLockTests {
    let fixture: OTPFixture
    init() throws { fixture = try OTPFixture() }

    var vendor: VendorCode { VendorCode(stringLiteral: OTPFixture.vendor) }

    @Test func aCodeTypedInSmallLettersIsTheCodeAndNotAGuess() throws {
        let code = try fixture.issue()
        #expect(code == code.uppercased() && OTPCode.isWellFormed(code), "mailed in capitals: \(code.count)")
        let service = try fixture.service()
        #expect(try service.verify(vendorCode: vendor, input: " \(code.lowercased())\n") == .valid)
        #expect(!(try fixture.audit().contains { $0.event == "otp_verify_failed" }), "nothing counted")
        // A wrong guess is one guess in either case: the small-letter copy is the same wrong code.
        fixture.clock.advance(60)
        try fixture.issue()
        let wrong = "ZZZZZZZZ"
        #expect(try service.verify(vendorCode: vendor, input: wrong) == .rejected(.wrong(inARow: 1, locked: false)))
        #expect(
            try service.verify(vendorCode: vendor, input: wrong.lowercased())
                == .rejected(.wrong(inARow: 2, locked: false)))
        // Mixed case and full width, as a Japanese input method may type it.
        fixture.clock.advance(60)
        let third = try fixture.issue()
        let fullWidth = String(
            String.UnicodeScalarView(
                third.lowercased().unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0) ?? $0 }))
        #expect(try service.verify(vendorCode: vendor, input: fullWidth) == .valid)
    }

    @Test func aLetterOIsNamedAndNotCounted() throws {
        try fixture.issue()
        let service = try fixture.service()
        for _ in 1...6 {
            guard case .rejected(.malformed(let why)) = try service.verify(vendorCode: vendor, input: "WRONGCOD") else {
                Issue.record("not malformed")
                return
            }
            #expect(why.hasPrefix("'O' is not used in codes"), "\(why)")
        }
        #expect(
            try service.verify(vendorCode: vendor, input: "ZZZZZZZZ") == .rejected(.wrong(inARow: 1, locked: false)))
        let details = try fixture.audit().filter { $0.event == "otp_verify_failed" }.map(\.detail)
        #expect(details.first?.contains("not a code: 'O' is not used in codes") == true, "\(details)")
        #expect(details.first?.contains("not counted toward the lock") == true)
        #expect(!details.contains { $0.contains("WRONGCOD") }, "the input is never written")
    }

    @Test func otpVerifySaysWhichCharacterIsNotInACode() throws {
        #expect(try fixture.runIssue().status == 0)
        let result = try fixture.runVerify("WRONGCOD")
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("that is not a code for vendor \(OTPFixture.vendor): 'O' is not used in codes"),
            "\(result.stderr)")
        #expect(result.stderr.contains("nothing was counted") && !result.stderr.contains("WRONGCOD"))
        let lower = try fixture.runVerify("wrong-1")
        #expect(lower.status == 1)
        #expect(lower.stderr.contains("'o', '-', '1' are not used in codes, and it has 7 characters, not 8"))
        // Hostile input: an escape sequence is shown as code points, never written to the terminal.
        let hostile = try fixture.runVerify("AB\u{1B}[2J\u{7}")
        #expect(hostile.status == 1 && hostile.stderr.contains("U+001B") && !hostile.stderr.contains("\u{1B}"))
    }

    @Test func aMixedCaseCodeMailedBeforeTheChangeIsAcceptedAsMailed() throws {
        // A code of the former alphabet (small letters too, among them o and i) stored before an upgrade.
        try fixture.issue()
        let key = try OTPKey.load(path: fixture.keyPath)
        let service = try fixture.service()
        for (legacy, wrongCase) in [("aB3dEf9H", "AB3DEF9H"), ("xoPiQ2rs", "XOPIQ2RS")] {
            let issuedAt = fixture.clock.now.epochSeconds
            try service.store.database.transaction {
                try service.store.replaceCode(
                    vendor, digest: try key.digest(vendorCode: vendor, code: legacy), issuedAt: issuedAt,
                    expiresAt: issuedAt + 1800)
            }
            let before = try fixture.audit().count
            // Not as capitals: that is another code (counted when it could be one, not when it has an O or I).
            let verdict = try service.verify(vendorCode: vendor, input: wrongCase)
            #expect(verdict != .valid)
            #expect(try service.verify(vendorCode: vendor, input: legacy) == .valid, "\(legacy)")
            #expect(try fixture.audit().count == before + 2)
        }
        // Once used it is the vendor's own code: refused as used, not counted.
        fixture.clock.advance(5)
        guard case .rejected(.used) = try service.verify(vendorCode: vendor, input: "xoPiQ2rs") else {
            Issue.record("not used")
            return
        }
        // A mixed-case input that matches no code and has an o is still no code, and not counted.
        #expect(try service.verify(vendorCode: vendor, input: "xoPiQ2rt").isMalformed)
        // The accepted code cleared the count; the malformed inputs since did not add to it.
        #expect(
            try service.verify(vendorCode: vendor, input: "ZZZZZZZZ") == .rejected(.wrong(inARow: 1, locked: false)))
    }

    @Test func withoutLockMinutesALockStaysUntilUnlocked() throws {
        let code = try fixture.issue()
        let service = try fixture.service()
        for _ in 1...5 { _ = try service.verify(vendorCode: vendor, input: "ZZZZZZZZ") }
        fixture.clock.advance(30 * 86_400)
        guard case .locked(let error) = try service.verify(vendorCode: vendor, input: code) else {
            Issue.record("not locked after 30 days")
            return
        }
        #expect(error.liftsAt == nil && !error.message.contains("otp_lock_minutes"))
        #expect(try fixture.events().contains("otp_lock_lifted") == false)
        #expect(
            try fixture.audit().contains {
                $0.event == "otp_locked" && $0.detail.hasSuffix("until 'notifier otp unlock'")
            })
    }

    @Test func aLockOfTenMinutesLiftsByItselfAndTheTrailSaysWhen() throws {
        let service = try fixture.service(policy: OTPPolicy(lockMinutes: 10))
        let code = try fixture.issue(service: service)
        for _ in 1...5 { _ = try service.verify(vendorCode: vendor, input: "ZZZZZZZZ") }
        let lockedAt = fixture.clock.now.epochSeconds
        let lifts = lockedAt + 600
        #expect(
            try fixture.audit().last?.detail
                == "locked after 5 wrong codes in a row, for 10 minutes (otp_lock_minutes), until "
                + "\(JapanClock.iso8601(seconds: lifts)), or 'notifier otp unlock'")
        fixture.clock.advance(599)
        guard case .locked(let error) = try service.verify(vendorCode: vendor, input: code) else {
            Issue.record("not locked at 9:59")
            return
        }
        #expect(error.liftsAt == lifts && ExitCode(for: error).rawValue == 77)
        #expect(error.message.contains("until \(JapanClock.iso8601(seconds: lifts)) (otp_lock_minutes)"))
        #expect(error.message.contains("notifier otp unlock --vendor \(vendor)"))
        #expect(throws: OTPLockedError.self) { try fixture.issue(service: service) }

        fixture.clock.advance(61)
        // The code mailed before the lock is still valid (30 minutes) and now accepted.
        #expect(try service.verify(vendorCode: vendor, input: code) == .valid)
        let lifted = try #require(try fixture.audit().first { $0.event == "otp_lock_lifted" })
        #expect(lifted.detail.contains("lifted at \(JapanClock.iso8601(seconds: lifts)) (otp_lock_minutes = 10)"))
        #expect(lifted.detail.contains("the lock set at \(JapanClock.iso8601(seconds: lockedAt)) after 5 wrong codes"))
        #expect(try fixture.events().filter { $0 == "otp_lock_lifted" }.count == 1, "recorded once")
        // The count starts again: four wrong codes do not lock, the fifth does.
        for attempt in 1...4 {
            #expect(
                try service.verify(vendorCode: vendor, input: "ZZZZZZZZ")
                    == .rejected(.wrong(inARow: attempt, locked: false)))
        }
        #expect(try service.verify(vendorCode: vendor, input: "ZZZZZZZZ") == .rejected(.wrong(inARow: 5, locked: true)))
    }

    @Test func eightVerificationsAtOnceAfterTheLockRanOutLiftItOnce() throws {
        let policy = OTPPolicy(lockMinutes: 5)
        let code = try fixture.issue(service: try fixture.service(policy: policy))
        for _ in 1...5 { _ = try fixture.service(policy: policy).verify(vendorCode: vendor, input: "ZZZZZZZZ") }
        fixture.clock.advance(5 * 60)
        let results = Results()
        let fixture = self.fixture
        let vendor = self.vendor
        // Each on its own connection, as eight portal requests would be.
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                results.append(try fixture.service(policy: policy).verify(vendorCode: vendor, input: code))
            } catch {
                Issue.record(error)
            }
        }
        #expect(results.values.filter { $0 == .valid }.count == 1, "\(results.values)")
        #expect(results.values.allSatisfy { if case .locked = $0 { false } else { true } })
        #expect(try fixture.events().filter { $0 == "otp_lock_lifted" }.count == 1)
    }

    @Test func aLiftedLockFoundByIssueOrUnlockIsRecordedToo() throws {
        let service = try fixture.service(policy: OTPPolicy(lockMinutes: 1))
        try fixture.issue(service: service)
        for _ in 1...5 { _ = try service.verify(vendorCode: vendor, input: "ZZZZZZZZ") }
        fixture.clock.advance(60)
        try fixture.issue(service: service)
        #expect(try fixture.events().suffix(3) == ["otp_lock_lifted", "otp_issue_started", "otp_issued"])

        for _ in 1...5 { _ = try service.verify(vendorCode: vendor, input: "ZZZZZZZZ") }
        fixture.clock.advance(120)
        #expect(try service.unlock(vendorCode: vendor) == OTPService.Unlocked(lockedAt: nil, wrongInARow: 0))
        #expect(try fixture.events().suffix(2) == ["otp_lock_lifted", "otp_unlocked"])
    }

    @Test func otpLockMinutesFromTheConfigurationThroughTheBinary() throws {
        let config = fixture.folder.appendingPathComponent("config")
        try "otp_lock_minutes = 1\n".write(to: config, atomically: true, encoding: .utf8)
        let environment = ["NOTIFIER_CONFIG": config.path]
        #expect(try fixture.runIssue(environment: environment).status == 0)
        for _ in 1...4 {
            #expect(try fixture.run(["otp", "verify", "--vendor", OTPFixture.vendor], stdin: "ZZZZZZZZ\n").status == 1)
        }
        let fifth = try fixture.run(
            ["otp", "verify", "--vendor", OTPFixture.vendor], stdin: "ZZZZZZZZ\n", environment: environment)
        #expect(fifth.status == 1)
        #expect(fifth.stderr.contains("the vendor is now locked for 1 minute, or until 'notifier otp unlock"))
        let locked = try fixture.run(
            ["otp", "verify", "--vendor", OTPFixture.vendor], stdin: "ZZZZZZZZ\n", environment: environment)
        #expect(locked.status == 77 && locked.stderr.contains("(otp_lock_minutes)"), "\(locked.stderr)")
        // Without the setting the same lock stays (the default 0): the binary read the file, not a built-in.
        #expect(
            try fixture.run(["otp", "verify", "--vendor", OTPFixture.vendor], stdin: "ZZZZZZZZ\n").stderr.contains(
                "the issuer must check with the vendor"))
        // The lock was set a minute ago, as far as the database knows: the next verify finds it lifted.
        try Database(path: fixture.databasePath).run("UPDATE otp_guards SET locked_at = locked_at - 61")
        let after = try fixture.run(
            ["otp", "verify", "--vendor", OTPFixture.vendor], stdin: "ZZZZZZZZ\n", environment: environment)
        #expect(after.status == 1 && after.stderr.contains("(1 of 5 wrong in a row"), "\(after.stderr)")
        #expect(try fixture.events().contains("otp_lock_lifted"))
    }

    @Test(
        "otp_lock_minutes takes minutes from 0 to a year",
        arguments: ["-1", "ten", "525601", "1.5"])
    func badLockMinutes(value: String) throws {
        let config = fixture.folder.appendingPathComponent("config")
        try "otp_lock_minutes = \(value)\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try fixture.run(
            ["otp", "unlock", "--vendor", OTPFixture.vendor], environment: ["NOTIFIER_CONFIG": config.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("\(config.path):1: otp_lock_minutes takes a number of minutes from 0 to 525600"))
        #expect(try Configuration.parse("otp_lock_minutes = 0\n", path: "c").otpLockMinutes == 0)
    }
}

extension OTPService.Verdict {
    /// Whether this is a refusal of input that cannot be a code.
    var isMalformed: Bool {
        if case .rejected(.malformed) = self { return true }
        return false
    }
}
