import CSQLite

/// One result row, its values copied out of the statement. Stores read it by column name, as the SELECT names
/// them, into typed values: `Notice(id: try row["id"], vendorCode: try row["vendor_code"], ...)`. A column the
/// statement does not return, a NULL where the type has none, or a value that does not read as the type (a state
/// the enum does not know) is thrown as a corrupt row, never read as 0 or "".
struct Row: Sendable {
    let values: [SQLValue]
    let columns: ResultColumns

    /// The value in column `name`, decoded as the type the caller wants.
    subscript<Value: SQLColumnValue>(_ name: String) -> Value {
        get throws {
            guard let index = columns.positions[name] else {
                throw SQLiteError(
                    code: SQLITE_ERROR, detail: "the result has no column \(name)", sql: columns.sql, path: columns.path
                )
            }
            guard let value = Value(sqlValue: values[index]) else {
                let detail =
                    values[index] == .null
                    ? "column \(name) is NULL, not \(Value.self)" : "column \(name) does not read as \(Value.self)"
                throw SQLiteError(code: SQLITE_CORRUPT, detail: detail, sql: columns.sql, path: columns.path)
            }
            return value
        }
    }

    // By position, for one-off statements such as `PRAGMA user_version` or `SELECT count(*)`.
    func int(_ index: Int) -> Int64? {
        if case .integer(let value) = values[index] { return value } else { return nil }
    }
    package func text(_ index: Int) -> String? {
        if case .text(let value) = values[index] { return value } else { return nil }
    }
    func blob(_ index: Int) -> [UInt8]? {
        if case .blob(let value) = values[index] { return value } else { return nil }
    }
}

/// A statement's result columns: name to position, resolved once per prepared statement rather than by a string
/// search in every row; with the SQL and the file, for the error a bad row throws.
struct ResultColumns: Sendable {
    let positions: [String: Int]
    let sql: String
    let path: String

    init(names: [String], sql: String, path: String) {
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        self.sql = sql
        self.path = path
    }
}

/// A record a store reads from a row, by column name.
protocol RowDecodable {
    init(row: Row) throws
}

extension Database {
    /// Runs `sql` with `values` and reads every row as a `Record`.
    func records<Record: RowDecodable>(_ sql: String, _ values: [SQLValue] = []) throws -> [Record] {
        try rows(sql, values).map(Record.init(row:))
    }

    /// Runs `sql` with `values` and reads the first row, if any, as a `Record`.
    func record<Record: RowDecodable>(_ sql: String, _ values: [SQLValue] = []) throws -> Record? {
        try row(sql, values).map(Record.init(row:))
    }
}

/// A Swift type a column's value reads as; nil when the value is not one (the wrong SQLite type, NULL, a raw value
/// the type refuses).
protocol SQLColumnValue {
    init?(sqlValue: SQLValue)
}

extension Int64: SQLColumnValue {
    init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Int: SQLColumnValue {
    init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue, let exact = Int(exactly: value) else { return nil }
        self = exact
    }
}

extension String: SQLColumnValue {
    init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Array: SQLColumnValue where Element == UInt8 {
    init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = value
    }
}

/// A nullable column: NULL reads as nil, anything else as the wrapped type (or not at all).
extension Optional: SQLColumnValue where Wrapped: SQLColumnValue {
    init?(sqlValue: SQLValue) {
        if sqlValue == .null {
            self = .none
        } else if let value = Wrapped(sqlValue: sqlValue) {
            self = .some(value)
        } else {
            return nil
        }
    }
}

/// Enums and value types stored as their raw value (a state's name, a vendor code).
extension SQLColumnValue where Self: RawRepresentable, RawValue: SQLColumnValue {
    init?(sqlValue: SQLValue) {
        guard let raw = RawValue(sqlValue: sqlValue) else { return nil }
        self.init(rawValue: raw)
    }
}
