import Foundation

/// `notices report`: one row per vendor of the registry, what the issuer knows of its renewal for one fiscal year,
/// for the contract section to work through (in Excel): whether the notice went out, whether it or a reminder
/// bounced and why, which reminders went, whether the vendor asked for a one-time password and downloaded.
///
/// `NoticeReportStore` reads it.
package enum NoticeReport {
    /// The report's columns, in their order: the CSV header and the JSON keys.
    package static let columns = [
        "vendor_code", "name", "email", "kind", "state", "sent_at", "bounce_status", "bounce_diagnostic", "reminded",
        "otp_issued_at", "downloaded_at", "needs_action",
    ]

    /// What the contract section has to do about a vendor that has not downloaded.
    package enum NeedsAction: String, Sendable, CaseIterable {
        /// The notice or a reminder came back: fix the address in the registry, re-import, requeue.
        case bounced
        /// The server refused the notice for good: the same.
        case failed
        /// The notice went (or is on its way) and the vendor has not downloaded yet: call them.
        case notDownloaded = "not_downloaded"
    }

    /// One vendor's row. Times are UTC seconds since 1970, as the database keeps them.
    package struct VendorRow: Equatable, Sendable, RowDecodable {
        package var vendorCode: VendorCode
        package var name: String
        package var email: String
        package var kind: VendorKind
        /// The notice's state; nil when the vendor has no notice for the year (not yet due: notify_after).
        package var state: NoticeState?
        package var sentAt: Int64?
        /// The notice's bounce when it bounced, else a bounced reminder's (the latest), else the latest delay
        /// (a 4.x.x status that is recorded only), else nil.
        package var bounceStatus: String?
        package var bounceDiagnostic: String?
        /// The waves of the year's reminders that were sent (or sent and bounced), in the order they were sent.
        package var reminded: [String]
        /// The latest one-time password mailed to the vendor in the calendar year of the renewal.
        package var otpIssuedAt: Int64?
        package var downloadedAt: Int64?
        package var needsAction: NeedsAction?

        package init(
            vendorCode: VendorCode, name: String, email: String, kind: VendorKind, state: NoticeState?,
            sentAt: Int64?, bounceStatus: String?, bounceDiagnostic: String?, reminded: [String],
            otpIssuedAt: Int64?, downloadedAt: Int64?, needsAction: NeedsAction?
        ) {
            self.vendorCode = vendorCode
            self.name = name
            self.email = email
            self.kind = kind
            self.state = state
            self.sentAt = sentAt
            self.bounceStatus = bounceStatus
            self.bounceDiagnostic = bounceDiagnostic
            self.reminded = reminded
            self.otpIssuedAt = otpIssuedAt
            self.downloadedAt = downloadedAt
            self.needsAction = needsAction
        }

        /// A row of `NoticeReportStore.query`; `reminded` is filled in afterwards.
        init(row: Row) throws {
            vendorCode = try row["vendor_code"]
            name = try row["name"]
            email = try row["email"]
            kind = try row["kind"]
            state = try row["state"]
            sentAt = try row["sent_at"]
            let reminderBounced: Int64? = try row["reminder_id"]
            let delayed: Int64? = try row["delay_id"]
            if state == .bounced {
                bounceStatus = try row["notice_bounce_status"]
                bounceDiagnostic = try row["notice_bounce_diagnostic"]
            } else if reminderBounced != nil {
                bounceStatus = try row["reminder_bounce_status"]
                bounceDiagnostic = try row["reminder_bounce_diagnostic"]
            } else if delayed != nil {
                bounceStatus = try row["delay_status"]
                bounceDiagnostic = try row["delay_diagnostic"]
            }
            reminded = []
            otpIssuedAt = try row["otp_issued_at"]
            downloadedAt = try row["downloaded_at"]
            needsAction = Self.needsAction(
                state: state, reminderBounced: reminderBounced != nil, downloaded: downloadedAt != nil)
        }

        /// Nothing once the vendor has downloaded; else `bounced` when the notice or a reminder bounced, `failed`
        /// when the notice was refused, `not_downloaded` for any other notice (sent, or still on its way); nothing
        /// for a vendor without a notice (it waits for its notify_after day).
        package static func needsAction(state: NoticeState?, reminderBounced: Bool, downloaded: Bool) -> NeedsAction? {
            if downloaded { return nil }
            if state == .bounced || reminderBounced { return .bounced }
            if state == .failed { return .failed }
            return state == nil ? nil : .notDownloaded
        }
    }
}
