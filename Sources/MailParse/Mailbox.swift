/// One mailbox of an address header: an optional display name and the addr-spec that mail is actually sent to.
/// - SeeAlso: RFC 5322 §3.4
public struct Mailbox: Sendable, Equatable, CustomStringConvertible {
    /// The display name, decoded (RFC 2047 words, quoted strings unescaped), or nil when there is none.
    public let displayName: String?
    /// The local part, unquoted and unescaped.
    public let localPart: String
    /// The domain as written (a domain literal keeps its brackets).
    public let domain: String

    public init(displayName: String?, localPart: String, domain: String) {
        self.displayName = displayName
        self.localPart = localPart
        self.domain = domain
    }

    /// `local@domain`: what trust decisions compare, never the display name.
    public var addrSpec: String { "\(localPart)@\(domain)" }

    public var description: String {
        if let displayName, !displayName.isEmpty { return "\(displayName) <\(addrSpec)>" }
        return addrSpec
    }

    /// Parses an address-list header value (From, To, Cc, Reply-To). Groups are flattened; an address that does not
    /// parse is left out. Structure is read before encoded words are decoded, so a display name that decodes to
    /// `<trusted@example>` stays a display name.
    public static func parseList(_ raw: ArraySlice<UInt8>) -> [Mailbox] {
        AddressParser(text: EncodedWords.headerText(raw)).parseList()
    }
}

/// A tokenizer and parser for RFC 5322 address lists, lenient where mailers are ("seen in practice" below).
struct AddressParser {
    private enum Token: Equatable {
        case word(String, quoted: Bool)
        case special(UInt8)
        case domainLiteral(String)
        case comment(String)
    }

    private let bytes: [UInt8]

    init(text: String) { bytes = Array(text.utf8) }

    func parseList() -> [Mailbox] {
        let tokens = tokenize()
        var mailboxes: [Mailbox] = []
        var current: [Token] = []
        var angleDepth = 0
        for token in tokens {
            switch token {
            case .special(0x3C): angleDepth += 1
            case .special(0x3E): angleDepth = max(0, angleDepth - 1)
            default: break
            }
            if angleDepth == 0, token == .special(0x2C) || token == .special(ASCII.semicolon) {
                if let mailbox = mailbox(from: current) { mailboxes.append(mailbox) }
                current = []
            } else if angleDepth == 0, token == .special(ASCII.colon) {
                current = []  // "group-name:" — the members follow (RFC 5322 §3.4 group)
            } else {
                current.append(token)
            }
        }
        if let mailbox = mailbox(from: current) { mailboxes.append(mailbox) }
        return mailboxes
    }

    /// name-addr = [display-name] angle-addr / addr-spec, with a trailing comment as the name of a bare addr-spec
    /// (`a@example (Name)`, the obsolete style).
    private func mailbox(from tokens: [Token]) -> Mailbox? {
        if let open = tokens.firstIndex(of: .special(0x3C)) {
            let close = tokens[open...].firstIndex(of: .special(0x3E)) ?? tokens.endIndex
            var inner = Array(tokens[(open + 1)..<close])
            // obs-route: "<@a.example,@b.example:user@c.example>" — the route is dropped (RFC 5322 §4.4).
            if let colon = inner.firstIndex(of: .special(ASCII.colon)), inner.first == .special(0x40) {
                inner = Array(inner[(colon + 1)...])
            }
            guard let (local, domain) = addrSpec(inner) else { return nil }
            return Mailbox(displayName: phrase(Array(tokens[..<open])), localPart: local, domain: domain)
        }
        let addressTokens = tokens.filter { if case .comment = $0 { return false } else { return true } }
        guard let (local, domain) = addrSpec(addressTokens) else { return nil }
        var name: String?
        for case .comment(let text) in tokens.reversed() {
            name = EncodedWords.decode(text).trimmingWhitespace()
            break
        }
        return Mailbox(displayName: name, localPart: local, domain: domain)
    }

    /// addr-spec = local-part "@" domain. Exactly one unquoted "@"; anything else is no address.
    ///
    /// White space (or a comment) may stand around "@" and "." (obs-local-part, obs-domain: `nyusatsu @ example.jp`
    /// is valid), but never between two words: `nyu satsu@example.jp` and `nyusatsu@exa mple.jp` are no address at
    /// all, rather than `nyusatsu@example.jp` with the space dropped.
    /// - SeeAlso: RFC 5322 §3.4.1, §4.4
    private func addrSpec(_ tokens: [Token]) -> (String, String)? {
        let parts = tokens.filter { if case .comment = $0 { return false } else { return true } }
        let ats = parts.indices.filter { parts[$0] == .special(0x40) }
        guard ats.count == 1, let at = ats.first else { return nil }
        // Words are joined only by dots: "Big Bug bb@bug.com" is words before an addr-spec, not the address
        // "BigBugbb@bug.com", which is nowhere in the field (RFC 5322 §3.4.1 dot-atom, §4.4 obs-local-part).
        var local = ""
        var afterWord = false
        for token in parts[..<at] {
            switch token {
            case .word(let text, _) where !afterWord:
                local += text
                afterWord = true
            case .special(0x2E):
                local += "."
                afterWord = false
            default: return nil
            }
        }
        var domain = ""
        afterWord = false
        for token in parts[(at + 1)...] {
            switch token {
            case .word(let text, quoted: false) where !afterWord:
                domain += text
                afterWord = true
            case .domainLiteral(let text) where !afterWord:
                domain += "[\(text)]"
                afterWord = true
            case .special(0x2E):
                domain += "."
                afterWord = false
            default: return nil
            }
        }
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        return (local, domain)
    }

    /// display-name = phrase: words joined by single spaces, then RFC 2047 words decoded (adjacent encoded words
    /// join without the space). Encoded words inside quoted strings are decoded too (seen in practice).
    private func phrase(_ tokens: [Token]) -> String? {
        var words: [String] = []
        for token in tokens {
            switch token {
            case .word(let text, _): words.append(text)
            case .special(0x2E):  // obs-phrase allows "." (RFC 5322 §4.1): "J. Smith"
                if words.isEmpty { words.append(".") } else { words[words.count - 1] += "." }
            default: continue
            }
        }
        guard !words.isEmpty else { return nil }
        let name = EncodedWords.decode(words.joined(separator: " ")).trimmingWhitespace()
        return name.isEmpty ? nil : name
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, ASCII.colon, ASCII.semicolon, 0x40, ASCII.backslash, 0x2C, 0x2E,
            ASCII.quote:
            return true
        default:
            return false
        }
    }

    private func tokenize() -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if ASCII.isWhitespace(byte) {
                index += 1
            } else if byte == ASCII.quote {
                // quoted-string: quoted-pair escapes; an unterminated one runs to the end (seen in practice).
                var value: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != ASCII.quote {
                    if bytes[index] == ASCII.backslash, index + 1 < bytes.count { index += 1 }
                    if bytes[index] != ASCII.cr && bytes[index] != ASCII.lf { value.append(bytes[index]) }
                    index += 1
                }
                index += 1
                tokens.append(.word(String(decoding: value, as: UTF8.self), quoted: true))
            } else if byte == 0x28 {
                // comment, nested, with quoted-pairs (RFC 5322 §3.2.2)
                var depth = 0
                var value: [UInt8] = []
                while index < bytes.count {
                    let current = bytes[index]
                    if current == ASCII.backslash, index + 1 < bytes.count {
                        value.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    if current == 0x28 {
                        depth += 1
                        if depth > 1 { value.append(current) }
                    } else if current == 0x29 {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            break
                        }
                        value.append(current)
                    } else {
                        value.append(current)
                    }
                    index += 1
                }
                tokens.append(.comment(String(decoding: value, as: UTF8.self)))
            } else if byte == 0x5B {
                var value: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != 0x5D {
                    if !ASCII.isWhitespace(bytes[index]) { value.append(bytes[index]) }
                    index += 1
                }
                index += 1
                tokens.append(.domainLiteral(String(decoding: value, as: UTF8.self)))
            } else if Self.isSpecial(byte) {
                tokens.append(.special(byte))
                index += 1
            } else {
                let start = index
                while index < bytes.count, !ASCII.isWhitespace(bytes[index]), !Self.isSpecial(bytes[index]) {
                    index += 1
                }
                tokens.append(.word(String(decoding: bytes[start..<index], as: UTF8.self), quoted: false))
            }
        }
        return tokens
    }
}
