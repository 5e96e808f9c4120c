import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `notifier otp issue` against the real mail servers `make test` starts: Postfix takes the mail, the faulty server
/// refuses it. A code whose mail was refused is never valid.
@Suite("OTP against real mail servers")
struct OTPSMTPTests {
    let fixture: OTPFixture
    init() throws { fixture = try OTPFixture() }

    func issue(port: Int, vendor: String = OTPFixture.vendor) throws -> CLI.Result {
        try fixture.run([
            "otp", "issue", "--vendor", vendor, "--from", OTPFixture.from, "--smtp", "smtp://localhost:\(port)",
            "--ca-file", try TestServers.value("SMTP_CA_FILE"), "--timeout", "10", "--connect-timeout", "5",
        ])
    }

    @Test func postfixDeliversAValidCode() throws {
        let result = try issue(port: try TestServers.port("SMTP_PLAIN_PORT"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("OTP mailed to aoba@example.test; valid until "))
        // The audit trail names the Message-ID: find the delivered mail by it.
        let issued = try #require(try fixture.audit().first { $0.event == "otp_issued" })
        let id = try #require(
            issued.detail.range(of: "Message-ID <").flatMap { open in
                issued.detail[open.upperBound...].split(separator: ">").first.map(String.init)
            })
        let delivered = try TestServers.delivered(containing: id)
        #expect(delivered.count == 1)
        let notice = NoticeReader.read(try #require(delivered.first))
        let code = try #require(notice.otp)
        #expect(!result.stdout.contains(code) && !result.stderr.contains(code))
        #expect(try fixture.runVerify(code).status == 0)
    }

    @Test(
        "a refused mail leaves no valid code",
        arguments: [("FAULTY_PORT_RCPT550", Int32(67), "550"), ("FAULTY_PORT_RCPT451", 75, "451")])
    func refusedMail(port: String, status: Int32, says: String) throws {
        let result = try issue(port: try TestServers.port(port))
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(says) && result.stderr.contains("not valid"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try fixture.storedCodes() == 0)
        #expect(try fixture.events() == ["otp_issue_started", "otp_issue_failed"])
        // No code of any shape is accepted, and guessing counts as it always does.
        for guess in ["ABCDEFGH", "abcdefgh"] {
            #expect(try fixture.runVerify(guess).status == 1)
        }
    }
}
