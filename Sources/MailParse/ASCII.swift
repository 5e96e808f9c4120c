/// Byte-level helpers shared by the parsers. Mail grammar is defined over octets (RFC 5322 §2), so the parsers work
/// on `[UInt8]` slices and only build `String`s for values a caller asks for.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let backslash: UInt8 = 0x5C
    static let esc: UInt8 = 0x1B

    /// WSP as RFC 5234 defines it: space or horizontal tab.
    @inline(__always)
    static func isWSP(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == cr || byte == lf }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 { (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// A lower-cased `String` of ASCII bytes; other bytes become U+FFFD so a hostile label cannot smuggle anything.
    static func lowercasedString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes.map { $0 < 0x80 ? lower($0) : 0x3F }, as: UTF8.self)
    }

    /// Case-insensitive comparison of ASCII bytes with a lower-case ASCII literal.
    static func equalsLowercase<C: Collection>(_ bytes: C, _ literal: StaticString) -> Bool where C.Element == UInt8 {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        var index = 0
        let base = literal.utf8Start
        for byte in bytes {
            if lower(byte) != base[index] { return false }
            index += 1
        }
        return true
    }

    /// The slice without leading and trailing white space (SP, HTAB, CR, LF).
    /// Whether `needle` occurs in `haystack`, byte for byte (the callers lower-case both first). Foundation's
    /// `String.contains` goes through CFString's Unicode-aware search, and costs more than a whole message's parse
    /// when asked for dozens of words per message.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }
}
