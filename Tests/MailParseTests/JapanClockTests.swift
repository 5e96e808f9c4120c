import Foundation
import Testing

@testable import MailParse

/// Japan time, the one calendar of notifier: formats, and wall-clock times back to instants.
@Suite("Japan time")
struct JapanClockTests {
    static let instant = Date(timeIntervalSince1970: 1_801_114_500)  // 2027-01-28T14:35:00+09:00, a Thursday

    @Test func formats() {
        #expect(JapanClock.iso8601(Self.instant) == "2027-01-28T14:35:00+09:00")
        #expect(JapanClock.iso8601(seconds: 1_801_114_500) == "2027-01-28T14:35:00+09:00")
        #expect(JapanClock.noticeText(Self.instant) == "2027/01/28 14:35")
        #expect(JapanClock.rfc5322(Self.instant) == "Thu, 28 Jan 2027 14:35:00 +0900")
        #expect(JapanClock.calendarDate(of: Self.instant) == CalendarDate(year: 2027, month: 1, day: 28))
        // 23:30 UTC on 03-31 is already 04-01 in Japan: the first day of the certificate's year.
        #expect(
            JapanClock.calendarDate(of: Date(timeIntervalSince1970: 1_806_535_800))
                == CalendarDate(year: 2027, month: 4, day: 1))
    }

    /// The instant of a wall-clock time, computed without a calendar, against Foundation's calendar over 150 years
    /// of leap years and month ends.
    @Test func wallClockToInstantAgreesWithTheCalendar() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let year = Int.random(in: 1950...2100, using: &generator)
            let month = Int.random(in: 1...12, using: &generator)
            let day = Int.random(in: 1...31, using: &generator)
            guard let date = CalendarDate(year: year, month: month, day: day),
                let time = JapanTime(
                    date: date, hour: Int.random(in: 0...23, using: &generator),
                    minute: Int.random(in: 0...59, using: &generator), second: Int.random(in: 0...59, using: &generator)
                )
            else { continue }
            let expected = try #require(
                JapanClock.calendar.date(
                    from: DateComponents(
                        year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second)))
            #expect(time.instant == expected, "\(time)")
            #expect(JapanClock.iso8601(time.instant) == time.description)
        }
    }
}
