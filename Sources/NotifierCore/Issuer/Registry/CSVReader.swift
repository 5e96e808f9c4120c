/// Splits text into CSV records as RFC 4180 §2 defines them, remembering the line each field starts on so that an
/// error can point a person at the right line of the file even when a quoted field spans several lines.
///
/// Beyond RFC 4180: LF and a lone CR end a record as CRLF does (files edited on Unix or old Macs), and spaces or tabs
/// around a quoted field are ignored (hand-written `"a", "b"`). Anything else malformed stops the reading: after a
/// stray quote every later field would be misread, so reporting further errors would only mislead.
enum CSVReader {
    /// One field as written, with its quotes removed and `""` turned into `"`.
    struct Field: Equatable, Sendable {
        package var text: String
        /// The line of the file the field starts on, counted from 1.
        var line: Int
    }

    /// One record, with the line it starts on.
    struct Record: Equatable, Sendable {
        var line: Int
        var fields: [Field]

        /// A line with nothing on it, or only separators and spaces (spreadsheets write `,,,,` for empty rows).
        var isBlank: Bool {
            fields.allSatisfy { $0.text.unicodeScalars.allSatisfy { $0.properties.isWhitespace } }
        }
    }

    /// Text that cannot be read as CSV at all, with the line to look at.
    struct SyntaxError: Error, Equatable {
        let line: Int
        package let reason: String
    }

    private enum State {
        case fieldStart, unquoted, quoted, afterQuote
    }

    /// Every record of `text`, blank ones included (the caller decides what a blank line means). A final line break
    /// does not start another record (RFC 4180 §2.2).
    static func records(_ text: String) throws(SyntaxError) -> [Record] {
        let scalars = Array(text.unicodeScalars)
        var records: [Record] = []
        var fields: [Field] = []
        var current = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var fieldLine = 1
        var quoteLine = 1
        var state = State.fieldStart
        var index = 0

        func endField() {
            fields.append(Field(text: String(current), line: fieldLine))
            current = String.UnicodeScalarView()
        }
        /// Ends the record at a line break (CRLF, LF or a lone CR) and moves past it.
        func endRecord() {
            endField()
            records.append(Record(line: recordLine, fields: fields))
            fields = []
            if scalars[index] == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
            line += 1
            recordLine = line
        }
        /// Ends the field at a comma, or the record at a line break; false when `scalar` is neither.
        func separates(_ scalar: Unicode.Scalar) -> Bool {
            if scalar == "," {
                endField()
            } else if scalar == "\n" || scalar == "\r" {
                endRecord()
            } else {
                return false
            }
            state = .fieldStart
            return true
        }

        while index < scalars.count {
            let scalar = scalars[index]
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch state {
            case .fieldStart, .unquoted:
                if state == .fieldStart {
                    fieldLine = line
                    state = .unquoted
                }
                if separates(scalar) { break }
                if scalar == "\"" {
                    guard current.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                        throw SyntaxError(
                            line: line,
                            reason: "a quote (\") inside a field that does not start with one; quote the whole field "
                                + "and write the quote twice (\"\"), RFC 4180 §2.5-2.7")
                    }
                    current = String.UnicodeScalarView()
                    quoteLine = line
                    state = .quoted
                } else {
                    current.append(scalar)
                }
            case .quoted:
                if scalar == "\"" {
                    if next == "\"" {
                        current.append(scalar)
                        index += 1
                    } else {
                        state = .afterQuote
                    }
                } else {
                    // A line break inside quotes is part of the field (RFC 4180 §2.6) but still a line of the file.
                    if scalar == "\n" || (scalar == "\r" && next != "\n") { line += 1 }
                    current.append(scalar)
                }
            case .afterQuote:
                if !separates(scalar) && scalar != " " && scalar != "\t" {
                    throw SyntaxError(
                        line: line,
                        reason: "text after the closing quote of a field; a quote inside a quoted field is written "
                            + "twice (\"\"), RFC 4180 §2.7")
                }
            }
            index += 1
        }

        switch state {
        case .quoted:
            throw SyntaxError(
                line: quoteLine,
                reason: "a quoted field is never closed: the quote (\") opened here has no closing quote")
        case .fieldStart where fields.isEmpty:
            break  // the text ended with a line break, or was empty
        default:
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}
