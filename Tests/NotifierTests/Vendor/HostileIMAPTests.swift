import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// `notifier watch --imap` against Tests/Servers/faulty_imap.py, a server that misbehaves on purpose: a message
/// over 64 MiB among normal ones, endless untagged lines, an endless literal, a stall. Every run goes through
/// `/usr/bin/time -v`: memory stays under 128 MiB, and `--once` always ends.
@Suite("watch --imap against a hostile server", .serialized)
struct HostileIMAPTests {
    static let rssLimitKiB = 128 * 1024
    let folder: URL
    var database: String { folder.appendingPathComponent("vendor.sqlite3").path }

    init() throws { folder = try CLI.temporaryDirectory() }

    /// `--db DB watch --imap imap://127.0.0.1:PORT/INBOX --imap-user tanto` for a faulty mode (plain IMAP on
    /// loopback, so no TLS is needed).
    func watch(_ mode: String, _ extra: [String] = []) throws -> [String] {
        let port = try TestServers.port("FAULTY_IMAP_PORT_\(mode)")
        return ["--db", database, "watch", "--imap", "imap://127.0.0.1:\(port)/INBOX", "--imap-user", "tanto"] + extra
    }

    let environment = ["NOTIFIER_IMAP_PASSWORD": "any-password"]

    func vault() throws -> [Substring] {
        try CLI.run(["--db", database, "urls", "--json"]).stdout.split(separator: "\n")
    }

    @Test(
        "a message over 64 MiB is skipped as oversized, once, and the rest is read",
        arguments: ["OVERSIZED", "LYING_SIZE"])
    func oversizedOnce(mode: String) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try MeasuredRun.run(try watch(mode, ["--once"]), seconds: 30, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map { $0.split(separator: "/").last.map(String.init) ?? "" }
            .sorted()
        #expect(lines == ["1: stored", "2: oversized", "3: stored"], "\(first.stdout)")
        #expect(first.stderr.contains("68157440 bytes, more than --max-message-size 33554432"), "\(first.stderr)")
        #expect(first.maxRSSKiB < Self.rssLimitKiB, "peak RSS \(first.maxRSSMiB) MiB")
        #expect(first.seconds < 30)
        #expect(try vault().count == 2)
        // Reported once: the next pass has nothing to say.
        let second = try MeasuredRun.run(try watch(mode, ["--once"]), seconds: 30, environment: environment)
        #expect(second.status == 0 && second.stdout.isEmpty, "\(second.stdout)\(second.stderr)")
        let port = try TestServers.port("FAULTY_IMAP_PORT_\(mode)")
        #expect(
            NoticeAlarmWatchTests.withoutAlarms(second.stderr)
                == "notifier: \(TrustOptions.unauthenticatedWarning)\nnotifier: watching "
                + "imap://127.0.0.1:\(port)/INBOX, one pass (--once); folders: INBOX; trusting the built-in JKK東京 "
                + "policy\n", "\(second.stderr)")
    }

    @Test func theLongRunningWatchGoesOnPastAnOversizedMessage() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // Passes every second for 6 s, then SIGTERM (a clean stop: timeout's status 124).
        let run = try MeasuredRun.run(
            try watch("OVERSIZED", ["--no-idle", "--poll", "1"]), seconds: 6, signal: "TERM", environment: environment)
        #expect(run.status == 124, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == 3, "\(run.stdout)")
        #expect(run.stderr.components(separatedBy: "recorded as oversized").count == 2, "reported once: \(run.stderr)")
        #expect(try vault().count == 2)
        #expect(run.maxRSSKiB < Self.rssLimitKiB, "peak RSS \(run.maxRSSMiB) MiB")
    }

    @Test func maxMessageSizeFromTheFlagAndTheConfiguration() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let flag = try MeasuredRun.run(
            try watch("OK", ["--once", "--max-message-size", "1K"]), seconds: 20, environment: environment)
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(
            flag.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(": oversized") } && !flag.stdout.isEmpty,
            "\(flag.stdout)")
        let config = folder.appendingPathComponent("config")
        try "max_message_size = 1M\n".write(to: config, atomically: true, encoding: .utf8)
        let port = try TestServers.port("FAULTY_IMAP_PORT_OVERSIZED")
        let configured = try MeasuredRun.run(
            [
                "--config", config.path, "--db", folder.appendingPathComponent("second.sqlite3").path, "watch",
                "--imap", "imap://127.0.0.1:\(port)/INBOX", "--imap-user", "tanto", "--once",
            ],
            seconds: 20, environment: environment)
        #expect(configured.status == 0, "\(configured.stderr)")
        #expect(configured.stderr.contains("more than --max-message-size 1048576"), "\(configured.stderr)")
        let usage = try CLI.run(try watch("OK", ["--once", "--max-message-size", "lots"]), environment: environment)
        #expect(usage.status == 64)
    }

    @Test func endlessUntaggedLinesEndTheOncePassWithoutMemoryGrowth() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try MeasuredRun.run(try watch("UNTAGGED_FLOOD", ["--once"]), seconds: 30, environment: environment)
        #expect(run.status == 75, "\(run.stderr)")
        #expect(run.stderr.contains("untagged responses"), "\(run.stderr)")
        #expect(run.maxRSSKiB < Self.rssLimitKiB, "peak RSS \(run.maxRSSMiB) MiB")
        #expect(run.seconds < 30)
    }

    @Test func endlessUntaggedLinesMakeTheLongRunningWatchReconnectWithBackoff() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try MeasuredRun.run(try watch("UNTAGGED_FLOOD"), seconds: 8, signal: "TERM", environment: environment)
        #expect(run.status == 124, "\(run.stderr)")
        let reconnects = run.stderr.split(separator: "\n").filter {
            $0.contains("untagged responses") && $0.contains("reconnecting in")
        }
        // Connections at 0, 1, 3 and 7 s: the pause doubles.
        #expect(reconnects.count >= 2 && reconnects.count <= 4, "\(run.stderr)")
        #expect(
            reconnects.first?.hasSuffix("reconnecting in 1 s") == true
                && reconnects.dropFirst().first?.hasSuffix("reconnecting in 2 s") == true)
        #expect(run.maxRSSKiB < Self.rssLimitKiB, "peak RSS \(run.maxRSSMiB) MiB")
    }

    @Test func endlessUntaggedLinesDuringIDLEMakeTheWatchReconnect() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try MeasuredRun.run(try watch("IDLE_FLOOD"), seconds: 6, signal: "TERM", environment: environment)
        #expect(run.status == 124, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == 2, "both notices read once: \(run.stdout)")
        let reconnects = run.stderr.split(separator: "\n").filter {
            $0.contains("answer to IDLE") && $0.contains("reconnecting in")
        }
        #expect(reconnects.count >= 2, "\(run.stderr)")
        #expect(run.maxRSSKiB < Self.rssLimitKiB, "peak RSS \(run.maxRSSMiB) MiB")
    }

    @Test func anEndlessLiteralEndsAtTheCommandDeadline() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try MeasuredRun.run(
            try watch("ENDLESS_LITERAL", ["--once", "--timeout", "5"]), seconds: 30, environment: environment)
        #expect(run.status == 75, "\(run.stderr)")
        #expect(run.stderr.contains("not complete within 5 s (--timeout)"), "\(run.stderr)")
        #expect(run.seconds < 20)
        #expect(run.maxRSSKiB < Self.rssLimitKiB, "peak RSS \(run.maxRSSMiB) MiB")
    }

    @Test func aStallEndsTheOncePass() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try MeasuredRun.run(
            try watch("STALL", ["--once", "--timeout", "3"]), seconds: 30, environment: environment)
        #expect(run.status == 75, "\(run.stderr)")
        // watch's first command is LIST (it looks for the junk folder), which the server never answers.
        #expect(run.stderr.contains("LIST") && run.stderr.contains("3 s"), "\(run.stderr)")
        #expect(run.seconds < 15)
    }
}
