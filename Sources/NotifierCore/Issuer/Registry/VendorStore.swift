import Foundation
import MailParse

/// The vendor registry in the database.
package struct VendorStore {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package struct ImportSummary: Equatable {
        package var added = 0
        package var changed = 0
        package var unchanged = 0
        /// Vendors in the registry that the file did not list: kept, never deleted by an import.
        package var notListed = 0
    }

    /// Adds or updates every record in one transaction: all of the file or nothing.
    package func importVendors(_ records: [VendorRecord], now: Date) throws -> ImportSummary {
        let seconds = Int64(now.timeIntervalSince1970)
        return try database.transaction {
            var summary = ImportSummary()
            for record in records {
                let values: [SQLValue] = [
                    .text(record.code.rawValue), .text(record.name), .text(record.email), .text(record.kind.rawValue),
                    SQLValue(record.notifyAfter?.description),
                ]
                if let existing = try vendor(code: record.code) {
                    if existing == record {
                        summary.unchanged += 1
                        continue
                    }
                    try database.run(
                        "UPDATE vendors SET name = ?2, email = ?3, kind = ?4, notify_after = ?5, updated_at = ?6 "
                            + "WHERE code = ?1", values + [.integer(seconds)])
                    summary.changed += 1
                } else {
                    try database.run(
                        "INSERT INTO vendors (code, name, email, kind, notify_after, created_at, updated_at) "
                            + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)", values + [.integer(seconds)])
                    summary.added += 1
                }
            }
            let listed = Set(records.map(\.code))
            summary.notListed = try database.rows("SELECT code FROM vendors").filter {
                !listed.contains(try $0["code"])
            }.count
            return summary
        }
    }

    package func vendor(code: VendorCode) throws -> VendorRecord? {
        try database.record(
            "SELECT code, name, email, kind, notify_after FROM vendors WHERE code = ?", [.text(code.rawValue)])
    }

    /// Every vendor, by code.
    package func all() throws -> [VendorRecord] {
        try database.records("SELECT code, name, email, kind, notify_after FROM vendors ORDER BY code")
    }
}

extension VendorRecord: RowDecodable {
    init(row: Row) throws {
        code = try row["code"]
        name = try row["name"]
        email = try row["email"]
        kind = try row["kind"]
        notifyAfter = try row["notify_after"]
    }
}

/// A vendor's kind is stored by its name.
extension VendorKind: SQLColumnValue {}

/// `notify_after` is stored as `YYYY-MM-DD` (`CalendarDate.description`).
extension CalendarDate: SQLColumnValue {
    init?(sqlValue: SQLValue) {
        guard case .text(let text) = sqlValue else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }
}

/// Vendor codes are stored as their text; a stored one that is not 7 digits reads as a corrupt row.
extension VendorCode: SQLColumnValue {}
