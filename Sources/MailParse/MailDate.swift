import Foundation

/// The Date header field's date-time, read as mail programs write it.
///
/// ```
/// date-time = [ day-of-week "," ] date time [CFWS]
/// date      = day month year
/// time      = hour ":" minute [ ":" second ] FWS zone
/// ```
/// Seen in practice and allowed by the obsolete syntax: no day of week, two- and three-digit years, no seconds,
/// zone names (UT, GMT, EST ... PDT, JST), a missing zone (taken as +0000, as RFC 5322 §4.3 says for "-0000"),
/// comments, and a day of week with no comma.
/// - SeeAlso: RFC 5322 §3.3, §4.3
public enum MailDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let zones: [String: Int] = [
        "ut": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8,
        "pdt": -7, "jst": 9,
    ]

    /// The instant, or nil when the value is no date.
    public static func parse(_ value: String) -> Date? {
        let text = HeaderField.withoutComments(value).lowercased()
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "," })
            .map(String.init)
        if let first = words.first, first.count >= 3, first.allSatisfy(\.isLetter),
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(String(first.prefix(3)))
        {
            words.removeFirst()
        }
        guard words.count >= 4, let day = Int(words[0]), (1...31).contains(day),
            let month = months.firstIndex(of: String(words[1].prefix(3))), var year = Int(words[2])
        else { return nil }
        // RFC 5322 §4.3: two digits are 1950-2049, three are 1900 + year.
        if words[2].count == 2 { year += year < 50 ? 2000 : 1900 } else if words[2].count == 3 { year += 1900 }
        let clock = words[3].split(separator: ":").map { Int($0) }
        guard clock.count == 2 || clock.count == 3, clock.allSatisfy({ $0 != nil }) else { return nil }
        let hour = clock[0] ?? -1
        let minute = clock[1] ?? -1
        let second = clock.count == 3 ? clock[2] ?? -1 : 0
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var offset = 0
        if words.count > 4 {
            let zone = words[4]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let digits = Int(zone.dropFirst()) {
                offset = (digits / 100 * 60 + digits % 100) * 60 * (sign == "-" ? -1 : 1)
            } else if let hours = zones[zone] {
                offset = hours * 3600
            }
        }
        guard let date = CalendarDate(year: year, month: month + 1, day: day) else { return nil }
        let days = JapanClock.daysFromCivil(year: date.year, month: date.month, day: date.day)
        let utc = Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + min(second, 59)))
        return utc.addingTimeInterval(TimeInterval(-offset))
    }
}
