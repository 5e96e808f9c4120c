import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the SQL, never the bound values (they may be
/// secrets or personal data), as GRDB's `DatabaseError` keeps them out.
package struct SQLiteError: NotifierError, Equatable {
    let code: Int32
    let detail: String
    let sql: String?
    let path: String

    package var message: String {
        var text = "database \(path): \(detail) (SQLite error \(code))"
        if let sql { text += " in: \(sql)" }
        if isBusy { text += "; another notifier holds the database, try again later" }
        return text
    }

    /// Locked or busy: another process has the database; the caller may try again later.
    var isBusy: Bool { category == .busy }

    /// What kind of trouble the code means, so that callers outside Store/ decide without SQLite's constants.
    package enum Category: Equatable, Sendable {
        /// Another process has the database (busy, locked): it may work later.
        case busy
        /// The disk is full or failed to read or write: it may work later.
        case storage
        /// The file or its folder cannot be opened or written (permissions, read-only).
        case access
        /// A constraint, a mistake in the SQL, a damaged file: retrying does not help.
        case other
    }

    package var category: Category {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_FULL, SQLITE_IOERR: return .storage
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY: return .access
        default: return .other
        }
    }
}
