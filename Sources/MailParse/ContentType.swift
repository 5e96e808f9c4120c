/// A Content-Type (or Content-Disposition) value: the type, subtype and parameters in their order.
/// - SeeAlso: RFC 2045 §5.1, RFC 2183, RFC 2231
public struct ContentType: Sendable, Equatable {
    /// Lower-cased, e.g. "text".
    public let type: String
    /// Lower-cased, e.g. "plain".
    public let subtype: String
    /// Parameters in order, names lower-cased, RFC 2231 continuations joined and decoded.
    public let parameters: [(name: String, value: String)]

    public static func == (lhs: ContentType, rhs: ContentType) -> Bool {
        lhs.type == rhs.type && lhs.subtype == rhs.subtype
            && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }

    public init(type: String, subtype: String, parameters: [(name: String, value: String)] = []) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// text/plain; charset=us-ascii, what a part without a usable Content-Type is (RFC 2045 §5.2).
    public static let defaultText = ContentType(type: "text", subtype: "plain", parameters: [("charset", "us-ascii")])
    /// The default inside multipart/digest (RFC 2046 §5.1.5).
    public static let defaultDigestPart = ContentType(type: "message", subtype: "rfc822")

    public var mimeType: String { "\(type)/\(subtype)" }

    /// The first parameter with this (lower-case) name.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Parses a Content-Type value; nil when there is no `type/subtype` (the caller then uses the default).
    public static func parse(_ raw: ArraySlice<UInt8>) -> ContentType? {
        var scanner = ParameterScanner(bytes: Array(raw))
        guard let type = scanner.token(), scanner.consume(0x2F), let subtype = scanner.token() else { return nil }
        return ContentType(
            type: type.lowercased(), subtype: subtype.lowercased(), parameters: scanner.parameters())
    }

    /// Parses a Content-Disposition value (`attachment; filename=...`): the disposition goes into `type`.
    public static func parseDisposition(_ raw: ArraySlice<UInt8>) -> ContentType? {
        var scanner = ParameterScanner(bytes: Array(raw))
        guard let disposition = scanner.token() else { return nil }
        return ContentType(type: disposition.lowercased(), subtype: "", parameters: scanner.parameters())
    }
}

/// Reads tokens and `; name=value` parameters, skipping comments and white space (CFWS).
struct ParameterScanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// tspecials of RFC 2045 §5.1, which end a token.
    private static func isTSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x28, 0x29, 0x3C, 0x3E, 0x40, 0x2C, ASCII.semicolon, ASCII.colon, ASCII.backslash, ASCII.quote, 0x2F,
            0x5B, 0x5D, ASCII.question, ASCII.equals:
            return true
        default:
            return false
        }
    }

    mutating func skipCFWS() {
        while index < bytes.count {
            if ASCII.isWhitespace(bytes[index]) {
                index += 1
            } else if bytes[index] == 0x28 {
                var depth = 0
                while index < bytes.count {
                    if bytes[index] == ASCII.backslash {
                        index += 2
                        continue
                    }
                    if bytes[index] == 0x28 { depth += 1 }
                    if bytes[index] == 0x29 {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            break
                        }
                    }
                    index += 1
                }
            } else {
                return
            }
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        skipCFWS()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func token() -> String? {
        skipCFWS()
        let start = index
        while index < bytes.count, bytes[index] > ASCII.space, bytes[index] != 0x7F, !Self.isTSpecial(bytes[index]) {
            index += 1
        }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    /// quoted-string or a lenient bare value: up to the next ";" (seen in practice: unquoted values with spaces or
    /// tspecials, e.g. `name=report 2027.pdf`).
    mutating func value() -> String {
        skipCFWS()
        guard index < bytes.count else { return "" }
        if bytes[index] == ASCII.quote {
            index += 1
            var value: [UInt8] = []
            while index < bytes.count, bytes[index] != ASCII.quote {
                if bytes[index] == ASCII.backslash, index + 1 < bytes.count { index += 1 }
                value.append(bytes[index])
                index += 1
            }
            index += 1
            return EncodedWords.headerText(value[...])
        }
        let start = index
        while index < bytes.count, bytes[index] != ASCII.semicolon { index += 1 }
        return EncodedWords.headerText(ASCII.trimmed(bytes[start..<index]))
    }

    private struct Segment {
        var name: String
        var number: Int?
        var extended: Bool
        var value: String
    }

    /// `*( ";" parameter )`, with RFC 2231 continuations (`name*0`, `name*1*`) joined in order and extended values
    /// (`charset'language'%XX`) decoded; RFC 2047 words in values are decoded too (seen in practice from Japanese
    /// mailers for file names).
    mutating func parameters() -> [(name: String, value: String)] {
        var segments: [Segment] = []
        while index < bytes.count {
            guard consume(ASCII.semicolon) else {
                // junk between parameters: skip to the next ";"
                while index < bytes.count, bytes[index] != ASCII.semicolon { index += 1 }
                continue
            }
            guard let rawName = token() else { continue }
            guard consume(ASCII.equals) else { continue }
            var name = rawName.lowercased()
            var extended = false
            var number: Int?
            if name.hasSuffix("*") {
                extended = true
                name.removeLast()
            }
            if let star = name.lastIndex(of: "*"), let parsed = Int(name[name.index(after: star)...]), parsed >= 0 {
                number = parsed
                name = String(name[..<star])
            }
            segments.append(Segment(name: name, number: number, extended: extended, value: value()))
            if segments.count > 1_000 { break }
        }
        var result: [(name: String, value: String)] = []
        var seen = Set<String>()
        for segment in segments where !seen.contains(segment.name) {
            seen.insert(segment.name)
            let parts = segments.filter { $0.name == segment.name }
            let continued = parts.filter { $0.number != nil }.sorted { $0.number! < $1.number! }
            if continued.isEmpty || parts.contains(where: { $0.number == nil }) {
                // A plain or extended single value (RFC 2231 §4); if both forms are present the first wins.
                let first = parts[0]
                result.append((segment.name, first.extended ? Self.decodeExtended(first.value) : decoded(first.value)))
                continue
            }
            // Continuations: percent-decoded bytes of extended segments, in the charset of segment 0 (§4.1).
            var charset: String?
            var bytes: [UInt8] = []
            for (position, part) in continued.enumerated() {
                if part.extended {
                    var text = part.value
                    if position == 0 {
                        let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                        if pieces.count == 3 {
                            charset = String(pieces[0])
                            text = String(pieces[2])
                        }
                    }
                    bytes += Self.percentDecoded(text)
                } else {
                    bytes += Array(part.value.utf8)
                }
            }
            result.append((segment.name, Charset.decode(bytes, label: charset)))
        }
        return result
    }

    private func decoded(_ value: String) -> String {
        value.contains("=?") ? EncodedWords.decode(value) : value
    }

    /// `charset'language'percent-encoded` (RFC 2231 §4).
    static func decodeExtended(_ value: String) -> String {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return value }
        return Charset.decode(percentDecoded(String(pieces[2])), label: String(pieces[0]))
    }

    static func percentDecoded(_ text: String) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == 0x25, index + 2 < input.count, let high = ASCII.hexValue(input[index + 1]),
                let low = ASCII.hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }
}
