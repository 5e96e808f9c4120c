import Foundation

/// The vendor's side of the database: the URL vault, OTP sightings and what has been handled.
package struct VaultStore {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package struct StoredURL: Equatable, Sendable, RowDecodable {
        package let vendorCode: VendorCode
        package let fiscalYear: Int
        package let url: String
        package let receivedAt: Date
        /// The notice's own Date field, when it had one that reads (and the URL was stored after migration 6).
        package let sentAt: Date?
        package let messageID: String
        package let sender: String

        init(row: Row) throws {
            vendorCode = try row["vendor_code"]
            fiscalYear = try row["fiscal_year"]
            url = try row["url"]
            receivedAt = Date(timeIntervalSince1970: TimeInterval(try row["received_at"] as Int64))
            sentAt = (try row["sent_at"] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
            messageID = try row["message_id"]
            sender = try row["sender"]
        }
    }

    /// Stores a trusted notice's URL once per message, and once per vendor and fiscal year: false when that message
    /// was stored before, or the same URL for the same vendor and year came in another message (the issuer's
    /// reminder repeats the notice's URL, and `urls` would list it twice). `receivedAt` is when notifier handled it,
    /// `sentAt` the notice's own Date field (nil when it had none that reads). One statement: two processes storing
    /// the same URL at once store it once.
    func store(
        vendorCode: VendorCode, fiscalYear: Int, validFrom: String?, validUntil: String?, url: String,
        messageID: String, sender: String, receivedAt: Date, sentAt: Date?
    ) throws -> Bool {
        try database.run(
            "INSERT OR IGNORE INTO vault_urls (vendor_code, fiscal_year, valid_from, valid_until, url, message_id, "
                + "sender, received_at, sent_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS "
                + "(SELECT 1 FROM vault_urls WHERE vendor_code = ?1 AND fiscal_year = ?2 AND url = ?5)",
            [
                .text(vendorCode.rawValue), .integer(Int64(fiscalYear)), SQLValue(validFrom), SQLValue(validUntil),
                .text(url), .text(messageID), .text(sender), .integer(Int64(receivedAt.timeIntervalSince1970)),
                sentAt.map { .integer(Int64($0.timeIntervalSince1970.rounded(.down))) } ?? .null,
            ]) == 1
    }

    /// The vault, newest first.
    package func urls(vendorCode: VendorCode? = nil, fiscalYear: Int? = nil) throws -> [StoredURL] {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let vendorCode {
            conditions.append("vendor_code = ?")
            values.append(.text(vendorCode.rawValue))
        }
        if let fiscalYear {
            conditions.append("fiscal_year = ?")
            values.append(.integer(Int64(fiscalYear)))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.records(
            "SELECT vendor_code, fiscal_year, url, received_at, sent_at, message_id, sender FROM vault_urls \(filter) "
                + "ORDER BY received_at DESC, id DESC", values)
    }

    /// What has been handled, from which mailbox.
    var handled: HandledMessageStore { HandledMessageStore(database: database) }

    /// Whether this message (by source and key) was handled before.
    func wasHandled(source: String, key: String) throws -> Bool {
        try handled.contains(source: source, key: key)
    }

    /// Whether a message with this Message-ID was handled from any source (an IMAP mailbox whose UIDVALIDITY
    /// changed gives old messages new UIDs: they are matched by Message-ID, never handled twice). With
    /// `asTrusted`, only a trusted notice counts: a spoof that carries a genuine notice's Message-ID and arrives
    /// first must not make the genuine one a duplicate.
    func wasHandled(messageID: String, asTrusted: Bool) throws -> Bool {
        try handled.contains(
            messageID: messageID, decidedAs: asTrusted ? VendorPipeline.Decision.trusted.map(\.rawValue) : nil)
    }

    func markHandled(source: String, key: String, messageID: String?, decision: VendorPipeline.Decision, at: Date)
        throws
    {
        try handled.mark(source: source, key: key, messageID: messageID, decision: decision.rawValue, at: at)
    }

    /// The latest expiry among OTPs already relayed (a newer one supersedes older ones).
    func latestRelayedExpiry() throws -> Date? {
        guard
            let row = try database.row(
                "SELECT max(expires_at) AS latest FROM otp_sightings WHERE state = ?",
                [.text(OTPSightingState.relayed.rawValue)])
        else { return nil }
        let latest: Int64? = try row["latest"]
        return latest.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Records an OTP notice: never its code, only when it expires and what became of it.
    func recordOTP(
        messageID: String, expiresAt: Date, receivedAt: Date, state: OTPSightingState, relayedTo: String?
    ) throws {
        try database.run(
            "INSERT OR IGNORE INTO otp_sightings (message_id, expires_at, received_at, state, relayed_to, relayed_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(messageID), .integer(Int64(expiresAt.timeIntervalSince1970)),
                .integer(Int64(receivedAt.timeIntervalSince1970)), .text(state.rawValue), SQLValue(relayedTo),
                state == .relayed ? .integer(Int64(receivedAt.timeIntervalSince1970)) : .null,
            ])
    }
}
