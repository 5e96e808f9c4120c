import CSQLite

extension Database {
    /// The version of the SQLite library this binary runs with (`3.40.1`), for `notifier --version`.
    package static var sqliteVersion: String { String(cString: sqlite3_libversion()) }
}
