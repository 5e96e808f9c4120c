import Foundation
import MailParse

/// What a bounce does to the issuer's records: it is matched to the message it returns (a notice, a reminder or an
/// OTP mail, by the Message-ID it quotes or by the tag of its VERP address), a permanent one puts a sent notice or
/// reminder into `bounced` with its status and diagnostic (an OTP mail's goes to the audit trail), and every bounce,
/// matched or not, delay or failure, is kept in `bounces`.
///
/// A bounce is mail from anyone: only the message it names can be touched, and the Message-IDs and tags it can
/// name hold 64 or 128 random bits that only the message's own recipient and relays have seen.
struct BounceStore {
    let database: Database

    /// The message a bounce returns.
    enum Match: Equatable {
        case notice(id: Int64, vendor: VendorCode, fiscalYear: Int)
        case reminder(id: Int64, vendor: VendorCode, fiscalYear: Int)
        case otp(vendor: VendorCode)

        var kind: String {
            switch self {
            case .notice: "notice"
            case .reminder: "reminder"
            case .otp: "otp"
            }
        }

        var vendor: VendorCode {
            switch self {
            case .notice(_, let vendor, _), .reminder(_, let vendor, _), .otp(let vendor): vendor
            }
        }

        var fiscalYear: Int? {
            switch self {
            case .notice(_, _, let year), .reminder(_, _, let year): year
            case .otp: nil
            }
        }
    }

    /// A row of notices or reminders a bounce points at.
    private struct Sent: RowDecodable {
        let id: Int64
        let vendorCode: VendorCode
        let fiscalYear: Int

        init(row: Row) throws {
            id = try row["id"]
            vendorCode = try row["vendor_code"]
            fiscalYear = try row["fiscal_year"]
        }
    }

    /// The tables of sent mail, in the order they are searched.
    private static let tables = ["notices", "reminders"]

    /// The message whose Message-ID is `messageID` (exactly, without angle brackets).
    func match(messageID: String) throws -> Match? {
        try match(where: "message_id = ?", messageID)
    }

    /// The message whose Message-ID's local part is `tag`, compared without regard to case (a VERP address comes
    /// back lower-cased from some systems).
    func match(tag: String) throws -> Match? {
        guard !tag.isEmpty, !tag.contains("@") else { return nil }
        return try match(where: "lower(substr(message_id, 1, instr(message_id, '@') - 1)) = lower(?)", tag)
    }

    private func match(where condition: String, _ value: String) throws -> Match? {
        for table in Self.tables {
            let rows: [Sent] = try database.records(
                "SELECT id, vendor_code, fiscal_year FROM \(table) WHERE \(condition) LIMIT 2", [.text(value)])
            // Two rows for one case-folded tag: the tag names neither for sure.
            guard rows.count == 1, let row = rows.first else { continue }
            return table == "notices"
                ? .notice(id: row.id, vendor: row.vendorCode, fiscalYear: row.fiscalYear)
                : .reminder(id: row.id, vendor: row.vendorCode, fiscalYear: row.fiscalYear)
        }
        let vendors: [VendorCode] = try database.rows(
            "SELECT DISTINCT vendor_code FROM audit WHERE event = ? AND \(condition) LIMIT 2",
            [.text(OTPEvent.issued.rawValue), .text(value)]
        ).map { try $0["vendor_code"] }
        return vendors.count == 1 ? vendors.first.map { .otp(vendor: $0) } : nil
    }

    /// Applies `bounce`, matched to `match` (nil: unmatched), and keeps it in `bounces`; runs in the caller's
    /// transaction. A permanent bounce of a message no longer `sent` (refused, requeued) is only recorded.
    func apply(_ bounce: Bounce, to match: Match?, at now: Date) throws -> BounceHandler.Decision {
        let seconds = Int64(now.timeIntervalSince1970)
        try database.run(
            "INSERT INTO bounces (received_at, original_message_id, matched, vendor_code, fiscal_year, recipients, "
                + "status, permanent, diagnostic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .integer(seconds), SQLValue(bounce.originalMessageID), .text(match?.kind ?? "none"),
                SQLValue(match?.vendor.rawValue), SQLValue(match?.fiscalYear),
                .text(bounce.recipients.joined(separator: ", ")), SQLValue(bounce.status),
                .integer(bounce.permanent ? 1 : 0), SQLValue(bounce.diagnostic),
            ])
        guard let match else { return .unmatched }
        guard bounce.permanent else { return .delayed }
        switch match {
        case .notice(let id, _, _), .reminder(let id, _, _):
            let changed = try database.run(
                "UPDATE \(match.kind == "notice" ? "notices" : "reminders") SET state = ?, bounce_status = ?, "
                    + "bounce_diagnostic = ?, bounced_at = ?, updated_at = ? WHERE id = ? AND state IN (?, ?)",
                [
                    .text(NoticeState.bounced.rawValue), SQLValue(bounce.status), SQLValue(bounce.diagnostic),
                    .integer(seconds), .integer(seconds), .integer(id), .text(NoticeState.sent.rawValue),
                    .text(NoticeState.bounced.rawValue),
                ])
            return changed == 1 ? .bounced : .recorded
        case .otp(let vendor):
            try OTPStore(database: database).audit(
                .bounced, vendorCode: vendor, at: seconds,
                detail: "the OTP mail came back undelivered: \(bounce.status ?? "no status")"
                    + (bounce.diagnostic.map { " \($0)" } ?? ""), messageID: bounce.originalMessageID)
            return .otpBounced
        }
    }
}
