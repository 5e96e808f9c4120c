import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// The SQLite wrapper, on real files.
@Suite("SQLite store")
struct DatabaseTests {
    let folder: URL

    init() throws { folder = try CLI.temporaryDirectory() }

    @Test func fileIsPrivateAndInWALMode() throws {
        let path = folder.appendingPathComponent("nested/notifier.sqlite3").path
        let database = try Database(path: path)
        try database.execute("CREATE TABLE t (x)")
        try database.run("INSERT INTO t VALUES (?)", [.integer(1)])
        for file in [path, path + "-wal"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }
        let folderAttributes = try FileManager.default.attributesOfItem(
            atPath: (path as NSString).deletingLastPathComponent)
        #expect((folderAttributes[.posixPermissions] as? Int) == 0o700)
        #expect(try database.row("PRAGMA journal_mode")?.text(0) == "wal")
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func migrationsRunOnceInOrder() throws {
        let path = folder.appendingPathComponent("m.sqlite3").path
        let migrations = ["CREATE TABLE a (x)", "CREATE TABLE b (y); INSERT INTO b VALUES (1)"]
        try Database(path: path).migrate(migrations)
        let database = try Database(path: path)
        try database.migrate(migrations)  // again: nothing to do
        #expect(try database.row("PRAGMA user_version")?.int(0) == 2)
        #expect(try database.rows("SELECT y FROM b").count == 1)
        #expect(throws: SQLiteError.self) { try database.migrate(["CREATE TABLE a (x)"]) }  // newer than we know
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func aVersionTwoDatabaseKeepsItsNoticesAndLosesTheStateIndex() throws {
        let path = folder.appendingPathComponent("v2.sqlite3").path
        let old = try Database(path: path)
        try old.migrate(Array(Schema.migrations.prefix(2)))
        try old.run("INSERT INTO vendors VALUES ('1234567', 'n', 'v@example.test', 'construction', NULL, 0, 0)")
        try old.run(
            "INSERT INTO notices (vendor_code, fiscal_year, token, url, message_id, state, created_at, updated_at) "
                + "VALUES ('1234567', 2027, 't', 'https://x/?t=t', 'm@x', 'sending', 0, 0)")
        let database = try Database(path: path)
        try database.migrate(Schema.migrations)
        let indexes = try database.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notices'")
            .compactMap { $0.text(0) }
        #expect(indexes.contains("notices_by_year") && !indexes.contains("notices_by_state"))
        #expect(
            try NoticeStore(database: database).due(fiscalYear: 2027, now: Date(), retryDeferred: false).map(\.state)
                == [NoticeState.sending])
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func rowsAreReadByColumnNameAndABadValueIsThrownNotDefaulted() throws {
        let database = try Database(path: folder.appendingPathComponent("r.sqlite3").path)
        try database.execute("CREATE TABLE t (a INTEGER, b TEXT, c BLOB, state TEXT)")
        try database.run("INSERT INTO t VALUES (7, 'x', x'0102', 'sent'), (NULL, NULL, NULL, 'lost')")
        let rows = try database.rows("SELECT state, c, b, a FROM t ORDER BY rowid")
        #expect(try rows[0]["a"] as Int == 7)
        #expect(try rows[0]["b"] as String == "x")
        #expect(try rows[0]["c"] as [UInt8] == [1, 2])
        #expect(try rows[0]["state"] as NoticeState == .sent)
        #expect(try rows[1]["a"] as Int64? == nil)
        #expect(try rows[1]["b"] as String? == nil)
        for read in [
            { _ = try rows[1]["a"] as Int64 }, { _ = try rows[0]["b"] as Int },
            { _ = try rows[1]["state"] as NoticeState },
        ] {
            #expect { try read() } throws: { ($0 as? SQLiteError)?.message.contains("column") == true }
        }
        #expect { _ = try rows[0]["missing"] as Int } throws: {
            ($0 as? SQLiteError)?.message.contains("no column missing") == true
        }
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func textWithANULInsideIsStoredAndReadWhole() throws {
        let database = try Database(path: folder.appendingPathComponent("nul.sqlite3").path)
        try database.execute("CREATE TABLE t (x TEXT)")
        let hostile = "550 before\u{0}after 日本語"
        try database.run("INSERT INTO t VALUES (?)", [.text(hostile)])
        #expect(
            try database.rows("SELECT x, length(CAST(x AS BLOB)) AS n FROM t").map { try $0["x"] as String } == [
                hostile
            ])
        #expect(try database.row("SELECT length(CAST(x AS BLOB)) AS n FROM t")?.int(0) == Int64(hostile.utf8.count))
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func failedTransactionLeavesNothing() throws {
        let database = try Database(path: folder.appendingPathComponent("t.sqlite3").path)
        try database.execute("CREATE TABLE t (x UNIQUE)")
        #expect(throws: SQLiteError.self) {
            try database.transaction {
                try database.run("INSERT INTO t VALUES (?)", [.text("one")])
                try database.run("INSERT INTO t VALUES (?)", [.text("one")])
            }
        }
        #expect(try database.rows("SELECT x FROM t").isEmpty)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func errorsNeverCarryBoundValues() throws {
        let database = try Database(path: folder.appendingPathComponent("e.sqlite3").path)
        try database.execute("CREATE TABLE t (secret TEXT NOT NULL UNIQUE)")
        try database.run("INSERT INTO t VALUES (?)", [.text("hunter2-secret")])
        do {
            try database.run("INSERT INTO t VALUES (?)", [.text("hunter2-secret")])
            Issue.record("no error")
        } catch let error as SQLiteError {
            #expect(!error.message.contains("hunter2"))
            #expect(error.message.contains("INSERT INTO t VALUES (?)"))
        }
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func aLockedDatabaseIsATemporaryFailure() throws {
        let path = folder.appendingPathComponent("l.sqlite3").path
        let holder = try Database(path: path)
        try holder.execute("CREATE TABLE t (x)")
        try holder.execute("BEGIN IMMEDIATE")
        let other = try Database(path: path, busyTimeoutMilliseconds: 50)
        do {
            _ = try other.transaction { try other.run("INSERT INTO t VALUES (1)") }
            Issue.record("no error")
        } catch let error as SQLiteError {
            #expect(error.isBusy)
            #expect(ExitCode(for: error) == .temporaryFailure)
        }
        try holder.execute("ROLLBACK")
        try? FileManager.default.removeItem(at: folder)
    }
}
