import Foundation
import MailParse

/// How `notices report` writes its rows: CSV that Excel opens as it is (UTF-8 with a BOM, or cp932, CRLF line
/// ends), or JSON Lines for programs. Pure: rows in, bytes out, nothing printed.
///
/// CSV follows RFC 4180: a field holding a comma, a double quote, CR or LF is quoted and its quotes doubled, so a
/// diagnostic's line break stays inside its cell. Text from outside (names, addresses, bounce status and
/// diagnostics, wave names) that starts with `=`, `+`, `-`, `@`, TAB or CR (or a full-width `＝＋－＠`, which
/// Japanese Excel reads as the same) gets a leading apostrophe, so that Excel shows it rather than runs it as a
/// formula (OWASP's advice against CSV injection). JSON keeps every value as it is.
/// - SeeAlso: RFC 4180; https://owasp.org/www-community/attacks/CSV_Injection
package struct NoticeReportWriter {
    /// The output's shape.
    package enum Format: Equatable, Sendable {
        case csv(CSVEncoding)
        /// One JSON object per line, UTF-8.
        case json
    }

    /// The character encoding of the CSV.
    package enum CSVEncoding: String, CaseIterable, Sendable {
        /// UTF-8 with a byte order mark, which is how Excel knows it is UTF-8.
        case utf8 = "utf-8"
        /// Shift_JIS as Windows writes it (Windows-31J), no BOM: for older Excel and other Windows tools.
        case cp932
    }

    /// One vendor's line, and the columns in which the encoding could not hold some character (written as `?`).
    package struct Line: Equatable {
        package var bytes: [UInt8]
        package var replacedColumns: [String]
    }

    package let format: Format
    /// The converter to cp932; nil for UTF-8.
    private let encoder: IconvEncoder?

    package init(format: Format) throws(CharsetUnavailableError) {
        self.format = format
        if format == .csv(.cp932) {
            guard let encoder = IconvEncoder(charset: "CP932") else { throw CharsetUnavailableError(charset: "CP932") }
            self.encoder = encoder
        } else {
            encoder = nil
        }
    }

    /// What comes before the first row: the BOM and the header line for CSV, nothing for JSON Lines.
    package var header: [UInt8] {
        switch format {
        case .json: return []
        case .csv(let encoding):
            let bom: [UInt8] = encoding == .utf8 ? [0xEF, 0xBB, 0xBF] : []
            return bom + Array((NoticeReport.columns.joined(separator: ",") + "\r\n").utf8)
        }
    }

    /// One vendor's line, with its line end.
    package func line(_ row: NoticeReport.VendorRow) -> Line {
        switch format {
        case .json: return Line(bytes: Array((Self.json(row) + "\n").utf8), replacedColumns: [])
        case .csv: return csv(row)
        }
    }

    /// The row as one JSON object: the columns' keys in order, times in ISO 8601 at +09:00, `reminded` an array
    /// (empty when none), every other empty value null.
    static func json(_ row: NoticeReport.VendorRow) -> String {
        var line = JSONLine()
        line.add("vendor_code", row.vendorCode.rawValue)
        line.add("name", row.name)
        line.add("email", row.email)
        line.add("kind", row.kind.rawValue)
        line.add("state", row.state?.rawValue)
        line.add("sent_at", row.sentAt.map(JapanClock.iso8601(seconds:)))
        line.add("bounce_status", row.bounceStatus)
        line.add("bounce_diagnostic", row.bounceDiagnostic)
        line.add("reminded", row.reminded)
        line.add("otp_issued_at", row.otpIssuedAt.map(JapanClock.iso8601(seconds:)))
        line.add("downloaded_at", row.downloadedAt.map(JapanClock.iso8601(seconds:)))
        line.add("needs_action", row.needsAction?.rawValue)
        return line.line
    }

    /// The row's CSV cells, in the columns' order, each with whether it is text from outside.
    static func cells(_ row: NoticeReport.VendorRow) -> [(text: String, outside: Bool)] {
        [
            (row.vendorCode.rawValue, false), (row.name, true), (row.email, true), (row.kind.rawValue, false),
            (row.state?.rawValue ?? "", false), (row.sentAt.map(spreadsheetTime) ?? "", false),
            (row.bounceStatus ?? "", true), (row.bounceDiagnostic ?? "", true),
            (row.reminded.joined(separator: " "), true), (row.otpIssuedAt.map(spreadsheetTime) ?? "", false),
            (row.downloadedAt.map(spreadsheetTime) ?? "", false), (row.needsAction?.rawValue ?? "", false),
        ]
    }

    private func csv(_ row: NoticeReport.VendorRow) -> Line {
        var line = Line(bytes: [], replacedColumns: [])
        line.bytes.reserveCapacity(256)
        for (index, cell) in Self.cells(row).enumerated() {
            if index > 0 { line.bytes.append(0x2C) }
            let text = Self.field(cell.text, neutralized: cell.outside)
            if let encoder {
                let encoded = encoder.encode(text)
                line.bytes += encoded.bytes
                if encoded.replaced > 0 { line.replacedColumns.append(NoticeReport.columns[index]) }
            } else {
                line.bytes += text.utf8
            }
        }
        line.bytes += [0x0D, 0x0A]
        return line
    }

    /// The first characters that make Excel read a cell as a formula (or the start of one).
    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]

    /// One CSV field: an apostrophe first when `neutralized` text would start a formula, then quoted as RFC 4180
    /// says when it holds a comma, a quote, CR or LF.
    static func field(_ text: String, neutralized: Bool) -> String {
        var text = text
        if neutralized, let first = text.unicodeScalars.first, formulaStarts.contains(first) { text = "'" + text }
        // Bytes, not Characters: "\r\n" is one Character, which contains neither "\r" nor "\n".
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted += "\"" }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    /// `2027-01-28 14:35`, Japan time: a form Excel takes for a date and time.
    static func spreadsheetTime(_ seconds: Int64) -> String {
        let parts = JapanClock.calendar.dateComponents(
            [.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute))"
    }
}

/// The C library's iconv cannot convert to a charset notifier needs (its gconv modules are missing).
package struct CharsetUnavailableError: NotifierError, Equatable {
    package let charset: String
    package var message: String {
        "this system's iconv cannot convert to \(charset) (are the C library's gconv modules installed?); "
            + "write UTF-8 instead (--encoding utf-8)"
    }
}
