import Foundation
import MailParse

/// Turns the values a command is given into the text a notice shows, checking each: dates and times arrive in
/// ISO 8601 (`2027-04-01`, `2027-01-28T14:35:00+09:00`) and are shown as the issuer's notices show them
/// (`2027/04/01`, `2027/01/28 14:35`, Japan time). No value may hold a control character or a line break of any
/// kind (CR, LF, NEL, U+2028, U+2029: `TextSafety`): a vendor name must never become a header, nor a line that reads
/// as the download URL (EX_DATAERR, 65).
enum TemplateValues {
    static let dateVariables: Set<String> = ["valid_from", "valid_until", "current_until"]
    static let timeVariables: Set<String> = ["expires_at"]

    static func format(_ raw: [String: String], template: TemplateName, now: Date) throws -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in raw {
            func bad(_ reason: String) -> TemplateError {
                TemplateError(template: template, variable: name, reason: reason)
            }
            if let scalar = TextSafety.firstForbidden(in: value) {
                throw bad("\(TextSafety.reason(scalar)); refused: a value is one line of plain text")
            }
            switch name {
            case _ where dateVariables.contains(name):
                guard let date = parseDate(value) else { throw bad("'\(value)' is not a date like 2027-04-01") }
                values[name] = "\(date.year)/\(twoDigits(date.month))/\(twoDigits(date.day))"
            case _ where timeVariables.contains(name):
                guard let instant = parseInstant(value) else {
                    throw bad("'\(value)' is not a time like 2027-01-28T14:35:00+09:00")
                }
                values[name] = JapanClock.noticeText(instant)
                if raw["minutes_left"] == nil {
                    values["minutes_left"] = String(max(0, Int((instant.timeIntervalSince(now) / 60).rounded(.up))))
                }
            case "vendor_code":
                guard VendorCode(rawValue: value) != nil else {
                    throw bad("'\(value)' is not 7 ASCII digits")
                }
                values[name] = value
            case "otp":
                guard (4...16).contains(value.utf8.count),
                    value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
                else { throw bad("is not 4 to 16 ASCII letters and digits") }
                values[name] = value
            case "url":
                let lower = value.lowercased()
                guard lower.hasPrefix("https://") || lower.hasPrefix("http://"),
                    value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
                else { throw bad("'\(value)' is not an http(s) URL without spaces") }
                values[name] = value
            default:
                values[name] = value
            }
        }
        return values
    }

    /// `YYYY-MM-DD` (or `YYYY/MM/DD`).
    static func parseDate(_ text: String) -> CalendarDate? {
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "/" }
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), parts[1].count <= 2, parts[2].count <= 2
        else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DDTHH:MM[:SS](Z|±HH:MM)`: an instant; the offset is required (a time without one is ambiguous).
    static func parseInstant(_ text: String) -> Date? {
        guard let t = text.firstIndex(where: { $0 == "T" || $0 == " " }), let date = parseDate(String(text[..<t]))
        else { return nil }
        var rest = text[text.index(after: t)...]
        var offsetSeconds: Int
        if rest.hasSuffix("Z") {
            offsetSeconds = 0
            rest = rest.dropLast()
        } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = rest[rest.index(after: sign)...].split(separator: ":")
            guard offset.count == 2, let hours = Int(offset[0]), let minutes = Int(offset[1]), hours <= 14,
                minutes < 60
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (rest[sign] == "-" ? -1 : 1)
            rest = rest[..<sign]
        } else {
            return nil
        }
        let clock = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 2 || clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]),
            clock.allSatisfy({ $0.count == 2 }), hour < 24, minute < 60
        else { return nil }
        let second = clock.count == 3 ? Int(clock[2]) ?? 99 : 0
        guard second < 60 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (date.year, date.month, date.day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        var calendar = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(secondsFromGMT: offsetSeconds) else { return nil }
        calendar.timeZone = zone
        return calendar.date(from: components)
    }
}
