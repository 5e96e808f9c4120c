import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// The one reader of a secret, for SMTP and IMAP alike.
@Suite("credentials")
struct CredentialsTests {
    @Test func theVariableWinsOverTheFileAndAnEmptyOneDoesNot() throws {
        let (folder, path) = try SecretsTests.passwordFile(mode: 0o600)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fromVariable = try Credentials.password(
            user: "u", variable: "PW", passwordFile: path, environment: ["PW": "from-env"], service: "IMAP")
        #expect(fromVariable == .password(user: "u", password: "from-env"))
        let fromFile = try Credentials.password(
            user: "u", variable: "PW", passwordFile: path, environment: ["PW": ""], service: "IMAP")
        #expect(fromFile == .password(user: "u", password: "S3cret-pw"))
        #expect(
            try Credentials.password(user: "u", variable: "PW", passwordFile: nil, environment: [:], service: "IMAP")
                == nil)
        #expect(!"\(fromFile!)".contains("S3cret") && !String(reflecting: fromFile!).contains("S3cret"))
    }

    @Test func aRefusedFileIsNamedForItsServiceWithoutTheSecret() throws {
        let (folder, path) = try SecretsTests.passwordFile(mode: 0o640)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            try Credentials.password(user: "u", variable: "PW", passwordFile: path, environment: [:], service: "IMAP")
        } throws: { error in
            let message = (error as? PasswordFileError)?.message ?? ""
            return message.hasPrefix("the IMAP password file \(path) has mode 640") && !message.contains("S3cret")
                && ExitCode(for: error) == .configuration
        }
        let empty = folder.appendingPathComponent("empty").path
        #expect(
            FileManager.default.createFile(
                atPath: empty, contents: Data("\n".utf8), attributes: [.posixPermissions: 0o600]))
        #expect(throws: PasswordFileError(service: "SMTP", path: empty, problem: .empty)) {
            try Credentials.password(user: "u", variable: "PW", passwordFile: empty, environment: [:], service: "SMTP")
        }
    }
}
