/// Content-Transfer-Encoding decoders. Both are tolerant in the ways real mail needs and never fail: a decoder for
/// hostile input must always give bytes back.
/// - SeeAlso: RFC 2045 §6
public enum TransferEncoding {
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        // The URL-safe alphabet (RFC 4648 §5), seen in practice from web mailers.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Decodes base64, skipping every character outside the alphabet (line ends, spaces, junk) as RFC 2045 §6.8
    /// asks, and stopping at the first `=` pad. A dangling final character is dropped; missing padding is accepted.
    public static func decodeBase64<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var count = 0
        for byte in input {
            if byte == ASCII.equals { break }
            let value = base64Values[Int(byte)]
            if value == 0xFF { continue }
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                output.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        if count == 2 {
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        } else if count == 3 {
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        }
        return output
    }

    /// Decodes quoted-printable: `=XX` (either case), soft line breaks `=` CRLF or `=` LF (with white space before
    /// the line end tolerated), and an `=` not followed by hex kept as it is.
    /// - Parameter header: RFC 2047 "Q" rules, where `_` stands for a space.
    /// - SeeAlso: RFC 2045 §6.7, RFC 2047 §4.2
    public static func decodeQuotedPrintable<C: Collection>(_ input: C, header: Bool = false) -> [UInt8]
    where C.Element == UInt8, C.Index == Int {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        let end = input.endIndex
        while index < end {
            let byte = input[index]
            if byte == ASCII.equals {
                if index + 2 < end, let high = ASCII.hexValue(input[index + 1]),
                    let low = ASCII.hexValue(input[index + 2])
                {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                // Soft line break: "=" then optional transport padding then the line end.
                var probe = index + 1
                while probe < end, ASCII.isWSP(input[probe]) { probe += 1 }
                if probe < end, input[probe] == ASCII.lf {
                    index = probe + 1
                    continue
                }
                if probe + 1 < end, input[probe] == ASCII.cr, input[probe + 1] == ASCII.lf {
                    index = probe + 2
                    continue
                }
                if probe == end {
                    index = end
                    continue
                }
                output.append(byte)
                index += 1
                continue
            }
            if header && byte == 0x5F {
                output.append(ASCII.space)
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
