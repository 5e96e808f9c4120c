import Foundation

/// Writes an `OutgoingMessage` as RFC 5322 bytes with CRLF line ends: Date in Japan time, Message-ID, MIME-Version,
/// From/To with RFC 2047 display names, the Subject as encoded words of at most 75 characters split between
/// characters, and the body as UTF-8 base64 or ISO-2022-JP 7bit, no line over 78 octets but where a URL or another
/// unbreakable ASCII run is longer (RFC 5322 §2.1.1 allows 998).
///
/// ISO-2022-JP holds only JIS X 0208 (with the NEC row 13 Windows adds). WAVE DASH (U+301C) is written as FULLWIDTH
/// TILDE (U+FF5E, JIS 0x2141: the same glyph in Japanese fonts, and what Windows reads back); a text that still does
/// not fit (half-width katakana, 髙, emoji) goes out as UTF-8 instead, never with characters lost.
/// - SeeAlso: RFC 5322 §2.1.1, §2.2.3, §3.3, §3.6; RFC 2045 §6.8; RFC 2047 §2, §5; RFC 1468
public struct MessageWriter: Sendable {
    public init() {}

    /// The message on the wire. Throws when a value would break the header structure (CR, LF or another control
    /// character, an address that is not a plain `local@domain`).
    public func write(_ message: OutgoingMessage) throws -> [UInt8] {
        var lines: [String] = []
        var charset = message.charset
        var iso2022Body: [[UInt8]]?
        if charset == .iso2022JP {
            iso2022Body = Self.iso2022JPLines(message.body)
            if iso2022Body == nil { charset = .utf8 }
        }

        lines.append("Date: " + JapanClock.rfc5322(message.date))
        lines += try Self.addressField("From", [message.from])
        lines += try Self.addressField("To", message.to)
        lines += try Self.unstructuredField("Subject", message.subject, iso2022JP: charset == .iso2022JP)
        try Self.checkHeaderValue(message.messageID, field: "Message-ID")
        guard !message.messageID.contains(where: { $0 == "<" || $0 == ">" || $0 == " " }),
            message.messageID.utf8.contains(UInt8(ascii: "@"))
        else {
            throw MessageWriterError(field: "Message-ID", reason: "'\(message.messageID)' is not of the form id@domain")
        }
        lines.append("Message-ID: <\(message.messageID)>")
        lines.append("MIME-Version: 1.0")
        for (name, value) in message.extraHeaders {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != ASCII.colon }) else {
                throw MessageWriterError(field: name, reason: "not a valid header field name")
            }
            lines += try Self.unstructuredField(name, value, iso2022JP: false)
        }
        switch charset {
        case .utf8:
            lines.append("Content-Type: text/plain; charset=UTF-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            var output = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
            let encoded = EncodedWordWriter.base64Bytes(Self.crlfBytes(message.body))
            output.reserveCapacity(output.count + encoded.count + encoded.count / 76 * 2 + 2)
            var start = 0
            while start < encoded.count {
                let end = min(start + 76, encoded.count)
                output += encoded[start..<end]
                output += [ASCII.cr, ASCII.lf]
                start = end
            }
            return output
        case .iso2022JP:
            lines.append("Content-Type: text/plain; charset=ISO-2022-JP")
            lines.append("Content-Transfer-Encoding: 7bit")
            lines.append("")
            var output = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
            for line in iso2022Body ?? [] {
                output += line
                output += [ASCII.cr, ASCII.lf]
            }
            return output
        }
    }

    // MARK: - Header fields

    /// Refuses what would let a value end its field or start another, in any reader: CR and LF, but also NEL and
    /// the Unicode line and paragraph separators, and every other control (`TextSafety`).
    static func checkHeaderValue(_ value: String, field: String) throws {
        if let scalar = TextSafety.firstForbidden(in: value) {
            let what =
                scalar == "\r"
                ? "a CR"
                : scalar == "\n"
                    ? "a line feed"
                    : TextSafety.breaksLines(scalar)
                        ? "a line break (\(TextSafety.describe(scalar)))"
                        : "a control character (\(TextSafety.describe(scalar)))"
            throw MessageWriterError(field: field, reason: "the value contains \(what); header injection refused")
        }
    }

    static func addressField(_ name: String, _ mailboxes: [Mailbox]) throws -> [String] {
        guard !mailboxes.isEmpty else { throw MessageWriterError(field: name, reason: "no address") }
        var items: [String] = []
        for mailbox in mailboxes {
            let address = mailbox.addrSpec
            guard Self.isPlainAddrSpec(address) else {
                throw MessageWriterError(field: name, reason: "'\(address)' is not a plain ASCII address local@domain")
            }
            guard let display = mailbox.displayName, !display.isEmpty else {
                items.append(address)
                continue
            }
            try checkHeaderValue(display, field: name)
            if EncodedWordWriter.needsEncoding(display) {
                items.append(EncodedWordWriter.encode(display).joined(separator: " ") + " <\(address)>")
            } else if display.contains(where: { "()<>[]:;@\\,.\"".contains($0) }) {
                let escaped = display.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "\"", with: "\\\"")
                items.append("\"\(escaped)\" <\(address)>")
            } else {
                items.append("\(display) <\(address)>")
            }
        }
        return fold(name + ": " + items.joined(separator: ", "))
    }

    /// An unstructured field (Subject and the like): as it is when it is plain ASCII, else encoded words, one per
    /// line after the first so that every line stays within 78 characters.
    static func unstructuredField(_ name: String, _ value: String, iso2022JP: Bool) throws -> [String] {
        try checkHeaderValue(value, field: name)
        guard EncodedWordWriter.needsEncoding(value) else { return fold(name + ": " + value) }
        let firstLimit = min(75, 78 - name.count - 2)
        var words = iso2022JP ? iso2022JPWords(value, firstLimit: firstLimit) : nil
        if words == nil {
            let first = EncodedWordWriter.encode(value, maxLength: firstLimit).first ?? ""
            // The first word is sized for the field name beside it, the rest for a line of their own.
            let firstText = decodedPrefixLength(value, maxLength: firstLimit)
            words =
                [first]
                + (firstText < value.count
                    ? EncodedWordWriter.encode(String(value.dropFirst(firstText)), maxLength: 75) : [])
        }
        guard let words else { return [] }
        return ["\(name): \(words[0])"] + words.dropFirst().map { " " + $0 }
    }

    /// How many characters of `value` the first UTF-8 encoded word of at most `maxLength` holds.
    private static func decodedPrefixLength(_ value: String, maxLength: Int) -> Int {
        let maxBytes = (maxLength - 12) / 4 * 3
        var bytes = 0
        var count = 0
        for character in value {
            let size = character.utf8.count
            if count > 0 && bytes + size > maxBytes { break }
            bytes += size
            count += 1
        }
        return count
    }

    /// ISO-2022-JP encoded words, each a complete shift sequence (ESC $ B ... ESC ( B) of whole characters; nil when
    /// a character cannot be written in ISO-2022-JP.
    private static func iso2022JPWords(_ value: String, firstLimit: Int) -> [String]? {
        let prefix = "=?ISO-2022-JP?B?"
        var words: [String] = []
        var chunk = ""
        var limit = firstLimit
        func word(_ text: String) -> String? {
            guard let data = iso2022JPData(text) else { return nil }
            return prefix + EncodedWordWriter.base64(Array(data)) + "?="
        }
        for character in value {
            guard let single = word(String(character)), single.count <= limit else { return nil }
            if let candidate = word(chunk + String(character)), candidate.count <= limit {
                chunk.append(character)
            } else {
                guard let done = word(chunk) else { return nil }
                words.append(done)
                limit = 75
                chunk = String(character)
            }
        }
        if !chunk.isEmpty {
            guard let done = word(chunk) else { return nil }
            words.append(done)
        }
        return words.isEmpty ? nil : words
    }

    /// Folds a structured or plain field at spaces so that lines stay within 78 characters where possible.
    static func fold(_ line: String) -> [String] {
        guard line.count > 78 else { return [line] }
        var lines: [String] = []
        var current = ""
        for (index, piece) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index == 0 {
                current = String(piece)
            } else if current.count + 1 + piece.count > 78 && !current.trimmingCharacters(in: .whitespaces).isEmpty {
                lines.append(current)
                current = " " + piece
            } else {
                current += " " + piece
            }
        }
        lines.append(current)
        return lines
    }

    static func isPlainAddrSpec(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return address.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"<>()[],;:\"\\ ".utf8.contains(byte)
        }
    }

    // MARK: - Date

    // MARK: - ISO-2022-JP body

    /// The text's UTF-8 with every line end (LF, CR or CRLF) written as CRLF, in one pass: the canonical form of
    /// text that base64 encodes (RFC 2045 §6.8).
    static func crlfBytes(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 32)
        var previousCR = false
        for byte in text.utf8 {
            if byte == ASCII.lf {
                if !previousCR { output.append(ASCII.cr) }
                output.append(ASCII.lf)
                previousCR = false
            } else {
                if previousCR { output.append(ASCII.lf) }
                if byte == ASCII.cr {
                    output.append(ASCII.cr)
                    previousCR = true
                } else {
                    output.append(byte)
                    previousCR = false
                }
            }
        }
        if previousCR { output.append(ASCII.lf) }
        return output
    }

    static func normalizedLineEnds(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// WAVE DASH to FULLWIDTH TILDE, then Foundation's encoder; nil when a character has no ISO-2022-JP form.
    static func iso2022JPData(_ text: String) -> Data? {
        text.replacingOccurrences(of: "\u{301C}", with: "\u{FF5E}").data(using: .iso2022JP)
    }

    /// The body as ISO-2022-JP lines of at most 78 octets, broken after 、 。 or a space where a line is longer
    /// (never inside an ASCII run, so a URL or a code stays whole); nil when the text cannot be written in
    /// ISO-2022-JP.
    static func iso2022JPLines(_ body: String) -> [[UInt8]]? {
        var result: [[UInt8]] = []
        var text = normalizedLineEnds(body)
        if text.hasSuffix("\n") { text.removeLast() }  // the last line's end, not an empty line after it
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let whole = iso2022JPData(String(line)) else { return nil }
            if whole.count <= 78 {
                result.append(Array(whole))
                continue
            }
            var rest = Substring(line)
            while !rest.isEmpty {
                guard let data = iso2022JPData(String(rest)) else { return nil }
                if data.count <= 78 {
                    result.append(Array(data))
                    break
                }
                // The longest prefix ending at a break opportunity that fits.
                var cut: Substring.Index?
                var index = rest.startIndex
                while index < rest.endIndex {
                    let next = rest.index(after: index)
                    if "、。 ".contains(rest[index]), let piece = iso2022JPData(String(rest[..<next])), piece.count <= 78
                    {
                        cut = next
                    }
                    if let piece = iso2022JPData(String(rest[..<next])), piece.count > 78 { break }
                    index = next
                }
                guard let at = cut, let piece = iso2022JPData(String(rest[..<at])) else {
                    result.append(Array(data))  // no break opportunity: one long line (within RFC 5322's 998)
                    break
                }
                result.append(Array(piece))
                rest = rest[at...]
            }
        }
        return result
    }
}
