import Foundation
import Testing

@testable import NotifierCore

/// `urls` shows the notice's own Date as `sent_at` beside the time notifier handled it (`received_at`).
@Suite("urls: sent_at, the notice's own Date")
struct URLsSentAtTests {
    let folder: URL
    var database: String { folder.appendingPathComponent("vendor.sqlite3").path }
    static let corpus = CLI.fixtures.appendingPathComponent("corpus")

    init() throws { folder = try CLI.temporaryDirectory() }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> CLI.Result {
        try CLI.run(["--db", database] + arguments, stdin: stdin)
    }

    /// p01 (Date: Mon, 19 Jan 2026 10:02:11 +0900) with its Date field replaced, or dropped when `date` is nil.
    func notice(date: String?) throws -> Data {
        let text = try String(
            contentsOf: Self.corpus.appendingPathComponent("p01_update_utf8_base64.eml"), encoding: .utf8)
        let original = "Date: Mon, 19 Jan 2026 10:02:11 +0900\n"
        #expect(text.contains(original))
        return Data(text.replacingOccurrences(of: original, with: date.map { "Date: \($0)\n" } ?? "").utf8)
    }

    @Test func sentAtIsTheLastJSONKeyAndTheTextShowsIt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // Another zone than Japan's: shown in Japan time.
        let stored = try run(["ingest"], stdin: try notice(date: "Sun, 18 Jan 2026 16:02:11 -0900"))
        #expect(stored.status == 0 && stored.stdout == "stored\n", "\(stored.stderr)")
        let line = try run(["urls", "--json"]).stdout
        #expect(
            line.hasPrefix(
                "{\"vendor_code\": \"5184962\", \"fiscal_year\": 2026, \"url\": "
                    + "\"https://bid.to-kousya.example/cert/download?t=ItUojLzHzskoosvjm4x1aAIPkPf\", \"received_at\": \""
            ),
            "\(line)")
        #expect(
            line.hasSuffix("\"from\": \"nyusatsu@to-kousya.example\", \"sent_at\": \"2026-01-19T10:02:11+09:00\"}\n"))
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(keys.count == 7)
        #expect((keys["received_at"] as? String) != (keys["sent_at"] as? String), "handled now, sent in 2026")
        let text = try run(["urls"]).stdout
        #expect(text.contains("(sent 2026-01-19T10:02:11+09:00, received "), "\(text)")
    }

    @Test(
        "a notice without a Date that reads has sent_at null, and the text says nothing of it",
        arguments: [
            nil, "garbage", "Mon, 31 Feb 2026 10:00:00 +0900", "Mon, 19 Jan 99999999999999999999 10:02:11 +0900",
        ])
    func noDate(date: String?) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try run(["ingest"], stdin: try notice(date: date)).stdout == "stored\n")
        let line = try run(["urls", "--json"]).stdout
        #expect(line.hasSuffix(", \"sent_at\": null}\n"), "\(line)")
        #expect(!(try run(["urls"]).stdout.contains("sent ")))
    }

    @Test func aVaultFromBeforeTheColumnReadsWithNullSentAt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // A database as the last notifier left it: five migrations, one stored URL.
        let old = try Database(path: database)
        try old.migrate(Array(Schema.migrations.prefix(5)))
        try old.run(
            "INSERT INTO vault_urls (vendor_code, fiscal_year, url, message_id, sender, received_at) "
                + "VALUES ('5184962', 2026, 'https://bid.to-kousya.example/cert/download?t=x', '<m@x>', "
                + "'nyusatsu@to-kousya.example', 1768784531)")
        let line = try run(["urls", "--json"]).stdout
        #expect(line.contains("\"received_at\": \"2026-01-19T10:02:11+09:00\""), "\(line)")
        #expect(line.hasSuffix("\"sent_at\": null}\n"))
        #expect(try Database(path: database).row("PRAGMA user_version")?.int(0) == Int64(Schema.migrations.count))
        // A notice stored after the upgrade has its Date.
        #expect(try run(["ingest"], stdin: try notice(date: "Mon, 19 Jan 2026 10:02:11 +0900")).stdout == "stored\n")
        #expect(try run(["urls", "--json"]).stdout.contains("\"sent_at\": \"2026-01-19T10:02:11+09:00\"}"))
    }

    @Test func aReminderWithTheSameURLIsADuplicateAndListedOnce() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(decoding: notice(date: "Mon, 19 Jan 2026 10:02:11 +0900"), as: UTF8.self)
        let line = try #require(original.split(separator: "\n").first { $0.lowercased().hasPrefix("message-id:") })
        /// The same notice in another message: the issuer's reminder repeats the URL.
        func copy(_ id: String) -> Data {
            Data(original.replacingOccurrences(of: line, with: "Message-ID: <\(id)>").utf8)
        }
        #expect(try run(["ingest"], stdin: Data(original.utf8)).stdout == "stored\n")
        let reminder = try run(["ingest"], stdin: copy("reminder-1@to-kousya.example"))
        #expect(reminder.status == 0 && reminder.stdout == "duplicate\n", "\(reminder.stdout)\(reminder.stderr)")
        // Two processes with two more copies at once: neither adds a row.
        let both = try ["reminder-2@to-kousya.example", "reminder-3@to-kousya.example"].map {
            try CLI.start(["--db", database, "ingest"], stdin: copy($0))
        }.map { $0.finish() }
        #expect(both.allSatisfy { $0.status == 0 && $0.stdout == "duplicate\n" }, "\(both.map(\.stdout))")
        #expect(try run(["urls", "--json"]).stdout.split(separator: "\n").count == 1)
    }
}
