import Foundation

/// Whether a server named in a URL is this machine's loopback interface, where a password sent in clear never
/// leaves the machine. Decided by the host as the user wrote it, never by resolving it: `localhost`, an IPv4 literal
/// in 127.0.0.0/8 (RFC 1122 §3.2.1.3) or the IPv6 literal `::1` (RFC 4291 §2.5.3). Any other name is treated as
/// remote, even one that resolves to 127.0.0.1 today (a resolver, /etc/hosts or DNS may say otherwise tomorrow):
/// the exemption must not depend on what a name means at the moment of the check.
enum LoopbackHost {
    /// The host of `scheme://[user@]host[:port][/...]`: without brackets, port or user; nil when there is none.
    static func host(ofURL url: String) -> String? {
        guard let separator = url.range(of: "://") else { return nil }
        var authority = url[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        let host = authority.prefix { $0 != ":" }
        return host.isEmpty ? nil : String(host)
    }

    /// `localhost`, 127.x.y.z (dotted quad) or `::1` (any spelling inet_pton accepts).
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var ipv4 = in_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            return UInt32(bigEndian: ipv4.s_addr) >> 24 == 127
        }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, host, &ipv6) == 1 {
            return withUnsafeBytes(of: &ipv6) { Array($0) } == Array(repeating: 0, count: 15) + [1]
        }
        return false
    }

    /// Whether the URL's host is loopback (false when the URL names no host).
    static func isLoopback(url: String) -> Bool {
        host(ofURL: url).map { isLoopback($0) } ?? false
    }
}

/// Where a server URL points, as a connection error names it: `mail.example.jp:587`, the port the URL gives or the
/// scheme's own (smtp 25, smtps 465, imap 143, imaps 993); an IPv6 host in brackets.
enum ServerAddress {
    static func hostAndPort(ofURL url: String) -> String? {
        guard let host = LoopbackHost.host(ofURL: url), let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        var authority = url[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if let close = authority.lastIndex(of: "]") { authority = authority[authority.index(after: close)...] }
        let given = authority.lastIndex(of: ":").map { String(authority[authority.index(after: $0)...]) }
        let defaults = ["smtp": "25", "smtps": "465", "imap": "143", "imaps": "993"]
        guard let port = given.flatMap({ $0.isEmpty ? nil : $0 }) ?? defaults[scheme] else { return nil }
        return (host.contains(":") ? "[\(host)]" : host) + ":" + port
    }
}
