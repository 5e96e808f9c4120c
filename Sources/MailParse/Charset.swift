import Foundation

/// A character set a mail part or encoded word can be written in, with the decoder notifier uses for it.
///
/// Japanese legacy sets all go through cp932: ISO-2022-JP and EUC-JP code points are moved arithmetically to their
/// Shift_JIS positions (no tables written here) and decoded by Foundation's `.shiftJIS`, which is cp932 on Linux. That
/// gives the Windows extensions (①, 髙, the IBM rows) wherever the bytes allow, and one mapping for 〜/～ everywhere.
public enum Charset: Sendable, Equatable {
    case utf8
    case ascii
    case iso2022JP
    case cp932
    case eucJP
    case latin1
    case windows1252
    /// Any other charset glibc's iconv knows, by iconv's name for it (EUC-KR, GB2312, GBK, Big5, UTF-7, KOI8-R,
    /// ISO-8859-x, …).
    case iconv(String)
    /// A label neither notifier nor iconv knows: ASCII is read as ASCII, every other byte is U+FFFD (never guessed
    /// as Japanese).
    case unknown

    /// Labels that name no charset at all ("unknown-8bit" and the like): the bytes are detected instead.
    private static let meaningless: Set<String> = [
        "unknown-8bit", "x-unknown", "unknown", "default", "charset", "8bit", "x-user-defined", "none", "",
    ]

    /// The charset a MIME or RFC 2047 label names (`.unknown` when neither notifier nor iconv knows it), or nil when
    /// the label names no charset ("unknown-8bit"; the caller then detects).
    /// Labels are compared case-insensitively; an RFC 2231 language suffix (`utf-8*ja`) is ignored.
    /// - SeeAlso: RFC 2046 §4.1.2, RFC 2231 §5, the IANA character set registry's aliases
    public init?(label: String) {
        // Lower-cased ASCII, without surrounding spaces or quotes and without an RFC 2231 "*language" suffix. Done
        // on bytes: this runs for every part and encoded word, and Foundation's trimming is slow on Linux.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(label.utf8.count)
        for byte in label.utf8 {
            if byte == 0x2A { break }
            bytes.append(ASCII.lower(byte))
        }
        while let first = bytes.first,
            first == ASCII.space || first == ASCII.tab || first == ASCII.quote || first == 0x27
        {
            bytes.removeFirst()
        }
        while let last = bytes.last, last == ASCII.space || last == ASCII.tab || last == ASCII.quote || last == 0x27 {
            bytes.removeLast()
        }
        let name = String(decoding: bytes, as: UTF8.self)
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8":
            self = .utf8
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "csascii", "us", "iso-ir-6", "ibm367", "cp367":
            self = .ascii
        case "iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "iso-2022-jp-ms",
            "iso2022jp", "jis", "x-jis", "cp50220", "cp50221", "cp50222", "csiso2022jp2":
            self = .iso2022JP
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cswindows31j",
            "cp932", "ms932", "x-ms-cp932", "ibm-943", "ibm943", "s-jis", "shiftjis", "x-shift_jis", "mskanji":
            self = .cp932
        case "euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "euc-jp-ms", "eucjp-ms", "cp51932", "ujis",
            "x-euc":
            self = .eucJP
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "csisolatin1",
            "ibm819", "cp819", "iso_8859-1:1987":
            self = .latin1
        case "windows-1252", "cp1252", "x-cp1252", "ms-ansi":
            self = .windows1252
        default:
            if Self.meaningless.contains(name) { return nil }
            if let iconvName = Iconv.name(for: name), Iconv.knows(iconvName) {
                self = .iconv(iconvName)
            } else {
                self = .unknown
            }
        }
    }

    /// Decodes bytes in this charset. Bytes that do not belong become U+FFFD; nothing is dropped silently and no
    /// escape sequence reaches the output. Text labelled ASCII or UTF-8 that is really ISO-2022-JP or Shift_JIS
    /// (old Japanese mailers send such labels) is detected and decoded as what it is.
    public func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let buffer = Array(bytes)
        let text = decodeUnscrubbed(buffer)
        // An ESC that is not part of an ISO-2022-JP designation is a terminal control sequence, never text.
        guard buffer.contains(ASCII.esc),
            text.utf8.withContiguousStorageIfAvailable({ $0.contains(ASCII.esc) }) != false
        else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{1B}" ? "\u{FFFD}" : $0 }))
    }

    private func decodeUnscrubbed(_ buffer: [UInt8]) -> String {
        switch self {
        case .utf8, .ascii:
            if let text = String(validating: buffer, as: UTF8.self) {
                return ISO2022JP.looksLikeISO2022JP(buffer) ? ISO2022JP.decode(buffer) : text
            }
            // Mislabelled legacy Japanese text is decoded as what it is; a UTF-8 text with a few bad bytes keeps its
            // good characters (U+FFFD for the bad ones) rather than turning into Windows-1252 mojibake.
            let detected = Charset.detect(buffer)
            return detected == .windows1252 ? String(decoding: buffer, as: UTF8.self) : detected.decode(buffer)
        case .iso2022JP:
            return ISO2022JP.decode(buffer)
        case .cp932:
            return CP932.decode(buffer)
        case .eucJP:
            return CP932.decode(EUCJP.shiftJISBytes(buffer))
        case .latin1:
            return String(String.UnicodeScalarView(buffer.map { Unicode.Scalar($0) }))
        case .iconv(let name):
            return Iconv.decode(buffer, from: name)?.text ?? Charset.unknown.decode(buffer)
        case .unknown:
            return String(String.UnicodeScalarView(buffer.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" }))
        case .windows1252:
            if let text = String(bytes: buffer, encoding: .windowsCP1252) { return text }
            // The five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are C1 controls, as in Latin-1.
            return String(
                String.UnicodeScalarView(
                    buffer.map { byte in
                        String(bytes: [byte], encoding: .windowsCP1252)?.unicodeScalars.first ?? Unicode.Scalar(byte)
                    }))
        }
    }

    /// Decodes bytes under a label that may be missing or unknown: a known label is trusted (with the corrections
    /// `decode` makes), anything else is detected from the bytes.
    public static func decode<C: Collection>(_ bytes: C, label: String?) -> String where C.Element == UInt8 {
        if let label, let charset = Charset(label: label) { return charset.decode(bytes) }
        let buffer = Array(bytes)
        return detect(buffer).decode(buffer)
    }

    /// Reads undeclared 8-bit header bytes: UTF-8 when they are valid UTF-8, ISO-2022-JP when they carry its escape
    /// sequences, cp932 only when every byte decodes cleanly, else Windows-1252 (which never fails). EUC-JP is not
    /// guessed here: short header values fit it by accident far more often than real mail uses it undeclared.
    /// - SeeAlso: RFC 6532 §3.2 (UTF-8 header values)
    static func decodeHeader(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) {
            return ISO2022JP.looksLikeISO2022JP(bytes) ? ISO2022JP.decode(bytes) : text
        }
        if CP932.isWellFormed(bytes), let (text, clean) = Iconv.decode(bytes, from: "CP932"), clean {
            return text
        }
        return Charset.windows1252.decode(bytes)
    }

    /// Guesses the charset of unlabelled bytes: ISO-2022-JP escape sequences in 7-bit text, valid UTF-8, then cp932
    /// or EUC-JP by their byte structure, and Windows-1252 when nothing else fits.
    public static func detect(_ bytes: [UInt8]) -> Charset {
        var has8Bit = false
        for byte in bytes where byte >= 0x80 {
            has8Bit = true
            break
        }
        if !has8Bit { return ISO2022JP.looksLikeISO2022JP(bytes) ? .iso2022JP : .utf8 }
        if String(validating: bytes, as: UTF8.self) != nil { return .utf8 }
        let sjis = CP932.isWellFormed(bytes)
        let euc = EUCJP.isWellFormed(bytes)
        switch (sjis, euc) {
        case (true, false): return .cp932
        case (false, true): return .eucJP
        case (true, true):
            // Both fit only when every 8-bit byte is 0xA1 or above: EUC-JP kana and kanji pairs, or Shift_JIS
            // half-width katakana with upper-row kanji. Real Japanese text in EUC-JP is far more likely.
            return .eucJP
        case (false, false): return .windows1252
        }
    }
}

/// Shift_JIS as Windows writes it (cp932, Windows-31J), decoded by Foundation with a lossy fallback.
enum CP932 {
    @inline(__always)
    static func isLead(_ byte: UInt8) -> Bool { (byte >= 0x81 && byte <= 0x9F) || (byte >= 0xE0 && byte <= 0xFC) }

    @inline(__always)
    static func isTrail(_ byte: UInt8) -> Bool { (byte >= 0x40 && byte <= 0x7E) || (byte >= 0x80 && byte <= 0xFC) }

    /// Whether every byte sits where the Shift_JIS structure allows (lead/trail pairs, half-width katakana, ASCII).
    static func isWellFormed(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 || (byte >= 0xA1 && byte <= 0xDF) {
                index += 1
            } else if isLead(byte), index + 1 < bytes.count, isTrail(bytes[index + 1]) {
                index += 2
            } else {
                return false
            }
        }
        return true
    }

    /// Decodes cp932; a byte that is not part of a character (or a well-formed pair with no mapping) becomes U+FFFD
    /// and the rest still decodes. glibc's iconv does the mapping (its CP932 table is Microsoft's, the same as
    /// Python's cp932): three times faster here than Foundation's `.shiftJIS`, and it says where a bad byte is.
    static func decode(_ bytes: [UInt8]) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        let converter = iconv_open("UTF-8", "CP932")
        guard converter != iconv_t(bitPattern: -1) else {
            // No gconv module (a stripped-down libc): Foundation's decoder, all or nothing.
            return String(bytes: bytes, encoding: .shiftJIS) ?? String(decoding: bytes, as: UTF8.self)
        }
        defer { iconv_close(converter) }
        // cp932 is at most 2 bytes per character and UTF-8 at most 3 for these: 3 bytes out per byte in is enough.
        var output = [UInt8](repeating: 0, count: bytes.count * 3 + 4)
        var input = bytes
        var written = 0
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                let inBase = UnsafeMutableRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self)
                let outBase = UnsafeMutableRawPointer(target.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inPointer: UnsafeMutablePointer<CChar>? = inBase
                var inLeft = source.count
                var outPointer: UnsafeMutablePointer<CChar>? = outBase
                var outLeft = target.count - 3
                while inLeft > 0 {
                    if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1 { break }
                    guard errno == EILSEQ || errno == EINVAL, let bad = inPointer, outLeft >= 3 else { break }
                    // U+FFFD for the bad byte, or for the whole pair when it is well formed but unmapped.
                    let offset = bad - inBase
                    let skip =
                        offset + 1 < source.count && isLead(source[offset]) && isTrail(source[offset + 1]) ? 2 : 1
                    outPointer?[0] = CChar(bitPattern: 0xEF)
                    outPointer?[1] = CChar(bitPattern: 0xBF)
                    outPointer?[2] = CChar(bitPattern: 0xBD)
                    outPointer = outPointer.map { $0 + 3 }
                    outLeft -= 3
                    inPointer = bad + skip
                    inLeft -= skip
                }
                written = (outPointer ?? outBase) - outBase
            }
        }
        return String(decoding: output[..<written], as: UTF8.self)
    }

    /// The Shift_JIS bytes of a JIS X 0208 code point (row and cell bytes 0x21...0x7E each), by the standard
    /// arithmetic. Rows 89-92 land on cp932's NEC-selected IBM extensions, row 13 on the NEC special characters.
    @inline(__always)
    static func fromJIS(_ j1: UInt8, _ j2: UInt8) -> (UInt8, UInt8) {
        var s1 = (j1 + 1) / 2 + 0x70
        if s1 >= 0xA0 { s1 += 0x40 }
        var s2: UInt8
        if j1 & 1 == 1 {
            s2 = j2 + 0x1F
            if s2 >= 0x7F { s2 += 1 }
        } else {
            s2 = j2 + 0x7E
        }
        return (s1, s2)
    }
}

/// EUC-JP, moved to Shift_JIS positions for decoding.
enum EUCJP {
    /// Whether the bytes have EUC-JP structure: pairs of 0xA1-0xFE, 0x8E before half-width katakana, 0x8F before a
    /// JIS X 0212 pair.
    static func isWellFormed(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
            } else if byte >= 0xA1 && byte <= 0xFE, index + 1 < bytes.count, bytes[index + 1] >= 0xA1,
                bytes[index + 1] <= 0xFE
            {
                index += 2
            } else if byte == 0x8E, index + 1 < bytes.count, bytes[index + 1] >= 0xA1, bytes[index + 1] <= 0xDF {
                index += 2
            } else if byte == 0x8F, index + 2 < bytes.count, bytes[index + 1] >= 0xA1, bytes[index + 2] >= 0xA1 {
                index += 3
            } else {
                return false
            }
        }
        return true
    }

    /// The same text as Shift_JIS bytes. JIS X 0212 characters, which cp932 cannot hold, and stray bytes become 0xFF,
    /// which the cp932 decoder turns into U+FFFD.
    static func shiftJISBytes(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                output.append(byte)
                index += 1
            } else if byte >= 0xA1 && byte <= 0xFE, index + 1 < bytes.count, bytes[index + 1] >= 0xA1,
                bytes[index + 1] <= 0xFE
            {
                let (s1, s2) = CP932.fromJIS(byte - 0x80, bytes[index + 1] - 0x80)
                output.append(s1)
                output.append(s2)
                index += 2
            } else if byte == 0x8E, index + 1 < bytes.count, bytes[index + 1] >= 0xA1, bytes[index + 1] <= 0xDF {
                output.append(bytes[index + 1])
                index += 2
            } else if byte == 0x8F, index + 2 < bytes.count {
                output.append(0xFF)
                index += 3
            } else {
                output.append(0xFF)
                index += 1
            }
        }
        return output
    }
}
