import Foundation
import MailParse

/// The issuer's year, in Japan time: fiscal year N (年度) runs from N-04-01 00:00 to (N+1)-03-31 24:00, and a
/// certificate is valid for one fiscal year. Notices for fiscal year N go out in its renewal window, from
/// N-01-15 00:00 (mid-January) until N-04-01 00:00, when the new certificates take effect.
///
/// Every rule is in Japan time (Asia/Tokyo, UTC+09:00, no daylight saving time): an issuer's server on UTC would
/// otherwise move the new year to 04-01 09:00 and open the window nine hours late.
package enum RenewalCalendar {
    /// Fiscal years whose validity `CalendarDate` can hold (its years are 1900...9999).
    package static let supportedYears = 1900...9998

    /// The Gregorian calendar in Japan time.
    private static var japan: Calendar { JapanClock.calendar }

    /// The fiscal year `date` falls in: April to December belong to their own year, January to March to the year
    /// before.
    static func fiscalYear(containing date: Date) -> Int {
        let parts = japan.dateComponents([.year, .month], from: date)
        let year = parts.year ?? 0
        return (parts.month ?? 1) >= 4 ? year : year - 1
    }

    /// The calendar day `date` falls on in Japan (what `notify_after` is compared with).
    static func japanDate(of date: Date) -> CalendarDate {
        let parts = japan.dateComponents([.year, .month, .day], from: date)
        // Components of a real date in Japan time always make a valid CalendarDate within supportedYears' range.
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? CalendarDate(year: 1970, month: 1, day: 1)!
    }

    /// The next fiscal year to start after `date`: the one whose certificates are being (or will next be) renewed.
    /// From 04-01 00:00 on, the year that just started is no longer coming.
    package static func comingFiscalYear(at date: Date) -> Int {
        fiscalYear(containing: date) + 1
    }

    /// The certificate year a download at `date` is for: in the renewal months (January to March) the coming fiscal
    /// year's, from April the year just begun. Both are the calendar year of `date` in Japan.
    package static func certificateYear(downloadedAt date: Date) -> Int {
        japan.component(.year, from: date)
    }

    /// The instants whose `certificateYear(downloadedAt:)` is `year`: calendar year N in Japan, from N-01-01 00:00
    /// (inclusive) to (N+1)-01-01 00:00 (exclusive). What the vendor did then (an OTP asked for) was for
    /// fiscal year N's certificate.
    /// - Precondition: `year` is in `supportedYears`.
    package static func certificatePeriod(of year: Int) -> DateInterval {
        // Not `midnight`: the end is in year N + 1, one past `supportedYears` for N = 9998 (CalendarDate holds it).
        func newYear(_ year: Int) -> Date? {
            guard let date = CalendarDate(year: year, month: 1, day: 1),
                let time = JapanTime(date: date, hour: 0, minute: 0)
            else { return nil }
            return time.instant
        }
        guard supportedYears.contains(year), let start = newYear(year), let end = newYear(year + 1) else {
            preconditionFailure("year \(year) is outside \(supportedYears)")
        }
        return DateInterval(start: start, end: end)
    }

    /// The days a certificate for `fiscalYear` is valid, both inclusive: N-04-01 to (N+1)-03-31.
    /// - Precondition: `fiscalYear` is in `supportedYears` (a programming error otherwise, not bad input).
    package static func validity(of fiscalYear: Int) -> (from: CalendarDate, until: CalendarDate) {
        guard let from = CalendarDate(year: fiscalYear, month: 4, day: 1),
            let until = CalendarDate(year: fiscalYear + 1, month: 3, day: 31)
        else { preconditionFailure("fiscal year \(fiscalYear) is outside \(supportedYears)") }
        return (from, until)
    }

    /// The last day of the certificate in use before `fiscalYear`'s: N-03-31, the day before its validity begins
    /// (what a reminder says ends). The previous year's `validity(of:).until`, also for the first supported year.
    /// - Precondition: `fiscalYear` is in `supportedYears`.
    package static func currentValidityEnd(before fiscalYear: Int) -> CalendarDate {
        guard supportedYears.contains(fiscalYear), let until = CalendarDate(year: fiscalYear, month: 3, day: 31) else {
            preconditionFailure("fiscal year \(fiscalYear) is outside \(supportedYears)")
        }
        return until
    }

    /// The renewal window of `fiscalYear`: from N-01-15 00:00 (inclusive) to N-04-01 00:00 (exclusive), Japan time.
    /// `DateInterval.contains` counts the end as inside; use `isInWindow` to ask about an instant.
    /// - Precondition: `fiscalYear` is in `supportedYears`.
    static func window(of fiscalYear: Int) -> DateInterval {
        DateInterval(start: midnight(fiscalYear, 1, 15), end: midnight(fiscalYear, 4, 1))
    }

    /// Whether notices for `fiscalYear` may go out at `date`: on or after the window's start, before its end.
    static func isInWindow(_ date: Date, fiscalYear: Int) -> Bool {
        let window = window(of: fiscalYear)
        return window.start <= date && date < window.end
    }

    /// The fiscal year of a certificate whose validity starts on `validFrom`, as read from a notice: the year itself
    /// for the usual 04-01 start, otherwise (a certificate reissued mid-year) the fiscal year containing that day.
    /// nil when that fiscal year is outside `supportedYears`, so the caller never has to trust an absurd notice.
    static func fiscalYear(of validFrom: CalendarDate) -> Int? {
        let year = validFrom.month >= 4 ? validFrom.year : validFrom.year - 1
        return supportedYears.contains(year) ? year : nil
    }

    /// 00:00 Japan time on the given day of the Gregorian calendar.
    private static func midnight(_ year: Int, _ month: Int, _ day: Int) -> Date {
        guard supportedYears.contains(year), let date = CalendarDate(year: year, month: month, day: day),
            let time = JapanTime(date: date, hour: 0, minute: 0)
        else { preconditionFailure("fiscal year \(year) is outside \(supportedYears)") }
        return time.instant
    }
}
