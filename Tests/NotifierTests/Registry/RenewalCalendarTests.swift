import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// Fiscal years and renewal windows in Japan time. Most cases sit on an edge, written both in +09:00 and in UTC, so
/// that an implementation that counts days in UTC (nine hours late) fails them.
@Suite("RenewalCalendar")
struct RenewalCalendarTests {
    static func instant(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text), "\(text) is not ISO 8601")
    }

    static func date(_ year: Int, _ month: Int, _ day: Int) throws -> CalendarDate {
        try #require(CalendarDate(year: year, month: month, day: day))
    }

    @Test(
        "fiscal year containing an instant",
        arguments: [
            ("2027-03-31T23:59:59+09:00", 2026),
            ("2027-04-01T00:00:00+09:00", 2027),
            ("2027-03-31T15:00:00Z", 2027),  // the same instant as 04-01 00:00 in Japan
            ("2027-03-31T14:59:59Z", 2026),
            ("2026-12-31T23:59:59+09:00", 2026),
            ("2026-12-31T15:00:00Z", 2026),  // 2027-01-01 in Japan: the calendar year changes, the fiscal year not
            ("2028-02-29T12:00:00+09:00", 2027),
            ("2028-03-31T23:59:59+09:00", 2027),
            ("2028-04-01T00:00:00+09:00", 2028),
        ])
    func fiscalYearContaining(instant: String, year: Int) throws {
        #expect(RenewalCalendar.fiscalYear(containing: try Self.instant(instant)) == year)
    }

    @Test(
        "the coming fiscal year",
        arguments: [
            ("2027-01-20T09:00:00+09:00", 2027),
            ("2026-11-26T10:00:00+09:00", 2027),
            ("2027-03-31T23:59:59+09:00", 2027),
            ("2027-04-01T00:00:00+09:00", 2028),
            ("2027-03-31T15:00:00Z", 2028),
            ("2026-04-01T00:00:00+09:00", 2027),
        ])
    func comingFiscalYear(instant: String, year: Int) throws {
        #expect(RenewalCalendar.comingFiscalYear(at: try Self.instant(instant)) == year)
    }

    @Test(
        "window edges in Japan time",
        arguments: [
            ("2027-01-14T23:59:59+09:00", 2027, false),
            ("2027-01-14T14:59:59Z", 2027, false),
            ("2027-01-15T00:00:00+09:00", 2027, true),
            ("2027-01-14T15:00:00Z", 2027, true),  // 01-15 00:00 in Japan, still 01-14 in UTC
            ("2027-03-31T23:59:59+09:00", 2027, true),
            ("2027-03-31T14:59:59Z", 2027, true),
            ("2027-04-01T00:00:00+09:00", 2027, false),
            ("2027-03-31T15:00:00Z", 2027, false),  // 04-01 00:00 in Japan, still 03-31 in UTC
            ("2027-02-01T12:00:00+09:00", 2028, false),  // a year early
            ("2028-02-29T12:00:00+09:00", 2028, true),
            ("2028-02-29T12:00:00+09:00", 2027, false),
        ])
    func windowEdges(instant: String, fiscalYear: Int, inside: Bool) throws {
        #expect(RenewalCalendar.isInWindow(try Self.instant(instant), fiscalYear: fiscalYear) == inside)
    }

    /// The window runs from mid-January to the instant the fiscal year starts; in a leap year February has 29 days.
    @Test("window bounds", arguments: [(2027, 76), (2028, 77), (2100, 76), (2000, 77)])
    func windowBounds(fiscalYear: Int, days: Int) throws {
        let window = RenewalCalendar.window(of: fiscalYear)
        #expect(window.start == (try Self.instant("\(fiscalYear)-01-15T00:00:00+09:00")))
        #expect(window.end == (try Self.instant("\(fiscalYear)-04-01T00:00:00+09:00")))
        #expect(window.duration == Double(days * 86_400))
        #expect(RenewalCalendar.fiscalYear(containing: window.end) == fiscalYear)
        #expect(RenewalCalendar.fiscalYear(containing: window.end.addingTimeInterval(-1)) == fiscalYear - 1)
        #expect(RenewalCalendar.comingFiscalYear(at: window.start) == fiscalYear)
    }

    @Test("validity", arguments: [(2026, 2027), (2027, 2028), (2099, 2100)])
    func validity(fiscalYear: Int, nextYear: Int) throws {
        let validity = RenewalCalendar.validity(of: fiscalYear)
        #expect(validity.from == (try Self.date(fiscalYear, 4, 1)))
        #expect(validity.until == (try Self.date(nextYear, 3, 31)))
        #expect(RenewalCalendar.fiscalYear(of: validity.from) == fiscalYear)
        #expect(RenewalCalendar.fiscalYear(of: validity.until) == fiscalYear)
    }

    @Test(
        "fiscal year of a notice's validity start",
        arguments: [
            (2027, 4, 1, 2027),
            (2027, 3, 31, 2026),  // a certificate reissued on the last day of the year
            (2027, 10, 1, 2027),
            (2028, 2, 29, 2027),
            (2028, 1, 1, 2027),
            (1900, 4, 1, 1900),
            (9998, 4, 1, 9998),
        ])
    func fiscalYearOfValidFrom(year: Int, month: Int, day: Int, fiscalYear: Int) throws {
        #expect(RenewalCalendar.fiscalYear(of: try Self.date(year, month, day)) == fiscalYear)
    }

    /// Days whose fiscal year has no validity `CalendarDate` can hold.
    @Test(arguments: [(1900, 3, 31), (9999, 4, 1)])
    func fiscalYearOutOfRange(year: Int, month: Int, day: Int) throws {
        #expect(RenewalCalendar.fiscalYear(of: try Self.date(year, month, day)) == nil)
    }
}
