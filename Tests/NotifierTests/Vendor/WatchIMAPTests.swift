import Foundation
import MailParse
import Testing

@testable import Notifier
@testable import NotifierCore

extension IMAPServerSuites {
    /// `notifier watch --imap` against the real Dovecot: once per message, read-only, through a restart and a
    /// UIDVALIDITY change.
    @Suite("watch --imap", .serialized)
    struct WatchIMAPTests {
        let folder: URL
        let mailbox = "watch-\(UUID().uuidString.prefix(8))"
        var database: String { folder.appendingPathComponent("vendor.sqlite3").path }

        init() throws { folder = try CLI.temporaryDirectory() }

        func watchArguments(_ scheme: String = "imaps") throws -> [String] {
            let port = try TestServers.port(scheme == "imaps" ? "IMAPS_PORT" : "IMAP_PORT")
            return [
                "--db", database, "watch", "--imap",
                "\(scheme)://\(try TestServers.value("IMAP_TLS_NAME")):\(port)/\(mailbox)",
                "--imap-user", try TestServers.value("IMAP_USER"), "--ca-file", try TestServers.value("IMAP_CA_FILE"),
            ]
        }

        var environment: [String: String] {
            get throws { ["NOTIFIER_IMAP_PASSWORD": try TestServers.value("IMAP_PASSWORD")] }
        }

        func deliverCorpus() throws -> [String] {
            // The sample notices (p*.eml), not the deliveries of issue 11.
            let names = try FileManager.default.contentsOfDirectory(atPath: IMAPTestServer.corpus.path)
                .filter { $0.hasPrefix("p") && $0.hasSuffix(".eml") }.sorted()
            for name in names {
                try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent(name), mailbox: mailbox)
            }
            return names
        }

        func vault() throws -> [Substring] {
            try CLI.run(["--db", database, "urls", "--json"]).stdout.split(separator: "\n")
        }

        @Test("every trusted notice reaches the vault once; flags untouched", arguments: ["imaps", "imap"])
        func onceAndReadOnly(scheme: String) throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try deliverCorpus()
            let first = try CLI.run(try watchArguments(scheme) + ["--once"], environment: try environment)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.split(separator: "\n").count == 14)
            #expect(first.stderr.contains("suspected phishing"))
            let urls = try vault()
            #expect(urls.count == 5)
            #expect(!urls.contains { $0.contains("verify-cert.test") || $0.contains("VzSm55NPgkIlXTIclOcwx3p_3cx") })
            let second = try CLI.run(try watchArguments(scheme) + ["--once"], environment: try environment)
            // Nothing new to say; only the once-per-run word that From alone decides (no authserv-id set here).
            #expect(second.status == 0 && second.stdout.isEmpty, "\(second.stdout)")
            // And the start line: the URL (no user), one pass, the mailbox, the built-in policy.
            let url = try watchArguments(scheme)[4]
            #expect(
                NoticeAlarmWatchTests.withoutAlarms(second.stderr)
                    == "notifier: \(TrustOptions.unauthenticatedWarning)\nnotifier: watching \(url), one "
                    + "pass (--once); folders: \(mailbox); trusting the built-in JKK東京 policy\n", "\(second.stderr)")
            #expect(try vault().count == 5)
            let client = try IMAPClient(settings: try IMAPTestServer.settings(scheme, mailbox: mailbox))
            _ = try client.examine()
            for uid in try client.uids(from: 1) { #expect(!(try client.flags(uid: uid)).contains("\\Seen")) }
        }

        @Test func aUIDVALIDITYChangeReprocessesNothing() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try deliverCorpus()
            _ = try CLI.run(try watchArguments() + ["--once"], environment: try environment)
            try IMAPTestServer.script("reset-uidvalidity.sh", [mailbox])
            let again = try CLI.run(try watchArguments() + ["--once"], environment: try environment)
            #expect(again.status == 0, "\(again.stderr)")
            let lines = again.stdout.split(separator: "\n")
            #expect(lines.count == 14 && lines.allSatisfy { $0.hasSuffix(": duplicate") }, "\(again.stdout)")
            #expect(!again.stderr.contains("suspected phishing"))
            #expect(try vault().count == 5)
        }

        @Test func aServerRestartMidWatchLosesNothing() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let process = try CLI.start(
                try watchArguments(), environment: ["NOTIFIER_IMAP_PASSWORD": try TestServers.value("IMAP_PASSWORD")])
            defer { if process.isRunning { process.process.terminate() } }
            func waitForVault(_ count: Int) throws -> Bool {
                for _ in 0..<200 {
                    if try vault().count >= count { return true }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                return false
            }
            try IMAPTestServer.deliver(
                IMAPTestServer.corpus.appendingPathComponent("p01_update_utf8_base64.eml"), mailbox: mailbox)
            #expect(try waitForVault(1))
            try IMAPTestServer.script("restart-imap.sh")
            try IMAPTestServer.deliver(
                IMAPTestServer.corpus.appendingPathComponent("p03_update_iso2022jp.eml"), mailbox: mailbox)
            try IMAPTestServer.deliver(
                IMAPTestServer.corpus.appendingPathComponent("p11_update_utf8_base64_2.eml"), mailbox: mailbox)
            #expect(try waitForVault(3), "the watcher did not come back after the restart")
            process.process.terminate()  // SIGTERM: a clean stop
            let stderr = process.finish().stderr
            #expect(process.process.terminationReason == .exit)
            #expect(try vault().count == 3, "the watcher said: \(stderr)")
            #expect(!stderr.contains(try TestServers.value("IMAP_PASSWORD")))
        }
    }
}
