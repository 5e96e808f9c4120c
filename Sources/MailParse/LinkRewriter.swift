/// Link rewriters of mail security gateways, which replace every link of a message with one through their own
/// server. The reversible ones carry the original URL, which is recovered exactly and judged by the same host rules;
/// the opaque ones (Mimecast and the like) keep it on their server, so the issuer's URL cannot be known from the mail.
public enum LinkRewriter {
    /// What a URL is, seen from the rewriters.
    public enum Verdict: Sendable, Equatable {
        /// Not a known rewriter's URL.
        case plain
        /// A reversible rewriter's URL and the URL it stands for (unwrapped again if that one was rewritten too).
        case unwrapped(url: String, gateway: String)
        /// An opaque rewriter's URL, or a reversible one whose original could not be read.
        case opaque(gateway: String)
    }

    static let safeLinks = "Safe Links"
    static let proofpoint = "Proofpoint URL Defense"

    /// Host suffixes of opaque rewriters and the name of their gateway.
    private static let opaqueHosts: [(suffix: String, gateway: String)] = [
        (".mimecast.com", "Mimecast"), (".mimecastprotect.com", "Mimecast"),
        ("linkprotect.cudasvc.com", "Barracuda Link Protection"), ("secure-web.cisco.com", "Cisco Secure Email"),
        (".trendmicro.com", "Trend Micro"), ("clicktime.symantec.com", "Symantec Click-Time"),
        (".protection.sophos.com", "Sophos"), ("safe.menlosecurity.com", "Menlo Security"),
        ("urlsand.esvalabs.com", "ESVA"), (".fireeye.com", "Trellix (FireEye)"),
    ]

    /// Looks through up to three layers of rewriting (a Proofpoint link that Safe Links rewrote again).
    public static func examine(_ url: String) -> Verdict {
        var current = url
        var gateways: [String] = []
        for _ in 0..<3 {
            guard let parts = URLParts(current) else { break }
            if let gateway = opaqueGateway(host: parts.host) { return .opaque(gateway: gateway) }
            let step: (String?, String)?
            if isSafeLinksHost(parts.host) {
                step = (safeLinksInner(parts), safeLinks)
            } else if parts.host == "urldefense.proofpoint.com" || parts.host == "urldefense.com" {
                step = (proofpointInner(parts), proofpoint)
            } else {
                step = nil
            }
            guard let (inner, gateway) = step else { break }
            guard let inner else { return .opaque(gateway: gateway) }
            gateways.append(gateway)
            current = inner
        }
        guard !gateways.isEmpty else { return .plain }
        return .unwrapped(url: current, gateway: gateways.joined(separator: " and "))
    }

    private static func opaqueGateway(host: String) -> String? {
        for (suffix, gateway) in opaqueHosts {
            if suffix.hasPrefix(".") ? endsWith(host, suffix) : host == suffix { return gateway }
        }
        return nil
    }

    /// Byte comparison of the end of a host name (String.hasSuffix compares characters, slowly; hosts are ASCII).
    private static func endsWith(_ host: String, _ suffix: String) -> Bool {
        let count = suffix.utf8.count
        return host.utf8.count >= count && host.utf8.suffix(count).elementsEqual(suffix.utf8)
    }

    /// `*.safelinks.protection.outlook.com` (and the sovereign clouds' `.office365.us`, `.outlook.cn`, `.outlook.de`).
    private static func isSafeLinksHost(_ host: String) -> Bool {
        for suffix in [
            ".safelinks.protection.outlook.com", ".safelinks.protection.office365.us",
            ".safelinks.protection.outlook.cn", ".safelinks.protection.outlook.de",
        ]
        where endsWith(host, suffix) || host.utf8.elementsEqual(suffix.utf8.dropFirst()) {
            return true
        }
        return false
    }

    /// Safe Links: `https://nam12.safelinks.protection.outlook.com/?url=<percent-encoded>&data=…&sdata=…&reserved=0`.
    /// The original is the `url` parameter, percent-decoded once (as a form value: `+` is a space).
    private static func safeLinksInner(_ parts: URLParts) -> String? {
        guard let value = parts.queryValue("url") else { return nil }
        return validURL(percentDecoded(value, plusIsSpace: true))
    }

    /// Proofpoint URL Defense, as its published decoder reads it:
    /// - v1 `…/v1/url?u=<percent-encoded>&k=…`;
    /// - v2 `…/v2/url?u=<encoded>&d=…`, where `-XX` stands for `%XX` and `_` for `/`;
    /// - v3 `…/v3/__<url>__;<base64url>!!…$`, where each `*` in the URL stands for the next character of the
    ///   base64url text, and `**X` for a run of them (X from `A`=2 to `_`=65).
    private static func proofpointInner(_ parts: URLParts) -> String? {
        if parts.pathHasPrefix("/v1/url?") || parts.pathHasPrefix("/v2/url?") {
            guard let value = parts.queryValue("u") else { return nil }
            var bytes = Array(value.utf8)
            if parts.pathHasPrefix("/v2/") {
                bytes = bytes.map { $0 == 0x2D ? 0x25 : $0 == 0x5F ? 0x2F : $0 }
            }
            guard let decoded = percentDecoded(bytes, plusIsSpace: false) else { return nil }
            return validURL(HTMLText.decodeEntities(decoded))
        }
        guard parts.pathHasPrefix("/v3/__") else { return nil }
        let rest = Array(parts.pathAndQuery.utf8.dropFirst("/v3/__".count))
        // The URL runs to the first "__;" (or "__!" when nothing was replaced); the replaced characters to "!".
        var end = 0
        var encoded: ArraySlice<UInt8> = []
        while end + 2 < rest.count {
            if rest[end] == 0x5F, rest[end + 1] == 0x5F, rest[end + 2] == 0x3B || rest[end + 2] == 0x21 { break }
            end += 1
        }
        guard end + 2 < rest.count else { return nil }
        if rest[end + 2] == 0x3B {
            let start = end + 3
            let stop = rest[start...].firstIndex(of: 0x21) ?? rest.count
            encoded = rest[start..<stop]
        }
        var urlBytes = Array(rest[..<end])
        // "https:/host" (one slash, as v3 sometimes writes it) is "https://host".
        if let colon = urlBytes.firstIndex(of: 0x3A), colon + 2 < urlBytes.count, urlBytes[colon + 1] == 0x2F,
            urlBytes[colon + 2] != 0x2F,
            urlBytes[..<colon].allSatisfy({ ASCII.isAlphanumeric($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        {
            urlBytes.insert(0x2F, at: colon + 1)
        }
        guard let template = percentDecoded(urlBytes, plusIsSpace: false) else { return nil }
        let replaced = TransferEncoding.decodeBase64(encoded)
        guard let replacements = String(validating: replaced, as: UTF8.self).map({ Array($0.unicodeScalars) })
        else { return nil }
        var output = String.UnicodeScalarView()
        let scalars = Array(template.unicodeScalars)
        var index = 0
        var marker = 0
        while index < scalars.count {
            guard scalars[index] == "*" else {
                output.append(scalars[index])
                index += 1
                continue
            }
            var run = 1
            if index + 2 < scalars.count, scalars[index + 1] == "*", let length = runLength(scalars[index + 2]) {
                run = length
                index += 3
            } else {
                index += 1
            }
            guard marker + run <= replacements.count else { return nil }
            output.append(contentsOf: replacements[marker..<(marker + run)])
            marker += run
        }
        return validURL(String(output))
    }

    /// `A`…`Z` = 2…27, `a`…`z` = 28…53, `0`…`9` = 54…63, `-` = 64, `_` = 65.
    private static func runLength(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x41...0x5A: return Int(scalar.value) - 0x41 + 2
        case 0x61...0x7A: return Int(scalar.value) - 0x61 + 28
        case 0x30...0x39: return Int(scalar.value) - 0x30 + 54
        case 0x2D: return 64
        case 0x5F: return 65
        default: return nil
        }
    }

    /// An http(s) URL with nothing in it that a URL cannot hold (white space, controls), else nil.
    private static func validURL(_ text: String?) -> String? {
        guard let text, URLParts(text) != nil,
            text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else { return nil }
        return text
    }

    private static func percentDecoded(_ text: String, plusIsSpace: Bool) -> String? {
        percentDecoded(Array(text.utf8), plusIsSpace: plusIsSpace)
    }

    /// `%XX` to its byte; the result must be UTF-8. A `%` without two hex digits is kept as it is.
    private static func percentDecoded(_ bytes: [UInt8], plusIsSpace: Bool) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x25, index + 2 < bytes.count, let high = ASCII.hexValue(bytes[index + 1]),
                let low = ASCII.hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(plusIsSpace && byte == 0x2B ? ASCII.space : byte)
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self)
    }
}
