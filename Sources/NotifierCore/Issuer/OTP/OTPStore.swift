import Foundation

/// The SQL behind the OTP commands, over the tables `vendors`, `otps`, `otp_guards` and `audit`. No policy here:
/// `OTPService` decides, this reads and writes. Callers run it inside `Database.transaction`.
package struct OTPStore {
    package let database: Database

    /// The vendor's stored code: its digest, when it was issued, until when it is valid, when it was used.
    struct StoredCode: Equatable, RowDecodable {
        let digest: [UInt8]
        let issuedAt: Int64
        let expiresAt: Int64
        let usedAt: Int64?

        init(row: Row) throws {
            digest = try row["hash"]
            issuedAt = try row["issued_at"]
            expiresAt = try row["expires_at"]
            usedAt = try row["used_at"]
        }
    }

    /// The vendor's wrong-code counter and lock.
    struct Guard: Equatable {
        var wrongInARow = 0
        var lockedAt: Int64?
    }

    /// The vendor's mail address, or nil when the registry has no such vendor.
    func vendorEmail(_ vendorCode: VendorCode) throws -> String? {
        try VendorStore(database: database).vendor(code: vendorCode)?.email
    }

    func storedCode(_ vendorCode: VendorCode) throws -> StoredCode? {
        try database.record(
            "SELECT hash, issued_at, expires_at, used_at FROM otps WHERE vendor_code = ?", [.text(vendorCode.rawValue)])
    }

    /// Stores a new code for the vendor in place of any older one: one row per vendor, so the older code is gone.
    func replaceCode(_ vendorCode: VendorCode, digest: [UInt8], issuedAt: Int64, expiresAt: Int64) throws {
        try database.run(
            """
            INSERT INTO otps (vendor_code, hash, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)
            ON CONFLICT (vendor_code) DO UPDATE SET
                hash = excluded.hash, issued_at = excluded.issued_at, expires_at = excluded.expires_at, used_at = NULL
            """, [.text(vendorCode.rawValue), .blob(digest), .integer(issuedAt), .integer(expiresAt)])
    }

    func markUsed(_ vendorCode: VendorCode, at: Int64) throws {
        try database.run(
            "UPDATE otps SET used_at = ? WHERE vendor_code = ?", [.integer(at), .text(vendorCode.rawValue)])
    }

    /// Records the vendor's download of the certificate for `fiscalYear`; the first one counts, later ones (another
    /// PC) leave it as it is.
    func recordDownload(_ vendorCode: VendorCode, fiscalYear: Int, at: Int64) throws {
        try database.run(
            "INSERT OR IGNORE INTO downloads (vendor_code, fiscal_year, downloaded_at) VALUES (?, ?, ?)",
            [.text(vendorCode.rawValue), .integer(Int64(fiscalYear)), .integer(at)])
    }

    /// When the vendor first downloaded the certificate for `fiscalYear`, if the portal has said so.
    package func downloadedAt(_ vendorCode: VendorCode, fiscalYear: Int) throws -> Int64? {
        try database.row(
            "SELECT downloaded_at FROM downloads WHERE vendor_code = ? AND fiscal_year = ?",
            [.text(vendorCode.rawValue), .integer(Int64(fiscalYear))])?.int(0)
    }

    func guardState(_ vendorCode: VendorCode) throws -> Guard {
        guard
            let row = try database.row(
                "SELECT failed_attempts, locked_at FROM otp_guards WHERE vendor_code = ?", [.text(vendorCode.rawValue)])
        else { return Guard() }
        return Guard(wrongInARow: try row["failed_attempts"], lockedAt: try row["locked_at"])
    }

    func setGuard(_ vendorCode: VendorCode, _ state: Guard) throws {
        try database.run(
            """
            INSERT INTO otp_guards (vendor_code, failed_attempts, locked_at) VALUES (?, ?, ?)
            ON CONFLICT (vendor_code) DO UPDATE SET
                failed_attempts = excluded.failed_attempts, locked_at = excluded.locked_at
            """,
            [
                .text(vendorCode.rawValue), .integer(Int64(state.wrongInARow)),
                state.lockedAt.map(SQLValue.integer) ?? .null,
            ])
    }

    /// The times of the vendor's `event` rows after `since`, oldest first (the index audit_by_vendor serves it).
    func eventTimes(_ vendorCode: VendorCode, _ event: OTPEvent, after since: Int64) throws -> [Int64] {
        try database.rows(
            "SELECT at FROM audit WHERE vendor_code = ? AND event = ? AND at > ? ORDER BY at",
            [.text(vendorCode.rawValue), .text(event.rawValue), .integer(since)]
        ).map { try $0["at"] }
    }

    /// Appends one row to the audit trail. `withholding` is the live code, when there is one: should it ever turn up
    /// in a detail (a server that echoes the message back in its reply), it is blotted out before the row is written.
    /// Adds a row to the audit trail; `messageID` names the mail the event is about (an OTP mail, for its bounce).
    func audit(
        _ event: OTPEvent, vendorCode: VendorCode, at: Int64, detail: String, withholding code: String? = nil,
        messageID: String? = nil
    ) throws {
        var text = detail
        if let code, !code.isEmpty { text = text.replacingOccurrences(of: code, with: "[code withheld]") }
        try database.run(
            "INSERT INTO audit (at, vendor_code, event, detail, message_id) VALUES (?, ?, ?, ?, ?)",
            [.integer(at), .text(vendorCode.rawValue), .text(event.rawValue), .text(text), SQLValue(messageID)])
    }
}
