import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `send` with an OAuth2 access token (`--smtp-auth xoauth2|oauthbearer`, `--smtp-token-command`) against the real
/// Postfix, whose AUTH is Dovecot's SASL with an oauth2 passdb that asks Tests/Servers/oauth_introspect.py. The
/// submissions port takes no mail without AUTH, so a delivered message proves the login.
@Suite("SMTP with OAuth2", .serialized)
struct SMTPOAuthTests {
    static func send(_ method: String, command: String, url: String? = nil, extra: [String] = []) throws -> CLI.Result {
        let port = try TestServers.port("SMTP_SUBMISSIONS_PORT")
        return try CLI.run(
            ["send"] + SMTPIntegrationTests.arguments(to: "customer@example.com") + [
                "--smtp", url ?? "smtps://localhost:\(port)", "--smtp-user", try TestServers.value("IMAP_OAUTH_USER"),
                "--ca-file", try TestServers.value("SMTP_CA_FILE"), "--smtp-auth", method,
                "--smtp-token-command", command,
            ] + extra)
    }

    @Test("Postfix takes the message after AUTH with the token", arguments: ["xoauth2", "oauthbearer"])
    func sendsWithTheToken(method: String) throws {
        let token = try TestServers.value("IMAP_OAUTH_TOKEN")
        let result = try Self.send(method, command: "printf '%s\\n' '\(token)'")
        #expect(result.status == 0, "\(result.stderr)")
        let id = try #require(SMTPIntegrationTests.messageID(result.stdout), "\(result.stdout)")
        #expect(try TestServers.delivered(containing: id).count == 1)
        let log = try String(contentsOfFile: try TestServers.value("SMTP_LOG"), encoding: .utf8)
        #expect(log.contains("sasl_method=\(method.uppercased())"), "Postfix logged no \(method) login")
    }

    @Test func aWrongTokenIs77AndNeverShown() throws {
        let wrong = "Wrong\(UUID().uuidString.prefix(12))"
        let result = try Self.send("xoauth2", command: "printf %s \(wrong)")
        #expect(result.status == 77, "\(result.stderr)")
        #expect(!result.stdout.contains(wrong) && !result.stderr.contains(wrong))
    }

    @Test func aFailingCommandIs77WithWhatItSaid() throws {
        let result = try Self.send("xoauth2", command: "echo 'token helper: consent revoked' >&2; exit 4")
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("--smtp-token-command (smtp_token_command) exited with status 4"))
        #expect(result.stderr.contains("token helper: consent revoked"), "\(result.stderr)")
    }

    @Test func aTokenNeverGoesOutInClear() throws {
        // The faulty server offers no STARTTLS; mail.localhost is loopback, but not an exempt name.
        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        let before = try TestServers.faultyLog("notls").count
        let result = try Self.send("xoauth2", command: "printf %s ClearToken", url: "smtp://mail.localhost:\(port)")
        Thread.sleep(forTimeInterval: 0.3)
        let lines = Array(try TestServers.faultyLog("notls").dropFirst(before))
        #expect(result.status == 69, "\(result.stderr)")
        #expect(!lines.contains { $0.contains(" AUTH ") || $0.contains("ClearToken") }, "\(lines)")
    }
}
