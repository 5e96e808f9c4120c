import Foundation
import MailParse

/// Reads the issuer's vendor list, a CSV file as people keep it in Excel, into registry records: all or nothing, so
/// that a half-read list never sends notices to some vendors and silently skips the rest.
///
/// The header row names the columns (any order, any case): `vendor_code`, `name`, `email`, `kind` and, optionally,
/// `notify_after`, or in the Japanese a registry exported from Excel has: 業者コード, 商号又は名称 (or 業者名),
/// メールアドレス, 区分, 通知開始日. The two may be mixed as long as no column is named twice. Other columns
/// (電話番号, 担当者, ...) are ignored, and `VendorList.note` names them. The text is UTF-8 (with or without a BOM) or
/// Shift_JIS as Windows writes it (cp932, what Excel saves in Japan); the CSV syntax is RFC 4180's (see
/// `CSVReader`). Spaces and tabs around a value are dropped; full-width digits in codes and dates are read as ASCII.
package enum VendorCSV {
    /// The columns a vendor list may have, by the English names the header may spell them with.
    private enum Column: String, CaseIterable {
        case vendorCode = "vendor_code"
        case name
        case email
        case kind
        case notifyAfter = "notify_after"

        var isRequired: Bool { self != .notifyAfter }
        static let layout =
            "vendor_code,name,email,kind[,notify_after] or 業者コード,商号又は名称,メールアドレス,区分[,通知開始日]"

        /// The Japanese headings of the column, the first one the usual. 商号または名称 (in kana) is read as well.
        var japanese: [String] {
            switch self {
            case .vendorCode: ["業者コード"]
            case .name: ["商号又は名称", "業者名"]
            case .email: ["メールアドレス"]
            case .kind: ["区分"]
            case .notifyAfter: ["通知開始日"]
            }
        }

        /// Both names, for messages: `vendor_code (業者コード)`.
        var names: String { "\(rawValue) (\(japanese.joined(separator: " or ")))" }

        /// The column a header cell names (case, surrounding spaces and full-width forms aside), or nil.
        init?(heading: String) {
            let key = FullWidth.fold(heading).trimmingCharacters(in: .whitespaces)
            if key == "商号または名称" {
                self = .name
                return
            }
            guard
                let column = Column(rawValue: key.lowercased())
                    ?? Column.allCases.first(where: { $0.japanese.contains(key) })
            else { return nil }
            self = column
        }
    }

    /// A column the file has: which one, and its heading as the file writes it (what messages call it).
    private struct Heading {
        let column: Column
        let name: String
    }

    /// Why one value is wrong; the caller adds the file, line and column.
    private struct Reason: Error {
        package let text: String
        init(_ text: String) { self.text = text }
    }

    /// The vendors in `bytes`, the contents of the file at `path` (used only in messages), in file order.
    /// - Throws: `VendorCSVError` listing every problem found; no record is returned unless every row is good.
    package static func parse(_ bytes: [UInt8], path: String) throws -> [VendorRecord] {
        try read(bytes, path: path).records
    }

    /// What `read` found: the vendors, and the columns it did not read.
    package struct VendorList: Equatable, Sendable {
        package var records: [VendorRecord]
        /// The headings of the columns ignored, as the file writes them, in file order.
        package var ignoredColumns: [String]
        let path: String

        /// One line naming every ignored column, for the person importing (nil when none was ignored).
        package var note: String? {
            guard !ignoredColumns.isEmpty else { return nil }
            let count = ignoredColumns.count
            return "\(path): ignored \(count) column\(count == 1 ? "" : "s") notifier does not read: "
                + ignoredColumns.map(shown).joined(separator: ", ")
        }
    }

    /// The vendors in `bytes`, as `parse`, and the columns ignored.
    /// - Throws: `VendorCSVError` listing every problem found; no record is returned unless every row is good.
    package static func read(_ bytes: [UInt8], path: String) throws -> VendorList {
        func failure(_ line: Int?, _ reason: String) -> VendorCSVError { fileError(path, line, reason) }
        let text = try decode(bytes, path: path)
        let rows: [CSVReader.Record]
        do {
            rows = try CSVReader.records(text).filter { !$0.isBlank }
        } catch {
            throw failure(error.line, error.reason)
        }
        guard let header = rows.first else {
            throw failure(nil, "no vendors: the file is empty (its first line names the columns: \(Column.layout))")
        }
        let (columns, ignored) = try self.columns(of: header, path: path)
        guard rows.count > 1 else { throw failure(nil, "no vendors: the file has only the header line") }

        var problems: [VendorCSVError.Problem] = []
        var vendors: [VendorRecord] = []
        var codeLines: [VendorCode: Int] = [:]
        for row in rows.dropFirst() {
            guard row.fields.count == columns.count else {
                let count = row.fields.count
                let hint =
                    count > columns.count
                    ? "a comma in a value needs the value in quotes" : "is a value missing?"
                problems.append(
                    VendorCSVError.Problem(
                        line: row.line, column: nil,
                        reason: "\(counted(count, "field")), but the header names "
                            + "\(counted(columns.count, "column")) (\(hint))"))
                continue
            }
            var fields: [Column: (field: CSVReader.Field, heading: String)] = [:]
            for (heading, field) in zip(columns, row.fields) {
                if let heading { fields[heading.column] = (field, heading.name) }
            }
            let before = problems.count
            /// The column's checked value; nil when the column is absent or its value is wrong (then noted).
            func read<Value>(_ column: Column, _ check: (String) throws(Reason) -> Value) -> Value? {
                guard let (field, heading) = fields[column] else { return nil }
                do {
                    return try check(field.text.trimmingCharacters(in: .whitespaces))
                } catch {
                    problems.append(VendorCSVError.Problem(line: field.line, column: heading, reason: error.text))
                    return nil
                }
            }
            let code = read(.vendorCode, vendorCode)
            let name = read(.name, self.name)
            let email = read(.email, self.email)
            let kind = read(.kind, self.kind)
            let notifyAfter = read(.notifyAfter, date) ?? nil
            if let code, let (field, heading) = fields[.vendorCode] {
                let line = field.line
                if let first = codeLines[code] {
                    problems.append(
                        VendorCSVError.Problem(
                            line: line, column: heading,
                            reason: "\(shown(code.rawValue)) is already on line \(first); each vendor is listed once"))
                } else {
                    codeLines[code] = line
                }
            }
            guard problems.count == before, let code, let name, let email, let kind else { continue }
            vendors.append(VendorRecord(code: code, name: name, email: email, kind: kind, notifyAfter: notifyAfter))
        }
        guard problems.isEmpty else { throw VendorCSVError(path: path, problems: problems) }
        return VendorList(records: vendors, ignoredColumns: ignored, path: path)
    }

    /// An error about the file as a whole or one line of it, which stops the reading.
    private static func fileError(_ path: String, _ line: Int?, _ reason: String) -> VendorCSVError {
        VendorCSVError(path: path, problems: [VendorCSVError.Problem(line: line, column: nil, reason: reason)])
    }

    // MARK: - Encoding

    /// The text of the file: UTF-8 when the bytes are UTF-8 (a BOM dropped), else cp932 when they are well-formed
    /// Shift_JIS whose every character exists, else an error naming the line of the first bad byte.
    private static func decode(_ bytes: [UInt8], path: String) throws -> String {
        func failure(_ line: Int?, _ reason: String) -> VendorCSVError { fileError(path, line, reason) }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        if let text = String(validating: body, as: UTF8.self) { return text }
        let saveAs = "save it from Excel as \"CSV UTF-8\" and try again"
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw failure(nil, "the file is UTF-16 (Excel's \"Unicode text\"), not UTF-8 or Shift_JIS; \(saveAs)")
        }
        if let offset = firstNonShiftJIS(bytes) {
            throw failure(
                lineNumber(at: offset, in: bytes),
                "the file is neither UTF-8 nor Shift_JIS (byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) "
                    + "on this line fits neither); \(saveAs)")
        }
        let text = Charset.cp932.decode(bytes)
        if let bad = text.unicodeScalars.firstIndex(of: "\u{FFFD}") {
            let prefix = Array(String(text.unicodeScalars[..<bad]).utf8)
            throw failure(
                lineNumber(at: prefix.count, in: prefix),
                "the file reads as Shift_JIS but has bytes on this line that are no character in it; \(saveAs)")
        }
        return text
    }

    /// The offset of the first byte out of place in Shift_JIS's structure (lead and trail byte pairs, single-byte
    /// ASCII and half-width katakana), or nil when there is none. cp932 uses the same structure.
    private static func firstNonShiftJIS(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 || (0xA1...0xDF).contains(byte) {
                index += 1
                continue
            }
            let isLead = (0x81...0x9F).contains(byte) || (0xE0...0xFC).contains(byte)
            guard isLead, index + 1 < bytes.count else { return index }
            let trail = bytes[index + 1]
            guard (0x40...0x7E).contains(trail) || (0x80...0xFC).contains(trail) else { return index }
            index += 2
        }
        return nil
    }

    /// The line (from 1) the byte at `offset` is on, counting line breaks as `CSVReader` does (CRLF, LF, lone CR).
    /// 0x0A and 0x0D never occur inside a UTF-8 or Shift_JIS character, so counting bytes is exact.
    private static func lineNumber(at offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        for index in 0..<min(offset, bytes.count) {
            let byte = bytes[index]
            if byte == 0x0A || (byte == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A)) { line += 1 }
        }
        return line
    }

    // MARK: - Header

    /// The column of every field, in order (nil for a column notifier does not read), and the headings of those
    /// ignored. Unnamed, repeated and missing columns are all reported at once.
    private static func columns(of header: CSVReader.Record, path: String) throws -> ([Heading?], [String]) {
        let names = header.fields.map { $0.text.trimmingCharacters(in: .whitespaces) }
        var problems: [VendorCSVError.Problem] = []
        func problem(_ reason: String) {
            problems.append(VendorCSVError.Problem(line: header.line, column: nil, reason: reason))
        }
        guard names.contains(where: { Column(heading: $0) != nil }) else {
            problem(
                "the first line must name the columns, \(Column.layout), but it reads "
                    + shown(names.joined(separator: ",")))
            throw VendorCSVError(path: path, problems: problems)
        }
        var columns: [Heading?] = []
        var ignored: [String] = []
        var positions: [Column: (position: Int, name: String)] = [:]
        for (index, name) in names.enumerated() {
            let position = index + 1
            guard !name.isEmpty else {
                problem("column \(position) of the header has no name (a column needs one; delete it if unused)")
                continue
            }
            guard let column = Column(heading: name) else {
                columns.append(nil)
                ignored.append(name)
                continue
            }
            if let first = positions[column] {
                problem(
                    "columns \(first.position) \(shown(first.name)) and \(position) \(shown(name)) are the same "
                        + "column, \(column.names); keep one of them")
                continue
            }
            positions[column] = (position, name)
            columns.append(Heading(column: column, name: name))
        }
        // A misspelt heading would be ignored, and a misspelt notify_after would send commissioned contractors
        // their notices at once: a heading one typo from a column the header lacks is an error.
        var misspelt: Set<Column> = []
        var unknown: [String] = []
        for name in ignored {
            let key = Array(FullWidth.fold(name).trimmingCharacters(in: .whitespaces).lowercased())
            let lookalikes = Column.allCases.filter { column in
                positions[column] == nil
                    && ([column.rawValue] + column.japanese).contains {
                        $0.count >= 4 && isOneEditApart(key, Array($0))
                    }
            }
            if lookalikes.isEmpty { unknown.append(name) }
            for column in lookalikes {
                misspelt.insert(column)
                problem(
                    "\(shown(name)) looks like \(column.names) misspelt; correct the heading, or rename the column "
                        + "if it is something else")
            }
        }
        for column in Column.allCases where column.isRequired && positions[column] == nil && !misspelt.contains(column)
        {
            problem(
                "no column \(column.names); the header needs vendor_code, name, email and kind "
                    + "(業者コード, 商号又は名称, メールアドレス, 区分), and may have notify_after (通知開始日)")
        }
        if !problems.isEmpty, !unknown.isEmpty {
            problem("notifier does not read the columns " + unknown.map(shown).joined(separator: ", "))
        }
        guard problems.isEmpty else { throw VendorCSVError(path: path, problems: problems) }
        return (columns, ignored)
    }

    /// Whether `a` becomes `b` by one edit: a character changed, added or dropped, or two neighbours swapped.
    private static func isOneEditApart(_ a: [Character], _ b: [Character]) -> Bool {
        guard a != b, abs(a.count - b.count) <= 1 else { return false }
        let prefix = zip(a, b).prefix { $0 == $1 }.count
        if a.count == b.count {
            if a[(prefix + 1)...] == b[(prefix + 1)...] { return true }
            return prefix + 1 < a.count && a[prefix] == b[prefix + 1] && a[prefix + 1] == b[prefix]
                && a[(prefix + 2)...] == b[(prefix + 2)...]
        }
        let (short, long) = a.count < b.count ? (a, b) : (b, a)
        return short[prefix...] == long[(prefix + 1)...]
    }

    // MARK: - Values

    /// 業者コード (`VendorCode`), full-width digits read as ASCII as in notices (`０１２３４５６` is 0123456); a
    /// refused one is explained in the terms of a spreadsheet.
    private static func vendorCode(_ text: String) throws(Reason) -> VendorCode {
        let folded = FullWidth.fold(text)
        if let code = VendorCode(rawValue: folded) { return code }
        guard !text.isEmpty else { throw Reason("is empty; write the 7-digit vendor code, like 0123456") }
        if isASCIIDigits(folded), folded.utf8.count < 7 {
            throw Reason(
                "\(shown(text)) has \(counted(folded.utf8.count, "digit")), not 7 (a spreadsheet drops leading zeros "
                    + "unless the column is formatted as text)")
        }
        throw Reason("\(shown(text)) is not 7 digits like 0123456")
    }

    /// The name the notice is addressed to: one line of text, since it goes into a mail.
    private static func name(_ text: String) throws(Reason) -> String {
        guard !text.isEmpty else { throw Reason("is empty; every vendor needs a name") }
        if let control = text.unicodeScalars.first(where: isControl) {
            let what =
                control == "\n" || control == "\r"
                ? "a line break" : "a control character (\(codePoint(control)))"
            throw Reason("\(shown(text)) has \(what); a name is one line of text")
        }
        return text
    }

    /// A plain addr-spec (RFC 5322 §3.4.1) in ASCII, with a domain of at least two labels (RFC 5321 §2.3.5: mail
    /// goes to fully qualified domains).
    private static func email(_ text: String) throws(Reason) -> String {
        let example = "an address like name@example.jp"
        guard !text.isEmpty else { throw Reason("is empty; write \(example)") }
        if text.unicodeScalars.contains(where: FullWidth.isFullWidth) {
            throw Reason(
                "\(shown(text)) has full-width characters; addresses are ASCII (\(shown(FullWidth.fold(text))))")
        }
        if text.contains("<") || text.contains(">") {
            throw Reason("\(shown(text)) is not \(example) (write the address alone, without a name or <>)")
        }
        let domain = text.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        guard Validation.isAddrSpec(text), domain.contains(".") else {
            throw Reason("\(shown(text)) is not \(example)")
        }
        return text
    }

    /// The registry's 区分: `construction` or 建設, `commissioned` or 委託.
    private static func kind(_ text: String) throws(Reason) -> VendorKind {
        let choices = "construction (建設) or commissioned (委託)"
        guard !text.isEmpty else { throw Reason("is empty; write \(choices)") }
        switch FullWidth.fold(text).lowercased() {
        case "建設": return .construction
        case "委託": return .commissioned
        case let word: if let kind = VendorKind(rawValue: word) { return kind }
        }
        throw Reason("\(shown(text)) is not \(choices)")
    }

    /// `2027-01-15`, `2027/1/15` or `2027年1月15日`, or empty for no date; the year may be a 令和 year
    /// (`令和9年1月15日`, `R9/1/15`, see `JapaneseYear`), and full-width digits are read as ASCII. One-digit months and
    /// days are accepted because Excel in Japan shows and saves dates as `2027/1/15`.
    private static func date(_ text: String) throws(Reason) -> CalendarDate? {
        guard !text.isEmpty else { return nil }
        let folded = FullWidth.fold(text)
        let parts: [Substring]
        if folded.hasSuffix("日"), folded.contains("年"), folded.contains("月") {
            // 2027年1月15日: the year up to 年, the month up to 月, the day up to 日.
            let year = folded.prefix { $0 != "年" }
            let rest = folded.dropFirst(year.count + 1)
            let month = rest.prefix { $0 != "月" }
            parts = [year, month, rest.dropFirst(month.count + 1).dropLast()]
        } else {
            let separator: Character = folded.contains("/") ? "/" : "-"
            parts = folded.split(separator: separator, omittingEmptySubsequences: false)
        }
        let trimmed = parts.map { $0.trimmingCharacters(in: .whitespaces) }
        guard trimmed.count == 3, let year = JapaneseYear(trimmed[0], suffixes: []),
            trimmed.dropFirst().allSatisfy({ isASCIIDigits($0) && (1...2).contains($0.utf8.count) }),
            let month = Int(trimmed[1]), let day = Int(trimmed[2])
        else { throw Reason("\(shown(text)) is not a date like 2027-01-15, 2027/1/15 or 2027年1月15日") }
        guard let date = CalendarDate(year: year.year, month: month, day: day) else {
            throw Reason("\(shown(text)) is not a real date (no such day in the calendar)")
        }
        if year.isReiwa, date < JapaneseYear.reiwaFirstDay {
            throw Reason("\(shown(text)) is before 令和 began (令和元年5月1日, 2019-05-01)")
        }
        return date
    }

    // MARK: - Text helpers

    private static func isASCIIDigits<Text: StringProtocol>(_ text: Text) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// C0, DEL and C1 controls, and the Unicode line and paragraph separators, none of which belong in a mail header.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        TextSafety.isForbidden(scalar)
    }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// A value as the message quotes it: in single quotes, control characters escaped so the message stays one line
    /// per problem, and long values cut short.
    private static func shown(_ text: String) -> String {
        let limit = 40
        var result = ""
        for (count, scalar) in text.unicodeScalars.enumerated() {
            if count == limit {
                result += "…"
                break
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return "'\(result)'"
    }
}
