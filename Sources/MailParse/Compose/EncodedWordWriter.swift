/// Writes RFC 2047 encoded words: base64 ("B") words of at most 75 characters, split only between characters, so
/// that no mail program has to join bytes of one character across two words.
/// - SeeAlso: RFC 2047 §2 (75-character limit), §5 (where words may stand), §8 (examples)
public enum EncodedWordWriter {
    /// Whether a header text can stand as it is: printable ASCII and spaces only, and nothing that looks like an
    /// encoded word (which a reader would decode).
    public static func needsEncoding(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 || byte >= 0x7F || (previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?")) {
                return true
            }
            previous = byte
        }
        return false
    }

    /// The encoded words for `text` in UTF-8, each at most `maxLength` characters long. A character (grapheme
    /// cluster: a kanji with its variation selector, an emoji with its modifiers) is never split across words.
    public static func encode(_ text: String, maxLength: Int = 75) -> [String] {
        let prefix = "=?UTF-8?B?"
        let suffix = "?="
        // Base64 of n bytes takes 4 * ceil(n / 3) characters.
        let budget = maxLength - prefix.count - suffix.count
        let maxBytes = budget / 4 * 3
        var words: [String] = []
        var current: [UInt8] = []
        for character in text {
            let bytes = character.utf8
            if !current.isEmpty && current.count + bytes.count > maxBytes {
                words.append(prefix + base64(current) + suffix)
                current = []
            }
            current += bytes
        }
        if !current.isEmpty || words.isEmpty { words.append(prefix + base64(current) + suffix) }
        return words
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> String {
        String(decoding: base64Bytes(bytes), as: UTF8.self)
    }

    /// Base64 (RFC 4648 §4) as ASCII bytes, with padding.
    public static func base64Bytes(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Self.alphabet
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(alphabet[Int(value >> 6 & 63)])
            output.append(alphabet[Int(value & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let value = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)]]
            output += rest == 2 ? [alphabet[Int(value >> 6 & 63)], 0x3D] : [0x3D, 0x3D]
        }
        return output
    }
}
