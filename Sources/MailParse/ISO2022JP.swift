/// ISO-2022-JP (RFC 1468) and the variants Japanese mail programs write: JIS X 0208 is moved to Shift_JIS positions
/// and decoded as cp932, so the Windows extensions of ISO-2022-JP-MS / CP50220 come out where the bytes allow.
///
/// Seen in practice and accepted: ESC ( I half-width katakana (CP50221), SO/SI katakana shifts, a line end inside a
/// two-byte run (treated as a return to ASCII), and a missing final ESC ( B.
/// - SeeAlso: RFC 1468, RFC 1554 (ISO-2022-JP-2)
enum ISO2022JP {
    /// Whether 7-bit bytes carry the escape sequences that designate JIS character sets.
    static func looksLikeISO2022JP(_ bytes: [UInt8]) -> Bool {
        var index = 0
        var found = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x80 { return false }
            if byte == ASCII.esc, index + 2 < bytes.count {
                let next = bytes[index + 1]
                if next == 0x24 || (next == 0x28 && (bytes[index + 2] == 0x49 || bytes[index + 2] == 0x4A)) {
                    found = true
                }
            }
            index += 1
        }
        return found
    }

    private enum Mode {
        case ascii, katakana, jis0208, jis0212, unknownDoubleByte
    }

    /// Decodes ISO-2022-JP. Escape sequences are consumed, never copied into the text; unknown ones are skipped.
    static func decode(_ bytes: [UInt8]) -> String {
        CP932.decode(shiftJISBytes(bytes))
    }

    /// The text as Shift_JIS bytes; what cannot be held there becomes 0xFF (decoded as U+FFFD).
    static func shiftJISBytes(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var mode = Mode.ascii
        var shiftedOut = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.esc {
                index += 1
                // ESC, then intermediate bytes 0x20-0x2F, then one final byte 0x30-0x7E (ISO 2022 §13).
                var intermediates: [UInt8] = []
                while index < bytes.count, bytes[index] >= 0x20, bytes[index] <= 0x2F, intermediates.count < 4 {
                    intermediates.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x7E else { continue }
                let final = bytes[index]
                index += 1
                switch (intermediates, final) {
                case ([0x28], 0x42), ([0x28], 0x4A), ([0x28], 0x48): mode = .ascii
                case ([0x28], 0x49): mode = .katakana
                case ([0x24], 0x40), ([0x24], 0x42), ([0x24, 0x28], 0x42), ([0x24, 0x28], 0x40),
                    ([0x24, 0x28], 0x51), ([0x24, 0x28], 0x4F):
                    mode = .jis0208
                case ([0x24, 0x28], 0x44): mode = .jis0212
                case ([0x24], _), ([0x24, 0x28], _), ([0x24, 0x29], _): mode = .unknownDoubleByte
                case ([0x26], 0x40): break  // announcer before ESC $ B (JIS X 0208-1990); the next ESC decides
                default: break  // G2 designations of ISO-2022-JP-2 and others: ignored, never copied
                }
                continue
            }
            if byte == 0x0E {  // SO: half-width katakana until SI
                shiftedOut = true
                index += 1
                continue
            }
            if byte == 0x0F {
                shiftedOut = false
                index += 1
                continue
            }
            if byte == ASCII.cr || byte == ASCII.lf {
                // A line end always returns to ASCII (RFC 1468 requires it; broken mailers forget it).
                mode = .ascii
                shiftedOut = false
                output.append(byte)
                index += 1
                continue
            }
            if byte >= 0x80 {
                output.append(0xFF)
                index += 1
                continue
            }
            if shiftedOut || mode == .katakana {
                if byte >= 0x21 && byte <= 0x5F {
                    output.append(byte + 0x80)
                } else {
                    output.append(byte)
                }
                index += 1
                continue
            }
            switch mode {
            case .ascii, .katakana:
                output.append(byte)
                index += 1
            case .jis0208, .jis0212, .unknownDoubleByte:
                guard byte >= 0x21 && byte <= 0x7E else {
                    output.append(byte)  // space or control inside a two-byte run: kept as it is
                    index += 1
                    continue
                }
                guard index + 1 < bytes.count, bytes[index + 1] >= 0x21, bytes[index + 1] <= 0x7E else {
                    output.append(0xFF)
                    index += 1
                    continue
                }
                if mode == .jis0208 {
                    let (s1, s2) = CP932.fromJIS(byte, bytes[index + 1])
                    output.append(s1)
                    output.append(s2)
                } else {
                    output.append(0xFF)
                }
                index += 2
            }
        }
        return output
    }
}
