import Foundation
import Testing

@testable import NotifierCore

/// Secrets stay secret: a password file anyone but its owner may open is refused, and a configuration error never
/// repeats a value or a line (a password pasted into the wrong line must not reach a terminal or a log).
@Suite("secrets")
struct SecretsTests {
    static let send = [
        "send", "update_notice", "--from", "nyusatsu@to-kousya.example", "--to", "vendor@example.test",
        "--var", "vendor_name=青葉建設", "--var", "vendor_code=5184962",
        "--var", "url=https://bid.to-kousya.example/cert/download?t=x", "--var", "valid_from=2027-04-01",
        "--var", "valid_until=2028-03-31",
    ]

    /// Writes a password file with `mode` into a fresh folder.
    static func passwordFile(mode: Int) throws -> (folder: URL, path: String) {
        let folder = try CLI.temporaryDirectory()
        let path = folder.appendingPathComponent("password").path
        try "S3cret-pw\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(chmod(path, mode_t(mode)) == 0)
        return (folder, path)
    }

    @Test("a password file with a group or other bit is refused: SMTP", arguments: [0o640, 0o660, 0o620, 0o604, 0o644])
    func smtpPasswordFileMode(mode: Int) throws {
        let (folder, path) = try Self.passwordFile(mode: mode)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Nothing listens on port 1: the password file is checked before any connection.
        let result = try CLI.run(
            Self.send + ["--smtp", "smtp://127.0.0.1:1", "--smtp-user", "notifier", "--smtp-password-file", path])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("chmod 600 \(path)"), "\(result.stderr)")
        #expect(!result.stderr.contains("S3cret"))
    }

    @Test("a password file with a group or other bit is refused: IMAP", arguments: [0o640, 0o660, 0o604])
    func imapPasswordFileMode(mode: Int) throws {
        let (folder, path) = try Self.passwordFile(mode: mode)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try CLI.run([
            "--db", folder.appendingPathComponent("v.db").path, "watch", "--imap", "imap://127.0.0.1:1/INBOX",
            "--imap-user", "tanto", "--imap-password-file", path, "--once",
        ])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(
            result.stderr.contains("IMAP password file") && result.stderr.contains("chmod 600 \(path)"),
            "\(result.stderr)")
    }

    @Test func aPasswordFileOfMode0600IsRead() throws {
        let (folder, path) = try Self.passwordFile(mode: 0o600)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try CLI.run(
            Self.send + ["--smtp", "smtp://127.0.0.1:1", "--smtp-user", "notifier", "--smtp-password-file", path])
        #expect(result.status == 69, "no server on port 1, but the file was accepted: \(result.stderr)")
    }

    @Test(
        "a configuration error names the file, line and key, never a value",
        arguments: [
            ("S3cret-pasted-alone", "expected 'key = value'"),
            ("smtp_pasword = S3cret", "'smtp_pasword'"),
            ("trust_sender = S3cret", "trust_sender"),
            ("trust_host = S3cret!", "trust_host"),
            ("smtp_tls = S3cret", "smtp_tls"),
            ("from = S3cret", "from"),
            ("message_id_domain = S3cret!", "message_id_domain"),
            ("charset = S3cret", "charset"),
            ("relay_to = S3cret", "relay_to"),
            ("S3cret pasted = here", "not shown"),
        ])
    func configurationErrorsShowNoValue(line: String, names: String) throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config")
        try "# notifier\n\(line)\n".write(to: config, atomically: true, encoding: .utf8)
        let notice = CLI.fixtures.appendingPathComponent("corpus/p01_update_utf8_base64.eml").path
        let result = try CLI.run(["--config", config.path, "parse", notice])
        #expect(result.status == 78)
        #expect(result.stderr.contains("\(config.path):2"), "\(result.stderr)")
        #expect(result.stderr.contains(names), "\(result.stderr)")
        #expect(!result.stderr.contains("S3cret"), "\(result.stderr)")
    }
}
