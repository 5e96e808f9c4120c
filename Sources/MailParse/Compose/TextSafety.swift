/// The characters no one-line value may carry into a message: what a mail reader or a terminal may take for a line
/// break or a command. CR and LF end a header field (RFC 5322 §2.2); NEL (U+0085) and the Unicode line and paragraph
/// separators (U+2028, U+2029) end a line for Unicode-aware readers (Unicode Standard §5.8, UAX #14 class BK), so a
/// vendor name holding one can plant a line that reads as the download URL; the other C0 and C1 controls move a
/// terminal's cursor or are dropped by some readers and not by others.
public enum TextSafety {
    /// C0 controls (U+0000-U+001F), DEL (U+007F), C1 controls (U+0080-U+009F) and the line and paragraph separators
    /// (general categories Zl and Zp: U+2028, U+2029).
    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return true }
        switch scalar.properties.generalCategory {
        case .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// The first forbidden scalar of `text`, if any.
    public static func firstForbidden(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: isForbidden)
    }

    /// Whether a reader may take `scalar` for the end of a line (CR, LF, VT, FF, NEL, U+2028, U+2029).
    public static func breaksLines(_ scalar: Unicode.Scalar) -> Bool {
        [0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains(scalar.value)
    }

    /// `U+2028 (LINE SEPARATOR)`, for messages: the character itself is never printed.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let names: [UInt32: String] = [
            0x09: "TAB", 0x0A: "LINE FEED", 0x0B: "LINE TABULATION", 0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN",
            0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
        ]
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return names[scalar.value].map { "\(code) (\($0))" } ?? code
    }

    /// Why a value holding `scalar` is refused, e.g. `contains a line break (U+0085 (NEXT LINE))`.
    public static func reason(_ scalar: Unicode.Scalar) -> String {
        breaksLines(scalar)
            ? "contains a line break (\(describe(scalar)))" : "contains a control character (\(describe(scalar)))"
    }
}
