import Foundation

/// Reads `notices report`'s rows: every table in one read transaction, so the rows are one consistent snapshot even
/// while a send, a reminder wave or a bounce watcher commits beside it.
package struct NoticeReportStore {
    let database: Database

    package init(database: Database) { self.database = database }

    /// Every vendor of the registry, ordered by code, with its notice, downloads and bounces of the year. Bound:
    /// ?1 the fiscal year, ?2 and ?3 the calendar year in which its renewal's OTPs are asked for.
    static let query = """
        SELECT v.code AS vendor_code, v.name, v.email, v.kind, n.state, n.sent_at,
            n.bounce_status AS notice_bounce_status, n.bounce_diagnostic AS notice_bounce_diagnostic,
            r.id AS reminder_id, r.bounce_status AS reminder_bounce_status,
            r.bounce_diagnostic AS reminder_bounce_diagnostic,
            b.id AS delay_id, b.status AS delay_status, b.diagnostic AS delay_diagnostic,
            (SELECT max(a.at) FROM audit a WHERE a.vendor_code = v.code AND a.event = 'otp_issued'
                AND a.at >= ?2 AND a.at < ?3) AS otp_issued_at,
            d.downloaded_at
        FROM vendors v
        LEFT JOIN notices n ON n.vendor_code = v.code AND n.fiscal_year = ?1
        LEFT JOIN reminders r ON r.id = (
            SELECT id FROM reminders WHERE vendor_code = v.code AND fiscal_year = ?1 AND state = 'bounced'
            ORDER BY bounced_at DESC, id DESC LIMIT 1)
        LEFT JOIN bounces b ON b.id = (
            SELECT id FROM bounces WHERE vendor_code = v.code AND fiscal_year = ?1 AND permanent = 0
            ORDER BY received_at DESC, id DESC LIMIT 1)
        LEFT JOIN downloads d ON d.vendor_code = v.code AND d.fiscal_year = ?1
        ORDER BY v.code
        """

    /// The waves each vendor was reminded in, in the order they went.
    static let remindedQuery = """
        SELECT vendor_code, wave FROM reminders WHERE fiscal_year = ?1 AND state IN ('sent', 'bounced')
        ORDER BY vendor_code, sent_at, id
        """

    /// Reads the report in one read transaction and hands each vendor's row to `body`, in the order of the codes,
    /// as it is read. Returns how many rows there were.
    @discardableResult
    package func rows(fiscalYear: Int, _ body: (NoticeReport.VendorRow) throws -> Void) throws -> Int {
        let period = RenewalCalendar.certificatePeriod(of: fiscalYear)
        let bounds: [SQLValue] = [
            .integer(Int64(fiscalYear)), .integer(Int64(period.start.timeIntervalSince1970)),
            .integer(Int64(period.end.timeIntervalSince1970)),
        ]
        return try database.readTransaction {
            var reminded: [VendorCode: [String]] = [:]
            try database.forEachRow(Self.remindedQuery, [bounds[0]]) { row in
                reminded[try row["vendor_code"], default: []].append(try row["wave"])
            }
            var count = 0
            try database.forEachRow(Self.query, bounds) { row in
                var record = try NoticeReport.VendorRow(row: row)
                record.reminded = reminded[record.vendorCode] ?? []
                try body(record)
                count += 1
            }
            return count
        }
    }
}
