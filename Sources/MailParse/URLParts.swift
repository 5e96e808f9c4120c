/// The pieces of an `http://` or `https://` URL that rewriters are recognised by. Byte work only: this runs for
/// every download URL of every notice.
/// - SeeAlso: RFC 3986 §3
struct URLParts {
    /// The host, lower-cased, without a port.
    let host: String
    /// Everything from the first `/`, `?` or `#` after the authority ("" when there is none).
    var pathAndQuery: String { String(decoding: bytes[pathStart...], as: UTF8.self) }

    private let bytes: [UInt8]
    private let pathStart: Int

    init?(_ url: String) {
        let bytes = Array(url.utf8)
        var start: Int
        if bytes.count > 8, ASCII.equalsLowercase(bytes[0..<8], "https://") {
            start = 8
        } else if bytes.count > 7, ASCII.equalsLowercase(bytes[0..<7], "http://") {
            start = 7
        } else {
            return nil
        }
        var end = start
        while end < bytes.count, bytes[end] != 0x2F, bytes[end] != ASCII.question, bytes[end] != 0x23,
            bytes[end] != ASCII.backslash
        {
            end += 1
        }
        var authority = bytes[start..<end]
        // Userinfo hides the real host from a reader: such a URL is nobody's rewriter.
        guard !authority.contains(0x40), !authority.isEmpty else { return nil }
        if let colon = authority.firstIndex(of: ASCII.colon) { authority = authority[..<colon] }
        host = ASCII.lowercasedString(authority)
        self.bytes = bytes
        pathStart = end
    }

    /// Whether the path starts with this ASCII text.
    func pathHasPrefix(_ prefix: String) -> Bool {
        let count = prefix.utf8.count
        return bytes.count - pathStart >= count && bytes[pathStart..<(pathStart + count)].elementsEqual(prefix.utf8)
    }

    /// The raw value of the first query parameter with this name (up to the next `&` or `#`), still encoded.
    func queryValue(_ name: String) -> String? {
        guard let question = bytes[pathStart...].firstIndex(of: ASCII.question) else { return nil }
        let key = Array(name.utf8) + [ASCII.equals]
        var index = question + 1
        while index < bytes.count, bytes[index] != 0x23 {
            var end = index
            while end < bytes.count, bytes[end] != 0x26, bytes[end] != 0x23 { end += 1 }
            if end - index >= key.count, bytes[index..<(index + key.count)].elementsEqual(key) {
                return String(decoding: bytes[(index + key.count)..<end], as: UTF8.self)
            }
            index = end < bytes.count && bytes[end] == 0x26 ? end + 1 : end
        }
        return nil
    }
}
