import MailParse

/// A year as people at JKK東京 and its vendors write it: `2027`, or in the 令和 era, `令和9`, `R9`, `令和元`
/// (the era's first year), each optionally followed by 年 or 年度, in ASCII or full-width digits (folded by
/// `FullWidth`). 令和 1 is 2019, so 令和9 is 2027. The one reader of such years: `--fiscal-year` and the registry
/// import's dates both go through it.
package struct JapaneseYear: Equatable, Sendable {
    /// The Gregorian year.
    package let year: Int
    /// Whether it was written as a 令和 year (then a date in it must be on or after the era's first day).
    package let isReiwa: Bool

    /// 令和 1 is this Gregorian year.
    package static let reiwaStart = 2019
    /// The era's first day, 令和元年5月1日.
    package static let reiwaFirstDay = CalendarDate(year: 2019, month: 5, day: 1)!
    /// The forms `init?(_:)` reads, for messages that say what is accepted.
    package static let forms = "2027, R9, 令和9 or 令和9年 (令和元年 is 2019)"

    /// The year `text` writes, or nil. A Gregorian year has four digits; a 令和 year has `令和` or `R` (either case)
    /// and one to three digits from 1 (or 元). `suffixes` are the words that may follow the number (年, 年度).
    package init?(_ text: String, suffixes: [String] = ["年度", "年"]) {
        var rest = Substring(FullWidth.fold(text).trimmingCharacters(in: .whitespaces))
        if let suffix = suffixes.first(where: { rest.hasSuffix($0) }) {
            rest = rest.dropLast(suffix.count)
            while rest.last == " " { rest = rest.dropLast() }
        }
        var isReiwa = false
        for prefix in ["令和", "R", "r"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count).drop(while: { $0 == " " })
            isReiwa = true
            break
        }
        if isReiwa {
            if rest == "元" {
                self.init(year: Self.reiwaStart, isReiwa: true)
                return
            }
            guard (1...3).contains(rest.utf8.count), rest.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Int(rest), number >= 1
            else { return nil }
            self.init(year: Self.reiwaStart - 1 + number, isReiwa: true)
        } else {
            guard rest.utf8.count == 4, rest.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let year = Int(rest)
            else { return nil }
            self.init(year: year, isReiwa: false)
        }
    }

    private init(year: Int, isReiwa: Bool) {
        self.year = year
        self.isReiwa = isReiwa
    }
}
