import Foundation

/// Japan time, UTC+09:00 all year (Japan has no daylight saving): the one calendar through which notifier reads and
/// writes every date and time of the renewal (certificate validity, OTP expiry, Date fields, reports). A fixed offset
/// rather than "Asia/Tokyo", which a stripped-down tzdata may lack; the calendar is built once.
public enum JapanClock {
    /// Seconds east of UTC.
    public static let offset = 9 * 3600

    /// A Gregorian calendar at +09:00.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        // +09:00 is a valid offset, so the initialiser cannot return nil: a constant, not input.
        calendar.timeZone = TimeZone(secondsFromGMT: offset) ?? TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()

    private static let fields: Set<Calendar.Component> = [.year, .month, .day, .hour, .minute, .second, .weekday]

    /// `2027-01-28T14:35:00+09:00` (ISO 8601).
    public static func iso8601(_ date: Date) -> String {
        let c = calendar.dateComponents(fields, from: date)
        return "\(c.year ?? 0)-\(twoDigits(c.month ?? 0))-\(twoDigits(c.day ?? 0))T"
            + "\(twoDigits(c.hour ?? 0)):\(twoDigits(c.minute ?? 0)):\(twoDigits(c.second ?? 0))+09:00"
    }

    /// The same for whole seconds since 1970, as the database keeps times.
    public static func iso8601(seconds: Int64) -> String {
        iso8601(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// `2027/01/28 14:35`, as the issuer's notices write a time.
    public static func noticeText(_ date: Date) -> String {
        let c = calendar.dateComponents(fields, from: date)
        return "\(c.year ?? 0)/\(twoDigits(c.month ?? 0))/\(twoDigits(c.day ?? 0)) "
            + "\(twoDigits(c.hour ?? 0)):\(twoDigits(c.minute ?? 0))"
    }

    /// `Thu, 28 Jan 2027 14:35:00 +0900`, a Date field's value.
    /// - SeeAlso: RFC 5322 §3.3
    public static func rfc5322(_ date: Date) -> String {
        let c = calendar.dateComponents(fields, from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return
            "\(days[((c.weekday ?? 1) - 1) % 7]), \(c.day ?? 1) \(months[((c.month ?? 1) - 1) % 12]) \(c.year ?? 1970) "
            + "\(twoDigits(c.hour ?? 0)):\(twoDigits(c.minute ?? 0)):\(twoDigits(c.second ?? 0)) +0900"
    }

    /// The calendar date in Japan at `date`.
    public static func calendarDate(of date: Date) -> CalendarDate? {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return CalendarDate(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0)
    }

    /// The instant of a wall-clock time in Japan.
    public static func instant(of time: JapanTime) -> Date {
        // Seconds since 1970 of the UTC wall clock, less the offset: no calendar lookup, so no nil to handle.
        let date = time.date
        let days = daysFromCivil(year: date.year, month: date.month, day: date.day)
        let seconds = days * 86_400 + time.hour * 3600 + time.minute * 60 + time.second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
