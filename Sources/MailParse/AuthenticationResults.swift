/// One Authentication-Results header field: who wrote it (the authserv-id) and what each method found.
///
/// ```
/// authres-header-field = "Authentication-Results:" authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo )
/// resinfo    = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
/// methodspec = [CFWS] method [CFWS] "=" [CFWS] result
/// propspec   = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
/// ```
/// Seen in practice: Microsoft 365 writes no authserv-id at all (the field starts with `spf=...`) and adds
/// `action=` and `compauth=`; comments stand anywhere; results and property names come in any case.
/// - SeeAlso: RFC 8601 §2.2
public struct AuthenticationResults: Sendable, Equatable {
    /// One method's result with its properties (`header.from`, `header.d`, `smtp.mailfrom`...), names lower-cased.
    public struct Result: Sendable, Equatable {
        public let method: String
        public let result: String
        public let properties: [String: String]
    }

    /// The authserv-id, lower-cased; nil in Microsoft 365's form, which has none.
    public let authservID: String?
    public let results: [Result]

    /// Parses the field's unfolded value; nil when it is not an Authentication-Results value at all.
    public static func parse(_ value: String) -> AuthenticationResults? {
        let segments = split(HeaderField.withoutComments(value))
        guard let first = segments.first else { return nil }
        var authservID: String?
        var resinfo = segments[...]
        if !first.contains("=") {
            // authserv-id [version]
            let head = first.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            guard let id = head.first else { return nil }
            authservID = String(id).lowercasedASCII()
            resinfo = segments.dropFirst()
        }
        let results = resinfo.compactMap(result(of:))
        guard authservID != nil || !results.isEmpty else { return nil }
        return AuthenticationResults(authservID: authservID, results: results)
    }

    /// methodspec then `name=value` and `ptype.property=value` pairs; "none" alone (no-result) gives nil.
    private static func result(of segment: String) -> Result? {
        let words = tokens(segment)
        guard words.count >= 3, words[1] == "=" else { return nil }
        let method = words[0].lowercasedASCII()
        let result = words[2].lowercasedASCII()
        var properties: [String: String] = [:]
        var index = 3
        while index < words.count {
            // ptype "." property "=" value
            if index + 4 < words.count, words[index + 1] == ".", words[index + 3] == "=" {
                let name = (words[index] + "." + words[index + 2]).lowercasedASCII()
                if properties[name] == nil { properties[name] = words[index + 4] }
                index += 5
            } else if index + 2 < words.count, words[index + 1] == "=" {
                // reasonspec, or Microsoft's action= / reason=
                let name = words[index].lowercasedASCII()
                if properties[name] == nil { properties[name] = words[index + 2] }
                index += 3
            } else {
                index += 1
            }
        }
        return Result(method: method, result: result, properties: properties)
    }

    /// Splits at ";" outside quoted strings.
    private static func split(_ value: String) -> [String] {
        var parts: [String] = []
        var current: [UInt8] = []
        var quoted = false
        for byte in value.utf8 {
            if byte == ASCII.quote { quoted.toggle() }
            if byte == ASCII.semicolon && !quoted {
                parts.append(String(decoding: current, as: UTF8.self))
                current = []
            } else {
                current.append(byte)
            }
        }
        parts.append(String(decoding: current, as: UTF8.self))
        return parts
    }

    /// Words, quoted strings (unquoted) and the specials "=" and "." where they separate a ptype from its property.
    private static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current: [UInt8] = []
        var quoted = false
        func flush() {
            if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
            current = []
        }
        for byte in text.utf8 {
            if quoted {
                if byte == ASCII.quote {
                    quoted = false
                    tokens.append(String(decoding: current, as: UTF8.self))
                    current = []
                } else {
                    current.append(byte)
                }
            } else if byte == ASCII.quote {
                flush()
                quoted = true
            } else if ASCII.isWhitespace(byte) {
                flush()
            } else if byte == 0x3D {
                flush()
                tokens.append("=")
            } else if byte == 0x2E && tokens.last != "=" {
                // "header.from": outside a value a "." separates a ptype from its property; inside one (right after
                // "=": a domain, an address) it stays in the value.
                flush()
                tokens.append(".")
            } else {
                current.append(byte)
            }
        }
        if quoted || !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
        return tokens
    }
}

extension AuthenticationResults {
    /// The host a Received field's `by` clause names, lower-cased, without a trailing dot.
    /// - SeeAlso: RFC 5321 §4.4 (the Received field's `by` clause)
    public static func receivedByHost(_ value: String) -> String? {
        let words = HeaderField.withoutComments(value).split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n"
        })
        guard let by = words.firstIndex(where: { $0.lowercased() == "by" }), by + 1 < words.count else { return nil }
        var host = String(words[by + 1]).lowercasedASCII()
        while host.hasSuffix(".") || host.hasSuffix(";") { host.removeLast() }
        return host.isEmpty ? nil : host
    }
}
