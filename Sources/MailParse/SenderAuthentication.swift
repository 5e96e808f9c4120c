/// Whether the vendor's own receiving server vouched for a message's sender: an Authentication-Results field that
/// this server wrote says `dmarc=pass` for the sender's domain, or `dkim=pass` for a domain aligned with it.
///
/// Which fields the server wrote: anyone can put an Authentication-Results field into a message, so only fields
/// bearing one of the policy's authserv-ids count (RFC 8601 §5 has the server remove such fields that come from
/// outside), and only those the server added on receipt. The message entered the server at the bottom-most
/// Received field whose `by` host is the authserv-id or below it: fields above that field were added after receipt.
/// Gmail alone writes its own Received, Received-SPF and Authentication-Results in that order, so for its entry
/// the first Authentication-Results field directly below the Received field (after any Received-SPF) counts too,
/// and no later one: what follows came with the message. For any other server a field below its entry came with
/// the message.
///
/// Microsoft 365 writes its fields with no authserv-id (`spf=pass ...; dkim=pass ...; dmarc=pass action=none
/// header.from=...; compauth=pass`); they count when the policy names `protection.outlook.com`, the name its
/// receiving hosts and Received-SPF use.
///
/// Alignment is RFC 7489's relaxed mode, read conservatively without a public-suffix list: the DKIM domain is the
/// sender's domain, a parent of it, or a child of it, never a public suffix such as `or.jp`.
/// - SeeAlso: RFC 8601 §5, §7; RFC 7489 §3.1.1
public enum SenderAuthentication {
    /// The pseudo authserv-id of Microsoft 365's Authentication-Results fields, which carry none.
    public static let microsoft365 = "protection.outlook.com"

    /// Whether a counted field vouches for `domain`.
    public static func vouches(for domain: String, headers: Headers, authservIDs: [String]) -> Bool {
        let ids = authservIDs.map { $0.lowercasedASCII() }
        let domain = domain.lowercasedASCII()
        return countedFields(headers, ids: ids).contains { field in
            guard let results = AuthenticationResults.parse(EncodedWords.headerText(field.rawValue)) else {
                return false
            }
            if let id = results.authservID {
                guard ids.contains(id) else { return false }
            } else {
                guard ids.contains(microsoft365) else { return false }
            }
            return results.results.contains { result in
                guard result.result == "pass" else { return false }
                switch result.method {
                case "dmarc":
                    return result.properties["header.from"].map { bare($0) == domain } ?? false
                case "dkim":
                    let signer = result.properties["header.d"] ?? result.properties["header.i"].map(domainOf)
                    return signer.map { aligned(bare($0), domain) } ?? false
                default:
                    return false
                }
            }
        }
    }

    /// The Authentication-Results fields the vendor's server added on receipt (see the type's comment).
    static func countedFields(_ headers: Headers, ids: [String]) -> [HeaderField] {
        let fields = headers.fields
        var entry: (index: Int, host: String)?
        for index in fields.indices.reversed() where fields[index].key == "received" {
            guard let host = AuthenticationResults.receivedByHost(EncodedWords.headerText(fields[index].rawValue)),
                ids.contains(where: { host == $0 || host.hasSuffix("." + $0) })
            else { continue }
            entry = (index, host)
            break
        }
        guard let entry else { return [] }
        var counted = fields[..<entry.index].filter { $0.key == "authentication-results" }
        guard writesBelowItsReceived.contains(entry.host) else { return counted }
        var next = entry.index + 1
        while next < fields.count, fields[next].key == "received-spf" { next += 1 }
        if next < fields.count, fields[next].key == "authentication-results" { counted.append(fields[next]) }
        return counted
    }

    /// Two domains aligned in relaxed mode: the same, or one a subdomain of the other that is no public suffix.
    static func aligned(_ signer: String, _ domain: String) -> Bool {
        if signer == domain { return true }
        let (parent, child) = signer.count < domain.count ? (signer, domain) : (domain, signer)
        guard child.hasSuffix("." + parent) else { return false }
        let labels = parent.split(separator: ".")
        guard labels.count >= 2 else { return false }
        return !(labels.count == 2 && twoLevelSuffixes.contains(parent))
    }

    /// Receiving hosts that put their Authentication-Results field below their own Received field.
    static let writesBelowItsReceived: Set<String> = ["mx.google.com"]

    /// Second-level public suffixes under which an organisation's domain has three labels (`to-kousya.or.jp`).
    static let twoLevelSuffixes: Set<String> = [
        "ac.jp", "ad.jp", "co.jp", "ed.jp", "go.jp", "gr.jp", "lg.jp", "ne.jp", "or.jp", "co.uk", "org.uk", "ac.uk",
        "gov.uk", "com.au", "net.au", "org.au", "co.nz", "com.cn", "com.tw", "co.kr", "com.br", "com.sg", "com.hk",
    ]

    private static func bare(_ value: String) -> String {
        var text = value.lowercasedASCII()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The domain of `header.i` (`@example.jp` or `user@example.jp`).
    private static func domainOf(_ identity: String) -> String {
        identity.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? identity
    }
}
