/// One JSON object on one line, keys in the order they are added. Formatted as Python's `json.dumps` with
/// `ensure_ascii=False` writes it (`{"key": "value", ...}`), so lines compare byte for byte with such tools' output.
/// - SeeAlso: RFC 8259 §7 (string escaping)
package struct JSONLine {
    private var text: String
    private var empty = true

    package init() {
        text = "{"
        text.reserveCapacity(512)
    }

    package mutating func add(_ key: String, _ value: String?) {
        appendKey(key)
        if let value { Self.appendString(value, to: &text) } else { text += "null" }
    }

    package mutating func add(_ key: String, _ value: Bool?) {
        appendKey(key)
        text += value.map { $0 ? "true" : "false" } ?? "null"
    }

    package mutating func add(_ key: String, _ value: Int?) {
        appendKey(key)
        text += value.map(String.init) ?? "null"
    }

    /// An array of strings (`["a", "b"]`), or null.
    package mutating func add(_ key: String, _ values: [String]?) {
        appendKey(key)
        guard let values else {
            text += "null"
            return
        }
        text += "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += ", " }
            Self.appendString(value, to: &text)
        }
        text += "]"
    }

    package var line: String { text + "}" }

    private mutating func appendKey(_ key: String) {
        if !empty { text += ", " }
        empty = false
        Self.appendString(key, to: &text)
        text += ": "
    }

    static func appendString(_ value: String, to output: inout String) {
        output += "\""
        // Most values need no escaping: append them whole, and fall back to scalar by scalar only when needed.
        let needsEscaping = { (byte: UInt8) in byte < 0x20 || byte == 0x22 || byte == 0x5C }
        let plain = value.utf8.withContiguousStorageIfAvailable { !$0.contains(where: needsEscaping) }
        if plain ?? !value.utf8.contains(where: needsEscaping) {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
