import Foundation
import MailParse

/// Reads the issuer's vendor list, a CSV file as people keep it in Excel, into registry records: all or nothing, so
/// that a half-read list never sends notices to some vendors and silently skips the rest.
///
/// The header row names the columns (any order, any case): `vendor_code`, `name`, `email`, `kind` and, optionally,
/// `notify_after`. The text is UTF-8 (with or without a BOM) or Shift_JIS as Windows writes it (cp932, what Excel
/// saves in Japan); the CSV syntax is RFC 4180's (see `CSVReader`). Spaces and tabs around a value are dropped.
package enum VendorCSV {
    /// The columns a vendor list may have, as the header spells them.
    private enum Column: String, CaseIterable {
        case vendorCode = "vendor_code"
        case name
        case email
        case kind
        case notifyAfter = "notify_after"

        var isRequired: Bool { self != .notifyAfter }
        static let layout = "vendor_code,name,email,kind[,notify_after]"
    }

    /// Why one value is wrong; the caller adds the file, line and column.
    private struct Reason: Error {
        package let text: String
        init(_ text: String) { self.text = text }
    }

    /// The vendors in `bytes`, the contents of the file at `path` (used only in messages), in file order.
    /// - Throws: `VendorCSVError` listing every problem found; no record is returned unless every row is good.
    package static func parse(_ bytes: [UInt8], path: String) throws -> [VendorRecord] {
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
        let columns = try self.columns(of: header, path: path)
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
                        reason: "\(count) field\(count == 1 ? "" : "s"), but the header names \(columns.count) columns "
                            + "(\(hint))"))
                continue
            }
            let fields = Dictionary(uniqueKeysWithValues: zip(columns, row.fields))
            let before = problems.count
            /// The column's checked value; nil when the column is absent or its value is wrong (then noted).
            func read<Value>(_ column: Column, _ check: (String) throws(Reason) -> Value) -> Value? {
                guard let field = fields[column] else { return nil }
                do {
                    return try check(field.text.trimmingCharacters(in: .whitespaces))
                } catch {
                    problems.append(
                        VendorCSVError.Problem(line: field.line, column: column.rawValue, reason: error.text))
                    return nil
                }
            }
            let code = read(.vendorCode, vendorCode)
            let name = read(.name, self.name)
            let email = read(.email, self.email)
            let kind = read(.kind, self.kind)
            let notifyAfter = read(.notifyAfter, date) ?? nil
            if let code, let line = fields[.vendorCode]?.line {
                if let first = codeLines[code] {
                    problems.append(
                        VendorCSVError.Problem(
                            line: line, column: Column.vendorCode.rawValue,
                            reason: "\(shown(code.rawValue)) is already on line \(first); each vendor is listed once"))
                } else {
                    codeLines[code] = line
                }
            }
            guard problems.count == before, let code, let name, let email, let kind else { continue }
            vendors.append(VendorRecord(code: code, name: name, email: email, kind: kind, notifyAfter: notifyAfter))
        }
        guard problems.isEmpty else { throw VendorCSVError(path: path, problems: problems) }
        return vendors
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

    /// The column of every field, in order. Unknown, unnamed, repeated and missing columns are all reported at once.
    private static func columns(of header: CSVReader.Record, path: String) throws -> [Column] {
        let known = Column.allCases.map(\.rawValue).joined(separator: ", ")
        let names = header.fields.map { $0.text.trimmingCharacters(in: .whitespaces) }
        var problems: [VendorCSVError.Problem] = []
        func problem(_ reason: String) {
            problems.append(VendorCSVError.Problem(line: header.line, column: nil, reason: reason))
        }
        guard names.contains(where: { Column(rawValue: $0.lowercased()) != nil }) else {
            problem(
                "the first line must name the columns, \(Column.layout), but it reads "
                    + shown(names.joined(separator: ",")))
            throw VendorCSVError(path: path, problems: problems)
        }
        var columns: [Column] = []
        var positions: [Column: Int] = [:]
        for (index, name) in names.enumerated() {
            let position = index + 1
            guard !name.isEmpty else {
                problem("column \(position) of the header has no name (known columns: \(known))")
                continue
            }
            guard let column = Column(rawValue: name.lowercased()) else {
                problem("unknown column \(shown(name)) (known columns: \(known))")
                continue
            }
            if let first = positions[column] {
                problem("column \(column.rawValue) is named twice (columns \(first) and \(position))")
                continue
            }
            positions[column] = position
            columns.append(column)
        }
        for column in Column.allCases where column.isRequired && positions[column] == nil {
            problem(
                "no column \(column.rawValue) (the header needs vendor_code, name, email and kind; "
                    + "notify_after may be left out)")
        }
        guard problems.isEmpty else { throw VendorCSVError(path: path, problems: problems) }
        return columns
    }

    // MARK: - Values

    /// 業者コード (`VendorCode`); a refused one is explained in the terms of a spreadsheet.
    private static func vendorCode(_ text: String) throws(Reason) -> VendorCode {
        if let code = VendorCode(rawValue: text) { return code }
        guard !text.isEmpty else { throw Reason("is empty; write the 7-digit vendor code, like 0123456") }
        if text.unicodeScalars.contains(where: { (0xFF10...0xFF19).contains($0.value) }) {
            throw Reason("\(shown(text)) has full-width digits; write ASCII digits (\(shown(halfWidth(text))))")
        }
        if isASCIIDigits(text), text.utf8.count < 7 {
            throw Reason(
                "\(shown(text)) has \(text.utf8.count) digits, not 7 (a spreadsheet drops leading zeros "
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
        if text.unicodeScalars.contains(where: isFullWidth) {
            throw Reason("\(shown(text)) has full-width characters; addresses are ASCII (\(shown(halfWidth(text))))")
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

    private static func kind(_ text: String) throws(Reason) -> VendorKind {
        let choices = VendorKind.allCases.map(\.rawValue).joined(separator: " or ")
        guard !text.isEmpty else { throw Reason("is empty; write \(choices)") }
        guard let kind = VendorKind(rawValue: text.lowercased()) else {
            throw Reason("\(shown(text)) is not \(choices)")
        }
        return kind
    }

    /// `YYYY-MM-DD` or `YYYY/MM/DD`, or empty for no date. One-digit months and days are accepted because Excel in
    /// Japan shows and saves dates as `2027/1/15`.
    private static func date(_ text: String) throws(Reason) -> CalendarDate? {
        guard !text.isEmpty else { return nil }
        if text.unicodeScalars.contains(where: isFullWidth) {
            throw Reason("\(shown(text)) has full-width characters; write ASCII (\(shown(halfWidth(text))))")
        }
        let separator: Character = text.contains("/") ? "/" : "-"
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        let lengths = [4...4, 1...2, 1...2]
        guard parts.count == 3,
            zip(parts, lengths).allSatisfy({ isASCIIDigits($0) && $1.contains($0.utf8.count) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { throw Reason("\(shown(text)) is not a date like 2027-01-15 or 2027/01/15") }
        guard let date = CalendarDate(year: year, month: month, day: day) else {
            throw Reason("\(shown(text)) is not a real date (no such day in the calendar)")
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

    /// Full-width forms of ASCII (U+FF01-U+FF5E) and the ideographic space, which a Japanese IME types by default.
    private static func isFullWidth(_ scalar: Unicode.Scalar) -> Bool {
        (0xFF01...0xFF5E).contains(scalar.value) || scalar == "\u{3000}"
    }

    /// The text with full-width ASCII forms turned into ASCII, to show the person what to write instead.
    private static func halfWidth(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    if scalar == "\u{3000}" { return " " }
                    guard (0xFF01...0xFF5E).contains(scalar.value) else { return scalar }
                    return Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar
                }))
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
