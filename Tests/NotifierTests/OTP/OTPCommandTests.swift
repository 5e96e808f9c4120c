import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `notifier otp` through the binary, as the download portal runs it: the mail goes into an outbox, and the test
/// learns each code from the mail there.
@Suite("notifier otp command")
struct OTPCommandTests {
    let fixture: OTPFixture
    init() throws { fixture = try OTPFixture() }

    var vendor: String { OTPFixture.vendor }

    /// Issues through the CLI and returns its result and the code read from the new mail.
    func issue() throws -> (result: CLI.Result, code: String) {
        let before = try fixture.outboxMessages()
        let result = try fixture.runIssue()
        #expect(result.status == 0, "\(result.stderr)")
        let mail = try #require(try fixture.outboxMessages().first { !before.contains($0) })
        return (result, try #require(try OTPFixture.code(inMessageAt: mail)))
    }

    @Test func issueMailsTheCodeAndPrintsOnlyTheExpiry() throws {
        let started = Date()
        let (result, code) = try issue()
        #expect(OTPCode.isWellFormed(code))
        let line = try #require(result.stdout.split(separator: "\n").first.map(String.init))
        #expect(line.hasPrefix("OTP mailed to aoba@example.test; valid until "))
        let expiry = try #require(
            TemplateValues.parseInstant(String(line.dropFirst("OTP mailed to aoba@example.test; valid until ".count))))
        #expect(line.hasSuffix("+09:00"))
        #expect(abs(expiry.timeIntervalSince(started) - 1800) < 10)
        #expect(result.stderr.isEmpty)

        let mails = try fixture.outboxMessages()
        #expect(mails.count == 1)
        let notice = NoticeReader.read([UInt8](try Data(contentsOf: mails[0])))
        #expect(notice.kind == .otp && notice.trusted)
        #expect(
            notice.expiresAt?.instant
                == Date(timeIntervalSince1970: (expiry.timeIntervalSince1970 / 60).rounded(.down) * 60))
        let message = String(decoding: try Data(contentsOf: mails[0]), as: UTF8.self)
        #expect(message.contains("To: aoba@example.test"))
    }

    @Test func theCodeAppearsNowhereButInTheMail() throws {
        let (result, code) = try issue()
        // A wrong guess, a used code and a cooldown refusal: none of their messages holds the code either.
        let wrong = try fixture.runVerify(String(code.dropLast()) + (code.hasSuffix("Z") ? "Y" : "Z"))
        let right = try fixture.runVerify(code)
        let again = try fixture.runVerify(code)
        let refused = try fixture.runIssue()
        #expect(right.status == 0 && again.status == 1 && refused.status == 75)
        for output in [result, wrong, right, again, refused] {
            #expect(!output.stdout.contains(code) && !output.stderr.contains(code))
        }
        let audit = try fixture.audit()
        #expect(audit.count >= 6)
        for row in audit { #expect(!row.detail.contains(code) && !row.event.contains(code)) }
        // Not in the database's bytes (nor its journal), not in any file beside it.
        let folder = (fixture.databasePath as NSString).deletingLastPathComponent
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.contains("notifier.sqlite3") && files.contains("otp.key"))
        for name in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name))
            #expect(bytes.range(of: Data(code.utf8)) == nil, "\(name)")
        }
    }

    @Test func verifyAcceptsACodeOnceFromStandardInput() throws {
        let (_, code) = try issue()
        let typed = try fixture.run(["otp", "verify", "--vendor", vendor], stdin: "  \(code)\r\n")
        #expect(typed.status == 0, "\(typed.stderr)")
        #expect(typed.stdout == "OTP accepted for vendor \(vendor); it is now used\n")
        let again = try fixture.runVerify(code)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already used"))
        #expect(
            try fixture.run(["otp", "verify", "--vendor", vendor], stdin: String(repeating: "A", count: 5000)).status
                == 1)
    }

    @Test func lockAfterFiveWrongCodesAndUnlock() throws {
        let (_, code) = try issue()
        let wrong = code.first == "A" ? "BBBBBBBB" : "AAAAAAAA"
        for attempt in 1...5 {
            let result = try fixture.runVerify(wrong)
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(attempt)"))
            #expect(!result.stderr.contains(wrong), "the input is never echoed")
        }
        let locked = try fixture.runVerify(code)
        #expect(locked.status == 77)
        #expect(locked.stderr.contains("locked") && locked.stderr.contains("notifier otp unlock --vendor \(vendor)"))
        #expect(try fixture.runIssue().status == 77, "no code for a locked vendor")

        let unlock = try fixture.run(["otp", "unlock", "--vendor", vendor])
        #expect(unlock.status == 0, "\(unlock.stderr)")
        #expect(unlock.stdout.contains("vendor \(vendor) unlocked (was locked since "))
        #expect(unlock.stdout.contains("5 wrong codes in a row cleared"))
        #expect(try fixture.runVerify(code).status == 0)
        let again = try fixture.run(["otp", "unlock", "--vendor", vendor])
        #expect(again.status == 0 && again.stdout.contains("was not locked"))
        let events = try fixture.events()
        #expect(events.filter { $0 == "otp_unlocked" }.count == 2 && events.contains("otp_locked"))
    }

    @Test func aSecondCodeWithinAMinuteIsRefusedWithWhenToRetry() throws {
        _ = try issue()
        let result = try fixture.runIssue()
        #expect(result.status == 75)
        #expect(result.stderr.contains("try again after "))
        #expect(result.stderr.contains("+09:00"))
        #expect(result.stdout.isEmpty)
        #expect(try fixture.outboxMessages().count == 1)
    }

    @Test func unknownVendor() throws {
        let issue = try fixture.runIssue("7654321")
        #expect(issue.status == 67)
        #expect(issue.stderr.contains("no vendor 7654321 in the registry"))
        #expect(try fixture.runVerify("ABCDEFGH", vendor: "7654321").status == 67)
        #expect(try fixture.run(["otp", "unlock", "--vendor", "7654321"]).status == 67)
        #expect(try fixture.outboxMessages().isEmpty)
    }

    @Test(
        "bad usage",
        arguments: [
            ["otp"], ["otp", "frob"], ["otp", "--vendor", "5184962"], ["otp", "issue", "--outbox", "x"],
            ["otp", "issue", "--vendor", "518496", "--outbox", "x"], ["otp", "issue", "--vendor", "５１８４９６２"],
            ["otp", "issue", "--vendor", "5184962", "--smtp", "smtp://localhost", "--outbox", "x"],
            ["otp", "issue", "--vendor", "5184962", "--outbox", "x", "extra"],
            ["otp", "verify"], ["otp", "verify", "--vendor", "5184962", "ABCDEFGH"],
            ["otp", "unlock"], ["otp", "unlock", "--vendor", "5184962", "--force"],
        ])
    func badUsage(arguments: [String]) throws {
        let result = try fixture.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("notifier: ") && result.stderr.contains("--help' for more"), "\(result.stderr)")
        // The hint names the innermost command the words reached.
        let named = arguments.count > 1 && ["issue", "verify", "unlock"].contains(arguments[1])
        #expect(
            result.stderr.contains(named ? "notifier otp \(arguments[1]) --help" : "notifier otp --help"),
            "\(result.stderr)")
    }

    @Test func theCodeIsNeverTakenAsAnArgument() throws {
        let result = try fixture.run(["otp", "verify", "--vendor", vendor, "ABCDEFGH"])
        #expect(result.stderr.contains("standard input"))
    }

    @Test(
        "help on every level: otp lists its subcommands, a subcommand shows its own usage and options only",
        arguments: [
            (["otp", "--help"], nil), (["help", "otp"], nil), (["otp", "issue", "--help"], "issue"),
            (["otp", "verify", "-h"], "verify"), (["otp", "unlock", "--help"], "unlock"),
            (["help", "otp", "issue"], "issue"),
            (["otp", "issue", "--vendor", "5184962", "--help"], "issue"),
        ] as [([String], String?)])
    func help(arguments: [String], subcommand: String?) throws {
        let result = try fixture.run(arguments)
        #expect(result.status == 0)
        for name in ["issue", "verify", "unlock"] {
            let usage = "Usage: notifier otp \(name) --vendor CODE"
            #expect(result.stdout.contains(usage) == (name == subcommand), "\(arguments): \(result.stdout)")
        }
        if subcommand == nil {
            #expect(result.stdout.contains("Subcommands:") && result.stdout.contains("  verify  "))
        } else {
            #expect(result.stdout.contains("--vendor CODE") && result.stdout.contains("Exit status"))
        }
        #expect(result.stdout.contains("--smtp URL") == (subcommand == "issue"))
    }
}
