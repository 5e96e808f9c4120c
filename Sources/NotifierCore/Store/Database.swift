import CSQLite
import Foundation
import Synchronization

/// One SQLite connection, owned for its whole life and closed in `deinit`. Every result code goes through `check`;
/// transactions are closures (BEGIN IMMEDIATE, COMMIT, or ROLLBACK and rethrow), as GRDB does.
///
/// The file is created with mode 0600 (its -wal and -shm files take the same mode), in WAL mode with a busy
/// timeout, foreign keys on, and synchronous=NORMAL: a commit survives a killed process, which is what the batch
/// sender's crash safety needs, without an fsync per commit.
///
/// Commands open their database with `shared(path:)`: one connection per database file per process, for the
/// process's life. SQLite's locks are POSIX advisory locks, which belong to the process: a `close()` of any
/// descriptor of the file drops every lock the process holds on it, and another notifier that then exits takes
/// itself for the last one and checkpoints and deletes the live WAL under us.
/// - SeeAlso: https://www.sqlite.org/howtocorrupt.html §2.2
package final class Database {
    package let path: String
    private let handle: OpaquePointer
    private var statements: [String: Statement] = [:]

    /// The process's connections, by the database file's resolved path: a connection lives as long as the process,
    /// until `closeShared()` as it exits.
    private static let connections = Mutex<[String: Database]>([:])

    /// The process's one connection to the database at `path` (through any symlink or relative spelling), opened,
    /// created and migrated on first use.
    package static func shared(path: String, migrations: [String] = Schema.migrations) throws -> Database {
        let key = resolvedPath(path)
        return try connections.withLock { open in
            if let database = open[key] { return database }
            let database = try Database(path: key)
            try database.migrate(migrations)
            open[key] = database
            return database
        }
    }

    /// The file `path` names, symlinks and `..` resolved; for a file not created yet, its resolved folder and name.
    static func resolvedPath(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let name = (path as NSString).lastPathComponent
        let folder = (path as NSString).deletingLastPathComponent
        guard let resolved = realpath(folder.isEmpty ? "." : folder, nil) else { return path }
        defer { free(resolved) }
        return (String(cString: resolved) as NSString).appendingPathComponent(name)
    }

    /// Opens (creating when needed) the database at `path`, its folder created with mode 0700. Commands use
    /// `shared(path:)`; a second connection to a file in one process is for tests of two processes' behaviour.
    init(path: String, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SQLiteError(
                    code: SQLITE_CANTOPEN, detail: "cannot create the folder \(folder)", sql: nil, path: path)
            }
        }
        // Create a new file ourselves so that it is 0600 from its first byte, whatever the umask. O_EXCL: an
        // existing file is never opened here, since closing that descriptor would drop this process's SQLite
        // locks on it.
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 { Glibc.close(descriptor) }
        var raw: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &raw, flags, nil)
        guard code == SQLITE_OK, let raw else {
            let detail = raw.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let raw { sqlite3_close_v2(raw) }
            throw SQLiteError(code: code, detail: detail, sql: nil, path: path)
        }
        handle = raw
        sqlite3_extended_result_codes(handle, 1)
        try check(notifier_sqlite3_busy_timeout(handle, busyTimeoutMilliseconds))
        try enableWAL(timeoutMilliseconds: busyTimeoutMilliseconds)
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit { close() }

    /// Puts the database into WAL mode, once for the file: several processes opening a new database at once all ask,
    /// and SQLite answers "database is locked" at once, without its busy handler, to all but one. Those wait and ask
    /// again, as a busy handler would, until the mode is set or the time is up.
    private func enableWAL(timeoutMilliseconds: Int32) throws {
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while true {
            do {
                let mode = try row("PRAGMA journal_mode = WAL")?.text(0)?.lowercased()
                guard mode == "wal" else {
                    throw SQLiteError(
                        code: SQLITE_ERROR, detail: "cannot use WAL mode (the journal mode is \(mode ?? "unknown"))",
                        sql: "PRAGMA journal_mode = WAL", path: path)
                }
                return
            } catch let error as SQLiteError where error.isBusy && Date() < deadline {
                usleep(2_000)
            }
        }
    }

    private var closed = false

    /// Ends the connection: its statements finalized, then closed, so that the last connection to the file
    /// checkpoints the WAL into the database and removes it (a plain copy of the file is then whole). After this the
    /// connection must not be used.
    func close() {
        guard !closed else { return }
        closed = true
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Closes every connection `shared(path:)` opened: the entry point's last step before the process exits.
    package static func closeShared() {
        connections.withLock { open in
            for database in open.values { database.close() }
            open.removeAll()
        }
    }

    /// Turns a result code into a thrown error.
    func check(_ code: Int32, sql: String? = nil) throws {
        guard code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE else {
            throw SQLiteError(code: code, detail: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
        }
    }

    /// Runs SQL with no results (several statements allowed).
    func execute(_ sql: String) throws {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), sql: sql)
    }

    /// A prepared statement, cached by its SQL: the batch sender runs the same few statements thousands of times.
    func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(database: self, handle: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `sql` with `values` and returns every row.
    @discardableResult
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [Row] {
        let statement = try self.statement(sql)
        try statement.bind(values)
        var rows: [Row] = []
        while let row = try statement.step() { rows.append(row) }
        return rows
    }

    /// Runs `sql` with `values` and returns the first row, if any.
    func row(_ sql: String, _ values: [SQLValue] = []) throws -> Row? {
        try rows(sql, values).first
    }

    /// Runs a statement that changes rows; returns how many it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        let statement = try self.statement(sql)
        try statement.bind(values)
        while try statement.step() != nil {}
        return Int(sqlite3_changes(handle))
    }

    /// BEGIN IMMEDIATE (the write lock up front, so two writers never deadlock), the body, COMMIT; on any error
    /// ROLLBACK and rethrow: no half-written rows.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try enclosed(beginning: "BEGIN IMMEDIATE", body)
    }

    /// `begin`, the body, COMMIT; on any error ROLLBACK and rethrow.
    func enclosed<T>(beginning begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Brings the schema to the newest version: migration i takes `PRAGMA user_version` from i to i + 1. The
    /// version is read again inside one BEGIN IMMEDIATE transaction that runs every step, so of several processes
    /// that find an old database at once one migrates and the others wait for it (busy timeout) and find nothing
    /// left to do. A database newer than this notifier is refused rather than misread.
    func migrate(_ migrations: [String]) throws {
        func version() throws -> Int {
            let current = Int(try row("PRAGMA user_version")?.int(0) ?? 0)
            guard current <= migrations.count else {
                throw SQLiteError(
                    code: SQLITE_MISMATCH,
                    detail:
                        "schema version \(current) is newer than this notifier knows (\(migrations.count)); upgrade notifier",
                    sql: nil, path: path)
            }
            return current
        }
        guard try version() < migrations.count else { return }
        try transaction {
            for step in try version()..<migrations.count {
                try execute(migrations[step])
                try execute("PRAGMA user_version = \(step + 1)")
            }
        }
    }
}

/// A value bound to or read from SQL.
enum SQLValue: Equatable, Sendable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null

    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
}

/// A prepared statement, finalized in `deinit`.
final class Statement {
    private let handle: OpaquePointer
    private unowned let database: Database
    let sql: String
    /// The result's column names, read once here and shared by every row the statement returns.
    let columns: ResultColumns

    init(database: Database, handle connection: OpaquePointer, sql: String) throws {
        var raw: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &raw, nil)
        guard code == SQLITE_OK, let raw else {
            throw SQLiteError(
                code: code, detail: String(cString: sqlite3_errmsg(connection)), sql: sql, path: database.path)
        }
        self.handle = raw
        self.database = database
        self.sql = sql
        columns = ResultColumns(
            names: (0..<sqlite3_column_count(raw)).map { String(cString: sqlite3_column_name(raw, $0)) },
            sql: sql, path: database.path)
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .text(let text):
                // With its length: a NUL inside the text (a hostile bounce's diagnostic) must not cut it short.
                code = text.utf8CString.withUnsafeBufferPointer { bytes in
                    notifier_sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count - 1))
                }
            case .blob(let bytes):
                code = bytes.withUnsafeBytes {
                    notifier_sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count))
                }
            case .null: code = sqlite3_bind_null(handle, index)
            }
            try database.check(code, sql: sql)
        }
    }

    /// The next row, or nil when the statement is done.
    func step() throws -> Row? {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else {
            sqlite3_reset(handle)
            try database.check(code, sql: sql)
            return nil
        }
        var values: [SQLValue] = []
        for column in 0..<sqlite3_column_count(handle) {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_NULL: values.append(.null)
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(handle, column))
                let pointer = sqlite3_column_blob(handle, column)
                values.append(.blob(pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []))
            default:
                // The text first, then its length in bytes (SQLite's order: the text may be converted first), so a
                // NUL inside it is kept.
                let pointer = sqlite3_column_text(handle, column)
                let count = Int(sqlite3_column_bytes(handle, column))
                let text = pointer.map { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) }
                values.append(.text(text ?? ""))
            }
        }
        return Row(values: values, columns: columns)
    }
}
