import Foundation

/// What the vendor's alarms read and claim (`NoticeAlarm`): the `alarms` rows said so far, and whether the vault
/// and the OTP sightings already hold what the alarms wait for.
struct AlarmStore {
    let database: Database

    /// Whether the alarm `name` was said for `period`.
    func wasSaid(_ name: String, period: String) throws -> Bool {
        try database.row("SELECT 1 FROM alarms WHERE name = ? AND period = ?", [.text(name), .text(period)]) != nil
    }

    /// Claims the alarm `name` for `period`, in the caller's transaction: false when another process said it first.
    func claim(_ name: String, period: String, at now: Date) throws -> Bool {
        try database.run(
            "INSERT OR IGNORE INTO alarms (name, period, said_at) VALUES (?, ?, ?)",
            [.text(name), .text(period), .integer(Int64(now.timeIntervalSince1970))]) == 1
    }

    /// Whether the vault holds a trusted URL for `fiscalYear`.
    func hasURL(fiscalYear: Int) throws -> Bool {
        try database.row("SELECT 1 FROM vault_urls WHERE fiscal_year = ? LIMIT 1", [.integer(Int64(fiscalYear))])
            != nil
    }

    /// Whether an OTP notice (in any state) arrived within `period`.
    func sawOTP(in period: DateInterval) throws -> Bool {
        try database.row(
            "SELECT 1 FROM otp_sightings WHERE received_at >= ? AND received_at < ? LIMIT 1",
            [
                .integer(Int64(period.start.timeIntervalSince1970)), .integer(Int64(period.end.timeIntervalSince1970)),
            ]) != nil
    }
}
