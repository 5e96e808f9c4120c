import Foundation
import MailParse

/// Instants as the OTP side shows them: ISO 8601 in Japan time, `2027-01-28T14:35:00+09:00`. The vendors and the
/// issuer live in Japan (no daylight saving), and the template reads this form back (`expires_at`).
enum JapanTimestamp {
    static let offset = 9 * 3600

    static func iso8601(_ seconds: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offset) ?? .gmt
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return "\(c.year ?? 0)-\(twoDigits(c.month ?? 0))-\(twoDigits(c.day ?? 0))T"
            + "\(twoDigits(c.hour ?? 0)):\(twoDigits(c.minute ?? 0)):\(twoDigits(c.second ?? 0))+09:00"
    }

    /// Whole seconds since 1970, as the database stores times (rounded down: an expiry is never extended).
    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}
