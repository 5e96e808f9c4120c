/// Whom and what a notice must come from to be acted on.
///
/// A notice is trusted only when its From field names exactly one mailbox whose addr-spec equals a trusted sender
/// (ASCII case-insensitive), and every download URL it carries is `https://` on a trusted host, compared exactly
/// after ASCII lower-casing: no userinfo (`https://trusted@evil.test/`), no port but 443, no trailing dot, no
/// percent-encoding, no non-ASCII or punycode (`xn--`) lookalike unless that exact host is trusted.
public struct TrustPolicy: Sendable, Equatable {
    public var senders: [String]
    public var hosts: [String]
    /// How long the issuer's download tokens are at least (the `t` parameter, else the last path segment), when
    /// known: a shorter one was cut by line wrapping. nil: not checked.
    public var minimumTokenLength: Int?
    /// The authserv-ids of the vendor's own receiving servers: when any is given, a notice is trusted only if one of
    /// them vouches for the sender's domain (`SenderAuthentication`). Empty: From alone decides.
    public var authservIDs: [String]

    public init(senders: [String], hosts: [String], minimumTokenLength: Int? = nil, authservIDs: [String] = []) {
        self.senders = senders
        self.hosts = hosts
        self.minimumTokenLength = minimumTokenLength
        self.authservIDs = authservIDs
    }

    /// The issuer of the sample corpus and of notifier's own demo. Both domains are reserved (`.example`, RFC 2606),
    /// so these defaults can never match real mail from someone else; real deployments name the issuer's own.
    /// Its download tokens are at least 22 characters: 128 random bits in base64url, as `notices send` writes them
    /// (the sample notices' tokens are 22 to 32).
    public static let builtIn = TrustPolicy(
        senders: ["nyusatsu@to-kousya.example"], hosts: ["bid.to-kousya.example"], minimumTokenLength: 22)

    public func trustsSender(_ mailbox: Mailbox) -> Bool {
        let address = mailbox.addrSpec.lowercasedASCII()
        return senders.contains { $0.lowercasedASCII() == address }
    }

    /// Whether a URL would open on a trusted host over TLS.
    public func trustsURL(_ url: String) -> Bool {
        guard let host = Self.httpsHost(of: url) else { return false }
        return hosts.contains { $0.lowercasedASCII() == host }
    }

    /// The lower-cased host of an `https://` URL whose authority is a plain host name (optionally `:443`), else nil.
    /// - SeeAlso: RFC 3986 §3.2
    public static func httpsHost(of url: String) -> String? {
        let bytes = Array(url.utf8)
        let scheme = Array("https://".utf8)
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ ASCII.lower($0) == $1 })
        else { return nil }
        var authorityEnd = scheme.count
        while authorityEnd < bytes.count {
            let byte = bytes[authorityEnd]
            // "\" ends the authority in browsers (WHATWG URL), so it must not hide a host either.
            if byte == 0x2F || byte == ASCII.question || byte == 0x23 || byte == ASCII.backslash { break }
            authorityEnd += 1
        }
        var authority = bytes[scheme.count..<authorityEnd]
        if authorityEnd < bytes.count, bytes[authorityEnd] == ASCII.backslash { return nil }
        if let colon = authority.firstIndex(of: ASCII.colon) {
            guard authority[(colon + 1)...].elementsEqual("443".utf8) else { return nil }
            authority = authority[..<colon]
        }
        guard !authority.isEmpty, authority.last != 0x2E, authority.first != 0x2E else { return nil }
        for byte in authority {
            // Letters, digits, "-" and "." only: "@" (userinfo), "%", non-ASCII and everything else is refused.
            guard ASCII.isAlphanumeric(byte) || byte == 0x2D || byte == 0x2E else { return nil }
        }
        return ASCII.lowercasedString(authority)
    }
}

extension String {
    /// Lower-cases ASCII letters only, so that no Unicode case mapping can make two different addresses equal.
    func lowercasedASCII() -> String {
        let count = utf8.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            var index = 0
            for byte in utf8 {
                buffer[index] = ASCII.lower(byte)
                index += 1
            }
            return count
        }
    }
}
