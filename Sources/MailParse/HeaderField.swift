/// One header field as it stood in the message: its name and its raw value, unfolded (the CRLF of each fold removed,
/// the white space after it kept), with the bytes left as they were so that nothing is decoded before it is asked for.
///
/// - SeeAlso: RFC 5322 §2.2, §2.2.3 (unfolding)
public struct HeaderField: Sendable, Equatable {
    /// The field name as written (compare with `Headers` lookups, which ignore case).
    public let name: String
    /// The name lower-cased once, for lookups.
    let key: String
    /// The unfolded value bytes, without the leading white space after the colon and without the line end.
    public let rawValue: ArraySlice<UInt8>

    public init(name: String, rawValue: ArraySlice<UInt8>) {
        self.name = name
        self.key = name.lowercasedASCII()
        self.rawValue = rawValue
    }

    /// The value decoded for display: 8-bit bytes by charset detection, RFC 2047 encoded words decoded.
    public var unstructuredValue: String { EncodedWords.decodeUnstructured(rawValue) }

    /// The value with every comment, nested ones included, removed (quoted strings kept whole).
    /// - SeeAlso: RFC 5322 §3.2.2
    static func withoutComments(_ value: String) -> String {
        var out: [UInt8] = []
        var depth = 0
        var quoted = false
        var escaped = false
        for byte in value.utf8 {
            if escaped {
                escaped = false
                if depth == 0 { out.append(byte) }
                continue
            }
            if byte == ASCII.backslash && (quoted || depth > 0) {
                escaped = true
                if depth == 0 { out.append(byte) }
                continue
            }
            if quoted {
                out.append(byte)
                if byte == ASCII.quote { quoted = false }
            } else if byte == 0x28 {
                depth += 1
            } else if byte == 0x29 && depth > 0 {
                depth -= 1
                if depth == 0 { out.append(0x20) }
            } else if depth == 0 {
                if byte == ASCII.quote { quoted = true }
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The header section of a message or MIME part: an ordered list, never a dictionary, because order carries meaning
/// (trace fields, and which of two `From:` fields a mail program shows).
public struct Headers: Sendable, Equatable, RandomAccessCollection {
    public private(set) var fields: [HeaderField]

    public init(_ fields: [HeaderField] = []) { self.fields = fields }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> HeaderField { fields[position] }

    /// Every field with this name (case-insensitive), in message order.
    public func all(_ name: String) -> [HeaderField] {
        let wanted = name.lowercasedASCII()
        return fields.filter { $0.key == wanted }
    }

    /// The first field with this name (case-insensitive).
    public func first(_ name: String) -> HeaderField? {
        let wanted = name.lowercasedASCII()
        return fields.first { $0.key == wanted }
    }

    mutating func append(_ field: HeaderField) { fields.append(field) }
}
