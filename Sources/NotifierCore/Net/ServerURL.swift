/// The checks a mail server's URL gets alike for IMAP and POP3: one of two schemes, a host with an optional port,
/// no user name or password (set apart, never in a URL that may be printed), no query or fragment.
enum ServerURL {
    /// The URL's scheme (as in `schemes`), its authority (`host[:port]`) and its path; throws `InvalidValue` with
    /// `usage` for another scheme, and a reason that follows "the ... URL" for the rest, without repeating the URL.
    static func parts(of url: String, schemes: [String], usage: String) throws(InvalidValue) -> (
        scheme: String, authority: Substring, path: Substring
    ) {
        let lower = url.lowercased()
        guard let scheme = schemes.first(where: { lower.hasPrefix("\($0)://") }) else { throw InvalidValue(usage) }
        let rest = url.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        if authority.contains("@") {
            throw InvalidValue("must not carry a user name or password: set them separately")
        }
        if authority.isEmpty || authority.hasPrefix(":") {
            throw InvalidValue("names no host")
        }
        if authority.contains(where: { $0 == "?" || $0 == "#" }) || path.contains(where: { $0 == "?" || $0 == "#" }) {
            throw InvalidValue("takes no query or fragment")
        }
        if authority.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            throw InvalidValue("has a space or a control character in its host")
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else {
                throw InvalidValue("has a bad port")
            }
        }
        return (scheme, authority, path)
    }
}
