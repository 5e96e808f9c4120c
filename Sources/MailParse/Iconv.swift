import Foundation

/// glibc's iconv for the charsets notifier has no decoder of its own (EUC-KR, GB2312, GBK, Big5, UTF-7, KOI8-R, the
/// ISO-8859 family, …): a message in Korean or Chinese is read as what it is, never as plausible Japanese mojibake.
/// iconv is part of the C library that Foundation links anyway; nothing here touches a file or the network.
enum Iconv {
    /// Labels whose usual meaning differs from iconv's name for them (Outlook's Korean label is cp949).
    private static let aliases: [String: String] = [
        "ks_c_5601-1987": "CP949", "ks_c_5601": "CP949", "ksc5601": "CP949", "x-gbk": "GBK", "x-euc-tw": "EUC-TW",
        "unicode-1-1-utf-7": "UTF-7", "x-mac-roman": "MACINTOSH", "macintosh": "MACINTOSH", "x-cp1250": "CP1250",
        "x-cp1251": "CP1251",
    ]

    /// iconv's name for a MIME charset label, if the label is a plain name (letters, digits, `-`, `_`, `.`, `:`),
    /// so that no `//TRANSLIT` or other suffix reaches iconv_open.
    static func name(for label: String) -> String? {
        if let alias = aliases[label] { return alias }
        guard !label.isEmpty, label.utf8.count <= 40,
            label.utf8.allSatisfy({ ASCII.isAlphanumeric($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A })
        else { return nil }
        return label.uppercased()
    }

    /// Whether iconv can decode this charset at all.
    static func knows(_ name: String) -> Bool {
        let converter = iconv_open("UTF-8", name)
        guard converter != iconv_t(bitPattern: -1) else { return false }
        iconv_close(converter)
        return true
    }

    /// Decodes bytes from `name` to a String; each byte iconv cannot read becomes U+FFFD and decoding goes on after
    /// it. nil when iconv does not know the charset.
    static func decode(_ bytes: [UInt8], from name: String) -> (text: String, clean: Bool)? {
        let converter = iconv_open("UTF-8", name)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var capacity = bytes.count * 4 + 16
        var output = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        defer { output.deallocate() }
        var written = 0
        var clean = true
        var input = bytes
        input.withUnsafeMutableBufferPointer { source in
            guard let sourceBase = source.baseAddress else { return }
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(sourceBase)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = source.count
            while true {
                if capacity - written < 16 {
                    // Room for U+FFFD and a flushed shift state, whatever happens next.
                    let larger = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * 2)
                    larger.update(from: output, count: written)
                    output.deallocate()
                    output = larger
                    capacity *= 2
                }
                var outPointer: UnsafeMutablePointer<CChar>? = output + written
                var outLeft = capacity - written
                // With nothing left to read, the call flushes a pending shift state (UTF-7, ISO-2022-KR).
                let result =
                    inLeft > 0
                    ? iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    : iconv(converter, nil, nil, &outPointer, &outLeft)
                let failure = result == -1 ? errno : 0
                written = capacity - outLeft
                if result != -1 {
                    if inLeft == 0 {
                        var flushPointer: UnsafeMutablePointer<CChar>? = output + written
                        var flushLeft = capacity - written
                        if iconv(converter, nil, nil, &flushPointer, &flushLeft) != -1 {
                            written = capacity - flushLeft
                        }
                        break
                    }
                    continue
                }
                if failure == E2BIG {
                    let larger = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * 2)
                    larger.update(from: output, count: written)
                    output.deallocate()
                    output = larger
                    capacity *= 2
                    continue
                }
                guard failure == EILSEQ || failure == EINVAL, inLeft > 0, let bad = inPointer else { break }
                // A byte iconv cannot read: U+FFFD for it, and on with the next one.
                clean = false
                output[written] = CChar(bitPattern: 0xEF)
                output[written + 1] = CChar(bitPattern: 0xBF)
                output[written + 2] = CChar(bitPattern: 0xBD)
                written += 3
                inPointer = bad + 1
                inLeft -= 1
                if inLeft == 0 { break }
            }
        }
        let text = UnsafeRawBufferPointer(start: output, count: written)
        return (String(decoding: text, as: UTF8.self), clean)
    }
}

/// Text into a charset other than UTF-8 through glibc's iconv, for a reader that only knows its legacy charset (a
/// CSV for Excel on Japanese Windows, in cp932). One converter serves many strings, so a report of thousands of
/// cells opens it once. A character the charset cannot hold becomes the replacement byte and is counted, never
/// dropped silently; everything after it is still converted.
public final class IconvEncoder {
    /// iconv's name for the charset (`CP932`).
    public let charset: String
    private let converter: iconv_t

    /// A converter from UTF-8 to the charset `label` names (`cp932`, `windows-31j`, `euc-jp`); nil when iconv
    /// does not know it, or the label is not a plain charset name.
    public init?(charset label: String) {
        guard let name = Iconv.name(for: label.lowercased()) else { return nil }
        guard let converter = iconv_open(name, "UTF-8"), converter != iconv_t(bitPattern: -1) else { return nil }
        self.charset = name
        self.converter = converter
    }

    deinit { iconv_close(converter) }

    /// `text` in the charset, with `replacement` (`?`) for each Unicode scalar it cannot hold, and how many
    /// there were.
    public func encode(_ text: String, replacement: UInt8 = 0x3F) -> (bytes: [UInt8], replaced: Int) {
        var input = Array(text.utf8)
        guard !input.isEmpty else { return ([], 0) }
        // cp932 and EUC-JP never take more bytes than UTF-8 does; E2BIG grows the buffer for any other charset.
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var written = 0
        var replaced = 0
        iconv(converter, nil, nil, nil, nil)  // a fresh shift state for every string
        input.withUnsafeMutableBufferPointer { source in
            guard let base = source.baseAddress else { return }
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(base)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = source.count
            while true {
                if output.count - written < 16 { output += [UInt8](repeating: 0, count: output.count) }
                // With nothing left to read, the call writes the final shift sequence (ISO-2022-JP) and ends.
                let flushing = inLeft == 0
                let (result, failure, outLeft) = output.withUnsafeMutableBytes { target in
                    var outPointer = target.baseAddress.map { ($0 + written).assumingMemoryBound(to: CChar.self) }
                    var outLeft = target.count - written
                    let result =
                        flushing
                        ? iconv(converter, nil, nil, &outPointer, &outLeft)
                        : iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (result, result == -1 ? errno : 0, outLeft)
                }
                written = output.count - outLeft
                if result != -1 {
                    if flushing { break }
                    continue
                }
                if failure == E2BIG { continue }
                guard !flushing, failure == EILSEQ || failure == EINVAL, let bad = inPointer else { break }
                // A scalar the charset cannot hold: the replacement, and on after the scalar's UTF-8 bytes (the
                // input is a Swift String's, so well formed: its lead byte says how many there are).
                let lead = UInt8(bitPattern: bad.pointee)
                let skipped = min(lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4, inLeft)
                output[written] = replacement
                written += 1
                replaced += 1
                inPointer = bad + skipped
                inLeft -= skipped
            }
        }
        output.removeSubrange(written..<output.count)
        return (output, replaced)
    }
}
