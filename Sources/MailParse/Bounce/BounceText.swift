/// Byte-level scanners for the text of bounce reports: e-mail addresses, enhanced status codes and SMTP reply
/// codes inside free text. Each runs in one pass over its input, so a hostile report costs time linear in its size.
enum BounceText {
    /// How much of one text a heuristic reads: real reports say what they have to say in the first few kilobytes;
    /// past this a 10 MB body is not scanned further.
    static let maxScannedBytes = 256 * 1024
    /// How many lines of one text a heuristic reads (a body of empty lines would otherwise make 256 K of them).
    static let maxLines = 20_000

    /// atext of RFC 5322 §3.2.3, the characters of an unquoted local part (with "." between atoms).
    @inline(__always)
    static func isLocalByte(_ byte: UInt8) -> Bool {
        if ASCII.isAlphanumeric(byte) { return true }
        switch byte {
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2F, 0x3D, 0x3F, 0x5E, 0x5F, 0x60, 0x7B, 0x7C,
            0x7D, 0x7E, 0x2E:
            return true
        default:
            return false
        }
    }

    /// Letters, digits, "-" and "." of a host name (RFC 5321 §4.1.2 Domain), plus 8-bit bytes of an IDN.
    @inline(__always)
    static func isDomainByte(_ byte: UInt8) -> Bool {
        ASCII.isAlphanumeric(byte) || byte == 0x2D || byte == 0x2E || byte == 0x5F
    }

    /// An address found in text: its addr-spec (lower-cased) and where it stood in the bytes.
    struct Found {
        var address: String
        var range: Range<Int>
    }

    /// Every plausible `local@domain` in the bytes, in order. Plausible: a local part of atext, a domain of at least
    /// two labels whose last is two or more letters (so `5.1.1@x`, `user@localhost` and `foo@bar` are not taken).
    /// Each byte is looked at a bounded number of times: the scan to the left of an "@" stops at the previous "@".
    static func addresses(in bytes: ArraySlice<UInt8>) -> [Found] {
        var found: [Found] = []
        var index = bytes.startIndex
        var lastEnd = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            guard bytes[index] == 0x40 else {
                index += 1
                continue
            }
            var start = index
            while start > lastEnd, isLocalByte(bytes[start - 1]) { start -= 1 }
            while start < index, bytes[start] == 0x2E || bytes[start] == 0x27 || bytes[start] == 0x60 { start += 1 }
            var stop = index + 1
            while stop < end, isDomainByte(bytes[stop]) { stop += 1 }
            var domainEnd = stop
            while domainEnd > index + 1, bytes[domainEnd - 1] == 0x2E || bytes[domainEnd - 1] == 0x2D {
                domainEnd -= 1
            }
            lastEnd = index + 1
            index = stop
            guard start < lastEnd - 1, domainEnd > lastEnd else { continue }
            let local = bytes[start..<(lastEnd - 1)]
            let domain = bytes[lastEnd..<domainEnd]
            guard local.count <= 64, domain.count <= 255, isPlausibleDomain(domain), local.last != 0x2E else {
                continue
            }
            found.append(Found(address: ASCII.lowercasedString(bytes[start..<domainEnd]), range: start..<domainEnd))
        }
        return found
    }

    /// Two or more labels, no empty label, the last of two or more letters (a TLD).
    static func isPlausibleDomain(_ domain: ArraySlice<UInt8>) -> Bool {
        let labels = domain.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2,
            tld.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A })
        else { return false }
        return labels.allSatisfy { !$0.isEmpty && $0.first != 0x2D }
    }

    /// The first enhanced status code `class.subject.detail` in the bytes, class 2, 4 or 5, subject and detail of
    /// one to three digits, standing alone (not inside an IP address or a version number such as 8.14.4).
    /// - SeeAlso: RFC 3463 §2
    static func statusCode(in bytes: ArraySlice<UInt8>) -> String? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            let byte = bytes[index]
            defer { index += 1 }
            guard byte == 0x32 || byte == 0x34 || byte == 0x35 else { continue }
            if index > bytes.startIndex {
                let before = bytes[index - 1]
                if ASCII.isDigit(before) || before == 0x2E || ASCII.isAlphanumeric(before) { continue }
            }
            var probe = index + 1
            var groups = 0
            while groups < 2, probe < end, bytes[probe] == 0x2E {
                var digits = 0
                probe += 1
                while probe < end, ASCII.isDigit(bytes[probe]), digits < 4 {
                    digits += 1
                    probe += 1
                }
                guard (1...3).contains(digits) else { break }
                groups += 1
            }
            guard groups == 2 else { continue }
            if probe < end {
                let after = bytes[probe]
                if ASCII.isAlphanumeric(after) || after == 0x2D { continue }
                if after == 0x2E, probe + 1 < end, ASCII.isDigit(bytes[probe + 1]) { continue }
            }
            return String(decoding: bytes[index..<probe], as: UTF8.self)
        }
        return nil
    }

    /// The first SMTP reply code of a failure (4yz or 5yz, RFC 5321 §4.2) standing alone in the bytes and followed by
    /// a space, "-" or the end, e.g. the 550 of `550 5.1.1 <a@example.com>: User unknown`.
    static func replyCode(in bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index + 2 < end {
            defer { index += 1 }
            let first = bytes[index]
            guard first == 0x34 || first == 0x35, ASCII.isDigit(bytes[index + 1]), ASCII.isDigit(bytes[index + 2])
            else { continue }
            if index > bytes.startIndex {
                let before = bytes[index - 1]
                if ASCII.isAlphanumeric(before) || before == 0x2E || before == 0x2D || before == 0x3A { continue }
            }
            let after = index + 3 < end ? bytes[index + 3] : ASCII.space
            guard after == ASCII.space || after == 0x2D || after == ASCII.cr || after == ASCII.lf else { continue }
            guard bytes[index + 1] >= 0x30, bytes[index + 1] <= 0x35 else { continue }
            return Int(first - 0x30) * 100 + Int(bytes[index + 1] - 0x30) * 10 + Int(bytes[index + 2] - 0x30)
        }
        return nil
    }

    /// The lines of a text (LF or CRLF), each without its line end, as byte ranges, up to `maxScannedBytes`.
    static func lines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        let end = min(bytes.endIndex, bytes.startIndex + maxScannedBytes)
        var start = bytes.startIndex
        while start < end {
            let lineEnd = bytes[start..<end].firstIndex(of: ASCII.lf) ?? end
            var contentEnd = lineEnd
            if contentEnd > start, bytes[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
            result.append(bytes[start..<contentEnd])
            if result.count >= maxLines { break }
            start = lineEnd + 1
        }
        return result
    }

    /// The line without the "> " marks of a quoting mail program (a forwarded report, seen in practice).
    static func unquoted(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = line.startIndex
        while start < line.endIndex, line[start] == 0x3E {
            start += 1
            if start < line.endIndex, line[start] == ASCII.space { start += 1 }
        }
        return line[start...]
    }

    /// Whether the bytes contain the lower-case ASCII needle, ignoring ASCII case. Linear for the short needles used
    /// here (the inner loop is bounded by the needle's length).
    static func contains(_ bytes: ArraySlice<UInt8>, _ needle: String) -> Bool {
        firstRange(of: needle, in: bytes) != nil
    }

    static func firstRange(of needle: String, in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var index = bytes.startIndex
        let last = bytes.endIndex - pattern.count
        while index <= last {
            if ASCII.lower(bytes[index]) == first {
                var offset = 1
                while offset < pattern.count, ASCII.lower(bytes[index + offset]) == pattern[offset] { offset += 1 }
                if offset == pattern.count { return index..<(index + pattern.count) }
            }
            index += 1
        }
        return nil
    }

    /// The bytes with leading and trailing white space removed, as a String with runs of white space made one space,
    /// cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int = Bounce.maxDiagnosticLength) -> String {
        var result = ""
        var count = 0  // String.count walks the string: counting as we go keeps this linear
        var pendingSpace = false
        for character in text {
            if count >= limit { break }
            if character.isWhitespace || character.unicodeScalars.allSatisfy({ $0.value < 0x20 || $0.value == 0x7F }) {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.append(" ")
                count += 1
            }
            pendingSpace = false
            result.append(character)
            count += 1
        }
        return result
    }
}
