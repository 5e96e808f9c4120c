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
