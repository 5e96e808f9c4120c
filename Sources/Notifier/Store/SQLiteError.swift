import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the SQL, never the bound values (they may be
/// secrets or personal data), as GRDB's `DatabaseError` keeps them out.
struct SQLiteError: NotifierError, Equatable {
    let code: Int32
    let detail: String
    let sql: String?
    let path: String

    var message: String {
        var text = "database \(path): \(detail) (SQLite error \(code))"
        if let sql { text += " in: \(sql)" }
        if isBusy { text += "; another notifier holds the database, try again later" }
        return text
    }

    /// Locked or busy: another process has the database; the caller may try again later.
    var isBusy: Bool {
        let primary = code & 0xFF
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
    }

    var exitCode: ExitCode {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR: return .temporaryFailure
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY: return .cannotCreate
        default: return .software
        }
    }
}
