import Foundation
import MailParse

/// The notices table: one row per vendor and fiscal year, its state (`NoticeState`) committed before and after every
/// SMTP exchange. The reminders table beside it is worked the same way: a store made for a `Mailing` of reminders
/// works one wave's rows with the same functions.
package struct NoticeStore {
    let database: Database
    /// Whose rows the batch functions work: the notices (the default), or one wave of reminders.
    let mailing: Mailing

    package init(database: Database, mailing: Mailing = .notices) {
        self.database = database
        self.mailing = mailing
    }

    /// A row of the store's mailing: a notice, or a reminder (which has the same columns, its URL copied from the
    /// vendor's notice).
    package struct Notice: Equatable, Sendable, RowDecodable {
        let id: Int64
        package let vendorCode: VendorCode
        let fiscalYear: Int
        package let url: String
        let messageID: String
        package let state: NoticeState
        package let attempts: Int
        package let lastCode: Int?
        package let lastReply: String?
        /// A bounced notice's status (x.y.z) and the server's words.
        package let bounceStatus: String?
        package let bounceDiagnostic: String?

        init(row: Row) throws {
            id = try row["id"]
            vendorCode = try row["vendor_code"]
            fiscalYear = try row["fiscal_year"]
            url = try row["url"]
            messageID = try row["message_id"]
            state = try row["state"]
            attempts = try row["attempts"]
            lastCode = try row["last_code"]
            lastReply = try row["last_reply"]
            bounceStatus = try row["bounce_status"]
            bounceDiagnostic = try row["bounce_diagnostic"]
        }
    }

    private static let columns =
        "id, vendor_code, fiscal_year, url, message_id, state, attempts, last_code, last_reply, bounce_status, "
        + "bounce_diagnostic"

    /// Whose a personal URL is, as the download portal asks: the vendor, the fiscal year and the notice's state.
    package struct TokenOwner: Equatable, Sendable, RowDecodable {
        package let vendorCode: VendorCode
        package let fiscalYear: Int
        package let name: String
        package let state: NoticeState

        init(row: Row) throws {
            vendorCode = try row["vendor_code"]
            fiscalYear = try row["fiscal_year"]
            name = try row["name"]
            state = try row["state"]
        }
    }

    /// The owner of the notice whose personal URL carries `token`; nil when no notice does.
    package func owner(ofToken token: String) throws -> TokenOwner? {
        try database.record(
            "SELECT n.vendor_code, n.fiscal_year, v.name, n.state FROM notices n "
                + "JOIN vendors v ON v.code = n.vendor_code WHERE n.token = ?", [.text(token)])
    }

    /// Whether `text` can be a token `randomToken` makes: 22 characters of base64url (128 bits, no padding).
    package static func isWellFormedToken(_ text: String) -> Bool {
        text.utf8.count == 22
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    /// Creates the missing notices for these vendors in one transaction (the notices table, whatever the store's
    /// mailing): a personal URL (`base?t=` and 128 random bits) and a Message-ID, both fixed for the year, so a
    /// resend carries the same ones. Returns how many.
    func plan(vendorCodes: [VendorCode], fiscalYear: Int, urlBase: String, messageIDDomain: String, now: Date) throws
        -> Int
    {
        let seconds = Int64(now.timeIntervalSince1970)
        let separator = urlBase.contains("?") ? "&" : "?"
        return try database.transaction {
            var created = 0
            for code in vendorCodes {
                let token = Self.randomToken()
                let messageID = Mailing.notices.messageID(fiscalYear: fiscalYear, vendor: code, domain: messageIDDomain)
                created += try database.run(
                    "INSERT OR IGNORE INTO notices (vendor_code, fiscal_year, token, url, message_id, state, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        .text(code.rawValue), .integer(Int64(fiscalYear)), .text(token),
                        .text("\(urlBase)\(separator)t=\(token)"),
                        .text(messageID), .text(NoticeState.pending.rawValue), .integer(seconds), .integer(seconds),
                    ])
            }
            return created
        }
    }

    /// A vendor a reminder is for, with the personal URL of the vendor's notice (which the reminder repeats).
    package struct ReminderRecipient: Equatable, Sendable, RowDecodable {
        package let vendorCode: VendorCode
        package let url: String

        init(row: Row) throws {
            vendorCode = try row["vendor_code"]
            url = try row["url"]
        }
    }

    /// The vendors a reminder of `fiscalYear` is for now, by vendor code: their notice of the year was sent (not
    /// pending, failed or bounced: a reminder would go where the notice did not arrive), and no download of that
    /// year's certificate is recorded, or none before `downloadedBefore` when given (`--not-downloaded-by`).
    func reminderRecipients(fiscalYear: Int, downloadedBefore: Date?) throws -> [ReminderRecipient] {
        let cutoff = downloadedBefore.map { SQLValue.integer(Int64($0.timeIntervalSince1970.rounded(.up))) } ?? .null
        return try database.records(
            "SELECT n.vendor_code, n.url FROM notices n WHERE n.fiscal_year = ? AND n.state = ? AND NOT EXISTS "
                + "(SELECT 1 FROM downloads d WHERE d.vendor_code = n.vendor_code AND d.fiscal_year = n.fiscal_year "
                + "AND (? IS NULL OR d.downloaded_at < ?)) ORDER BY n.vendor_code",
            [.integer(Int64(fiscalYear)), .text(NoticeState.sent.rawValue), cutoff, cutoff])
    }

    /// Creates the wave's missing reminders in one transaction (the reminders table, whatever the store's mailing),
    /// one per recipient: the URL of its notice and a Message-ID of its own, both fixed for the reminder, so a
    /// reminder sent again after a kill carries the same ones. A vendor already reminded in this wave keeps its row
    /// (UNIQUE (vendor_code, fiscal_year, wave)). Returns how many were created.
    func planReminders(
        _ recipients: [ReminderRecipient], fiscalYear: Int, wave: ReminderWave, messageIDDomain: String, now: Date
    ) throws -> Int {
        let seconds = Int64(now.timeIntervalSince1970)
        let mailing = Mailing.reminders(wave: wave)
        return try database.transaction {
            var created = 0
            for recipient in recipients {
                created += try database.run(
                    "INSERT OR IGNORE INTO reminders (vendor_code, fiscal_year, wave, url, message_id, state, "
                        + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        .text(recipient.vendorCode.rawValue), .integer(Int64(fiscalYear)), .text(wave.rawValue),
                        .text(recipient.url),
                        .text(
                            mailing.messageID(
                                fiscalYear: fiscalYear, vendor: recipient.vendorCode, domain: messageIDDomain)),
                        .text(NoticeState.pending.rawValue), .integer(seconds), .integer(seconds),
                    ])
            }
            return created
        }
    }

    /// Puts the year's notices (or the wave's reminders) of `vendors`, and those in `states`, back to pending for the
    /// next run, in one transaction: the same personal URL, a new Message-ID (a new message, which no server may
    /// take for a copy of the refused one), the attempts and last reply cleared. A notice in flight (`sending`) or
    /// already pending is left as it is. Returns the vendors whose notice was requeued.
    package func requeue(fiscalYear: Int, vendors: [VendorCode], states: [NoticeState], now: Date) throws
        -> [VendorCode]
    {
        let seconds = Int64(now.timeIntervalSince1970)
        return try database.transaction {
            let chosen = try notices(fiscalYear: fiscalYear).filter { notice in
                notice.state != .sending && notice.state != .pending
                    && (vendors.contains(notice.vendorCode) || states.contains(notice.state))
            }
            for notice in chosen {
                let domain = notice.messageID.split(separator: "@").last.map(String.init) ?? "localhost"
                try database.run(
                    "UPDATE \(mailing.table) SET state = ?, message_id = ?, attempts = 0, next_attempt_at = NULL, "
                        + "last_code = NULL, last_reply = NULL, sent_at = NULL, bounce_status = NULL, "
                        + "bounce_diagnostic = NULL, bounced_at = NULL, updated_at = ? WHERE id = ?",
                    [
                        .text(NoticeState.pending.rawValue),
                        .text(mailing.messageID(fiscalYear: fiscalYear, vendor: notice.vendorCode, domain: domain)),
                        .integer(seconds), .integer(notice.id),
                    ])
            }
            return chosen.map(\.vendorCode)
        }
    }

    /// Takes refused notices back to pending, for the next run, with their Message-IDs (none was delivered): a run
    /// stopped by the breaker, whose server refused the sender rather than these recipients.
    func reopen(_ ids: [Int64], now: Date) throws {
        for id in ids {
            try database.run(
                "UPDATE \(mailing.table) SET state = ?, next_attempt_at = NULL, last_code = NULL, last_reply = NULL, "
                    + "updated_at = ? WHERE id = ? AND state = ?",
                [
                    .text(NoticeState.pending.rawValue), .integer(Int64(now.timeIntervalSince1970)), .integer(id),
                    .text(NoticeState.failed.rawValue),
                ])
        }
    }

    /// 128 bits from the system's cryptographic source, base64url without padding (22 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var words = (generator.next() as UInt64, generator.next() as UInt64)
        return EncodedBase64URL.encode(withUnsafeBytes(of: &words) { Array($0) })
    }

    /// The notices to try now: pending, left in `sending` by a killed run, and deferred ones whose time has come
    /// (or all deferred ones with `retryDeferred`), oldest first.
    func due(fiscalYear: Int, now: Date, retryDeferred: Bool) throws -> [Notice] {
        let condition = mailing.condition
        return try database.records(
            "SELECT \(Self.columns) FROM \(mailing.table) WHERE fiscal_year = ?\(condition.sql) AND (state IN (?, ?) "
                + "OR (state = ? AND (? OR next_attempt_at <= ?))) ORDER BY id",
            [.integer(Int64(fiscalYear))] + condition.values + [
                .text(NoticeState.pending.rawValue), .text(NoticeState.sending.rawValue),
                .text(NoticeState.deferred.rawValue), .integer(retryDeferred ? 1 : 0),
                .integer(Int64(now.timeIntervalSince1970)),
            ]
        )
    }

    /// The year's notices (or the wave's reminders), by vendor code; only those in `states` when given (read in
    /// SQL: `notices status` wants the few problems among thousands).
    package func notices(fiscalYear: Int, states: [NoticeState]? = nil) throws -> [Notice] {
        let filter =
            states.map { " AND state IN (" + $0.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")" } ?? ""
        let condition = mailing.condition
        return try database.records(
            "SELECT \(Self.columns) FROM \(mailing.table) WHERE fiscal_year = ?\(condition.sql)\(filter) "
                + "ORDER BY vendor_code",
            [.integer(Int64(fiscalYear))] + condition.values
        )
    }

    /// Commits `sending` before the exchange; false when the row is no longer claimable (sent meanwhile).
    func claim(_ id: Int64, now: Date) throws -> Bool {
        try database.run(
            "UPDATE \(mailing.table) SET state = ?, attempts = attempts + 1, updated_at = ? "
                + "WHERE id = ? AND state IN (\(NoticeState.claimable.map { "'\($0.rawValue)'" }.joined(separator: ", ")))",
            [.text(NoticeState.sending.rawValue), .integer(Int64(now.timeIntervalSince1970)), .integer(id)]) == 1
    }

    /// Commits the outcome after the exchange.
    func record(_ id: Int64, delivery: Delivery, attempts: Int, now: Date) throws {
        let seconds = Int64(now.timeIntervalSince1970)
        let state = delivery.outcome.noticeState
        let nextAttempt: Int64?
        switch delivery.outcome.retry {
        case .never: nextAttempt = nil
        case .nextRun: nextAttempt = seconds
        case .afterBackoff: nextAttempt = seconds + Int64(Self.backoff(attempts: attempts))
        }
        try database.run(
            "UPDATE \(mailing.table) SET state = ?, next_attempt_at = ?, last_code = ?, last_reply = ?, "
                + "sent_at = coalesce(?, sent_at), updated_at = ? WHERE id = ?",
            [
                .text(state.rawValue), nextAttempt.map { .integer($0) } ?? .null, SQLValue(delivery.code),
                .text(delivery.reply), state == .sent ? .integer(seconds) : .null, .integer(seconds), .integer(id),
            ])
    }

    /// Seconds to wait after the n-th failed attempt: 5 minutes, doubling, at most 6 hours.
    static func backoff(attempts: Int) -> Int {
        min(300 << min(max(attempts - 1, 0), 10), 6 * 3600)
    }

    /// How many notices of the year (or reminders of the wave) are in each state.
    package func counts(fiscalYear: Int) throws -> [NoticeState: Int] {
        var counts: [NoticeState: Int] = [:]
        let condition = mailing.condition
        for row in try database.rows(
            "SELECT state, count(*) AS count FROM \(mailing.table) WHERE fiscal_year = ?\(condition.sql) GROUP BY state",
            [.integer(Int64(fiscalYear))] + condition.values)
        {
            counts[try row["state"]] = try row["count"]
        }
        return counts
    }
}

/// A notice's state is stored by its name.
extension NoticeState: SQLColumnValue {}
