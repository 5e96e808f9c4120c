/// The pieces of an `http://` or `https://` URL that rewriters are recognised by.
/// - SeeAlso: RFC 3986 §3
struct URLParts {
    /// The host, lower-cased, without a port.
    let host: String
    /// Everything from the first `/`, `?` or `#` after the authority ("" when there is none).
    let pathAndQuery: String

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
        start = end
        host = ASCII.lowercasedString(authority)
        pathAndQuery = String(decoding: bytes[start...], as: UTF8.self)
    }

    /// The raw value of the first query parameter with this name (up to the next `&` or `#`), still encoded.
    func queryValue(_ name: String) -> String? {
        guard let question = pathAndQuery.firstIndex(of: "?") else { return nil }
        var query = pathAndQuery[pathAndQuery.index(after: question)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
        }
        return nil
    }
}
