import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// Years as JKK東京's staff write them: Gregorian, or 令和 (令和1 = 2019), for `--fiscal-year` and registry dates.
@Suite("JapaneseYear")
struct JapaneseYearTests {
    @Test(
        "forms --fiscal-year takes",
        arguments: [
            ("2027", 2027), ("R9", 2027), ("r9", 2027), ("令和9", 2027), ("令和9年", 2027), ("令和9年度", 2027),
            ("令和元年", 2019), ("令和元", 2019), ("R元", 2019), ("令和1年", 2019), ("令和 9 年", 2027),
            ("令和９", 2027), ("Ｒ９", 2027), ("２０２７", 2027), ("２０２７年度", 2027), (" 令和10年 ", 2028),
            ("R09", 2027), ("令和100", 2118),
        ])
    func accepted(text: String, year: Int) throws {
        #expect(try VendorYearOptions.fiscalYear(text) == year)
        #expect(JapaneseYear(text)?.year == year)
    }

    @Test(
        "values --fiscal-year refuses",
        arguments: [
            "", "27", "20270", "2027x", "令和", "R", "令和0", "R0", "令和-1", "令和1000", "H31", "平成31", "令和9月",
            "令和9年年", "元年", "令和9.5", "1899", "9999", "R\u{1B}9",
        ])
    func refused(text: String) throws {
        let error = try #require(throws: InvalidValue.self) { try VendorYearOptions.fiscalYear(text) }
        #expect(error.reason == "takes a year like 2027, R9, 令和9 or 令和9年 (令和元年 is 2019)")
    }

    @Test func onlyReiwaYearsAreMarked() {
        #expect(JapaneseYear("令和9")?.isReiwa == true)
        #expect(JapaneseYear("2027")?.isReiwa == false)
        #expect(JapaneseYear("2027年", suffixes: []) == nil)
    }

    /// The binary reads the 令和 forms: requeue names the fiscal year it understood.
    @Test("the command line", arguments: ["R9", "令和9", "令和９年", "２０２７"])
    func commandLine(year: String) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try fixture.run(["notices", "requeue", "--fiscal-year", year, "--state", "failed"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("nothing to requeue for fiscal year 2027"), "\(result.stderr)")
    }

    @Test func reiwaGannenOnTheCommandLine() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try fixture.run(["notices", "requeue", "--fiscal-year", "令和元年", "--state", "failed"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("nothing to requeue for fiscal year 2019"), "\(result.stderr)")
    }

    @Test("a bad year is a usage error saying what is accepted", arguments: ["H31", "令和0", "R9x", "2027年度度"])
    func badOnTheCommandLine(year: String) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try fixture.run(["notices", "report", "--fiscal-year", year])
        #expect(result.status == 64)
        #expect(
            result.stderr.contains("--fiscal-year takes a year like 2027, R9, 令和9 or 令和9年 (令和元年 is 2019)"),
            "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
