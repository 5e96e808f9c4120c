import Foundation
import Testing

@testable import NotifierCore

extension IMAPServerSuites {
    /// `watch --imap` with an OAuth2 access token against the real Dovecot: its oauth2 passdb asks
    /// Tests/Servers/oauth_introspect.py, which knows one token per run (IMAP_OAUTH_TOKEN, of IMAP_OAUTH_USER). The
    /// token comes from `--imap-token-command`, run before each connection; a command that fails, hangs or gives a
    /// token the server refuses is exit 77, and the token is never shown.
    @Suite("watch --imap with OAuth2", .serialized)
    struct IMAPOAuthTests {
        let folder: URL
        let mailbox = "oauth-\(UUID().uuidString.prefix(8))"
        var database: String { folder.appendingPathComponent("vendor.sqlite3").path }

        init() throws { folder = try CLI.temporaryDirectory() }

        /// `watch --imap imaps://.../MAILBOX` as the OAuth2 user, with `--imap-auth method`.
        func arguments(_ method: String, command: String) throws -> [String] {
            let port = try TestServers.port("IMAPS_PORT")
            return [
                "--db", database, "watch", "--imap",
                "imaps://\(try TestServers.value("IMAP_TLS_NAME")):\(port)/\(mailbox)",
                "--imap-user", try TestServers.value("IMAP_OAUTH_USER"), "--ca-file",
                try TestServers.value("IMAP_CA_FILE"), "--imap-auth", method, "--imap-token-command", command,
            ]
        }

        var token: String { get throws { try TestServers.value("IMAP_OAUTH_TOKEN") } }

        func deliver(_ name: String) throws {
            try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent(name), mailbox: mailbox)
        }

        func vault() throws -> [Substring] {
            try CLI.run(["--db", database, "urls", "--json"]).stdout.split(separator: "\n")
        }

        @Test("a notice is read with the token the command prints", arguments: ["xoauth2", "oauthbearer"])
        func readsTheNotice(method: String) throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try deliver("p01_update_utf8_base64.eml")
            // printf with a line break: the command's output is trimmed of it.
            let result = try CLI.run(
                try arguments(method, command: "printf '%s\\n' '\(try token)'") + ["--once"],
                environment: ["NOTIFIER_IMAP_PASSWORD": "not-used"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try vault().count == 1, "\(result.stdout) \(result.stderr)")
            let log = try String(contentsOfFile: try TestServers.value("IMAP_LOG"), encoding: .utf8)
            #expect(
                log.contains(
                    "Login: user=<\(try TestServers.value("IMAP_OAUTH_USER"))>, method=\(method.uppercased())"),
                "Dovecot logged no \(method) login")
        }

        @Test("a token the server refuses is exit 77, never shown", arguments: ["xoauth2", "oauthbearer"])
        func aWrongTokenIs77(method: String) throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let wrong = "Wrong\(UUID().uuidString.prefix(12))"
            let result = try CLI.run(try arguments(method, command: "printf %s \(wrong)") + ["--once"])
            #expect(result.status == 77, "\(result.stderr)")
            #expect(result.stderr.contains("login refused"), "\(result.stderr)")
            #expect(!result.stdout.contains(wrong) && !result.stderr.contains(wrong))
            #expect(try vault().isEmpty)
        }

        @Test func aFailingCommandIs77WithWhatItSaid() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let result = try CLI.run(
                try arguments(
                    "xoauth2",
                    command: "printf 'oama: no refresh token for \\033[31mtanto\\n\\n' >&2; printf %s partial; exit 3")
                    + ["--once"])
            #expect(result.status == 77, "\(result.stderr)")
            #expect(
                result.stderr.contains("--imap-token-command (imap_token_command) exited with status 3"),
                "\(result.stderr)")
            #expect(result.stderr.contains("oama: no refresh token for"), "\(result.stderr)")
            #expect(!result.stderr.contains("\u{1B}"), "a control character reached the terminal")
            #expect(!result.stderr.contains("partial"), "the command's output is never shown")
        }

        @Test func aCommandThatPrintsNothingIs77() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let result = try CLI.run(try arguments("oauthbearer", command: "true") + ["--once"])
            #expect(result.status == 77, "\(result.stderr)")
            #expect(result.stderr.contains("printed no token"), "\(result.stderr)")
        }

        @Test func aHangingCommandIsKilledWithItsChildren() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let pidFile = folder.appendingPathComponent("child.pid").path
            let started = ContinuousClock.now
            let result = try CLI.run(
                try arguments("xoauth2", command: "sleep 300 & echo $! > '\(pidFile)'; wait; printf %s late")
                    + ["--once"],
                environment: [SecretCommand.timeoutVariable: "1"])
            let took = ContinuousClock.now - started
            #expect(result.status == 77, "\(result.stderr)")
            #expect(result.stderr.contains("did not finish within 1 s and was killed"), "\(result.stderr)")
            #expect(took < .seconds(10), "took \(took)")
            // The sleep the shell started went with its process group (gone, or a zombie awaiting its reaper).
            let child = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmed))
            var alive = true
            for _ in 0..<50 where alive {
                let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
                alive = !stat.isEmpty && !stat.contains(") Z ")
                if alive { Thread.sleep(forTimeInterval: 0.1) }
            }
            #expect(!alive, "the command's child \(child) outlived the time limit")
        }

        @Test func theCommandRunsAgainOnReconnect() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let runs = folder.appendingPathComponent("runs")
            let process = try CLI.start(
                try arguments("xoauth2", command: "echo run >> '\(runs.path)'; printf %s '\(try token)'"))
            defer { if process.isRunning { process.process.terminate() } }
            func count() -> Int {
                ((try? String(contentsOf: runs, encoding: .utf8)) ?? "").split(separator: "\n").count
            }
            func waitForVault(_ wanted: Int) throws -> Bool {
                for _ in 0..<200 {
                    if try vault().count >= wanted { return true }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                return false
            }
            try deliver("p01_update_utf8_base64.eml")
            #expect(try waitForVault(1), "\(process.stderrSoFar)")
            let before = count()
            #expect(before >= 1)
            try IMAPTestServer.script("restart-imap.sh")
            try deliver("p03_update_iso2022jp.eml")
            #expect(try waitForVault(2), "the watcher did not come back after the restart: \(process.stderrSoFar)")
            #expect(count() > before, "no new token was asked for on reconnect (\(count()) runs)")
            process.process.terminate()
            let finished = process.finish()
            let secret = try token
            #expect(!finished.stderr.contains(secret) && !finished.stdout.contains(secret))
        }
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
