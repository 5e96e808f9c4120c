import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// Passwords and tokens from a command (`imap_password_command`, `smtp_token_command`...): run as msmtp runs
/// `passwordeval`, the secret taken from its standard output and shown nowhere; the order of the password's
/// sources; and the combinations that are usage errors.
@Suite("secret commands")
struct SecretCommandTests {
    static func command(_ text: String, environment: [String: String] = [:]) -> SecretCommand {
        SecretCommand(
            command: text, name: "--imap-token-command (imap_token_command)", secret: "token",
            environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 })
    }

    @Test func theOutputIsTrimmedOfItsLineBreakOnly() throws {
        #expect(try Self.command("printf ' tok en \\r\\n'").run() == " tok en ")
        #expect(try Self.command("printf 'tok\\n'").run() == "tok")
        #expect(try Self.command("printf tok").run() == "tok")
    }

    @Test func standardInputIsDevNull() throws {
        #expect(try Self.command("read line; printf %s \"${line:-nothing}\"").run() == "nothing")
    }

    @Test func notifiersOwnVariablesStayBehind() throws {
        let command = Self.command(
            "printf %s \"${NOTIFIER_SMTP_PASSWORD:-none}:$HOME\"",
            environment: ["NOTIFIER_SMTP_PASSWORD": "S3cret", "HOME": "/home/tanto"])
        #expect(try command.run() == "none:/home/tanto")
    }

    @Test(
        "output that is not one line of text is refused, and not shown",
        arguments: ["printf 'alpha\\nbeta\\n'", "printf 'alpha\\033beta'", "printf '\\377\\376'", "printf '\\n'"])
    func badOutputIsRefused(text: String) throws {
        #expect(throws: SecretCommandError.self) { try Self.command(text).run() }
        do {
            _ = try Self.command(text).run()
        } catch {
            #expect(!error.message.contains("alpha") && !error.message.contains("beta"), "\(error.message)")
        }
    }

    @Test func aFailureSaysWhatTheCommandSaidSafely() throws {
        do {
            _ = try Self.command("printf 'no \\033]0;title\\007refresh token\\n' >&2; printf %s half; exit 5").run()
            Issue.record("the command failed; no token expected")
        } catch {
            #expect(error.message.hasPrefix("the --imap-token-command (imap_token_command) exited with status 5"))
            #expect(error.message.contains("refresh token") && !error.message.contains("half"), "\(error.message)")
            #expect(!error.message.unicodeScalars.contains { $0.value < 0x20 }, "\(error.message)")
            #expect(ExitCode(for: error) == .noPermission)
        }
    }

    @Test func aHugeOutputIsRefused() throws {
        #expect(throws: SecretCommandError.self) { try Self.command("head -c 200000 /dev/zero | tr '\\0' a").run() }
    }

    // MARK: - Where the password comes from

    static func source(
        file: String? = nil, command: String? = nil, token: String? = nil, method: AuthMethod = .password
    )
        -> LoginSource
    {
        LoginSource(
            service: "IMAP", prefix: "imap", user: "tanto", method: method, passwordFile: file,
            passwordCommand: command, tokenCommand: token)
    }

    @Test func theEnvironmentComesFirstThenTheFileThenTheCommand() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("password").path
        try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(chmod(file, 0o600) == 0)
        let environment = ["NOTIFIER_IMAP_PASSWORD": "from-env", "PATH": "/usr/bin:/bin"]
        #expect(
            try Self.source(file: file).login(environment: environment)?.credentials()
                == .password(user: "tanto", password: "from-env"))
        #expect(
            try Self.source(file: file).login(environment: [:])?.credentials()
                == .password(user: "tanto", password: "from-file"))
        let fromCommand = try Self.source(command: "printf from-command").login(environment: environment)
        #expect(try fromCommand?.credentials() == .password(user: "tanto", password: "from-env"))
        let onlyCommand = try Self.source(command: "printf from-command").login(environment: ["PATH": "/bin"])
        #expect(try onlyCommand?.credentials() == .password(user: "tanto", password: "from-command"))
        #expect(try Self.source().login(environment: [:]) == nil)
    }

    @Test func aTokenCommandGivesABearerLogin() throws {
        let login = try Self.source(token: "printf tok", method: .oauthbearer).login(environment: ["PATH": "/bin"])
        #expect(try login?.credentials() == .bearer(user: "tanto", token: "tok", mechanism: .oauthbearer))
        #expect(login?.description.contains("tok") == false && "\(String(describing: login))".contains("oauthbearer"))
    }

    @Test(
        "combinations that are usage errors (exit 64)",
        arguments: [
            ["--imap-password-file", "/etc/notifier/imap-password", "--imap-password-command", "pass show imap"],
            ["--imap-token-command", "printf tok"],
            ["--imap-auth", "xoauth2"],
        ])
    func usageErrors(extra: [String]) throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try CLI.run(
            [
                "--db", folder.appendingPathComponent("v.db").path, "watch", "--imap", "imaps://127.0.0.1:1/INBOX",
                "--imap-user", "tanto", "--once",
            ] + extra)
        #expect(result.status == 64, "\(result.stderr)")
    }

    @Test func smtpAuthWithoutAUserIsAUsageError() throws {
        let result = try CLI.run(
            SecretsTests.send + [
                "--smtp", "smtps://127.0.0.1:1", "--smtp-auth", "xoauth2", "--smtp-token-command", "printf tok",
            ])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--smtp-user"), "\(result.stderr)")
    }

    @Test func theSMTPPasswordCommandIsUsed() throws {
        // Nothing listens on port 1: the command ran (its failure would be 77), then the connection failed (69).
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ran = folder.appendingPathComponent("ran").path
        let result = try CLI.run(
            SecretsTests.send + [
                "--smtp", "smtp://127.0.0.1:1", "--smtp-user", "notifier", "--smtp-password-command",
                "touch '\(ran)'; printf S3cret",
            ])
        #expect(result.status == 69, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: ran))
        #expect(!result.stderr.contains("S3cret"))
    }
}
