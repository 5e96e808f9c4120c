import Foundation

/// How to reach the vendor's mailbox over IMAP. Certificates are always verified. The login (a password, or an
/// OAuth2 token a command prints before each connection) is handed to libcurl and its secret appears in no message,
/// error or description.
package struct IMAPSettings: Equatable, Sendable, CustomStringConvertible {
    package enum TLSMode: String, Equatable, Sendable {
        /// STARTTLS whenever the server offers it (imap://); imaps:// is always TLS. Without STARTTLS the login
        /// (and so the password) would go in clear: refused, unless the host is loopback (`LoopbackHost`).
        case auto
        /// Refuse to log in unless the connection is encrypted (imap:// without STARTTLS fails).
        case required
        /// STARTTLS whenever the server offers it, and a login in clear allowed without it: chosen on purpose.
        case none
    }

    /// `imap://host[:port]/MAILBOX` or `imaps://host[:port]/MAILBOX`, without user or password; the mailbox is
    /// percent-encoded UTF-8 and defaults to INBOX when the path is empty.
    package var url: String
    /// The login, asked for its credentials before each connection.
    var login: Login
    /// The folders to watch, by their UTF-8 names (`--folder`, `imap_folder`); empty: the URL's mailbox.
    package var folders: [String] = []
    package var tls: TLSMode = .auto
    /// A CA bundle for a private CA.
    var caFile: String?
    /// Seconds for the TCP connection, TLS and login.
    package var connectTimeout: Int = 10
    /// Seconds the server may stay silent while notifier waits for the rest of an answer.
    package var responseTimeout: Int = 30
    /// Seconds one command may take from the moment it is sent to its tagged answer, however busily the server
    /// talks meanwhile (`--timeout`); also the most one response may take once it has begun (IDLE's announcements).
    package var commandTimeout: Int = 120
    /// The largest message `IMAPClient.fetch` accepts (a bigger literal is read and dropped, never kept in memory).
    package var maxMessageSize: Int = 32 << 20
    /// The most untagged responses one command's answer may bring (or one IDLE, while it lasts). A real server
    /// sends a handful (EXAMINE), one per message asked for (FETCH) or one line (SEARCH).
    var maxUntaggedResponses = 10_000
    /// The most bytes one command's untagged responses may hold in memory: a message at most, and room for lines.
    var maxResponseBytes: Int { maxMessageSize + (16 << 20) }

    /// Whether libcurl must refuse to log in without TLS (CURLUSESSL_ALL): `required`, and `auto` with a host that
    /// is not loopback (the login always carries the password or token).
    var requiresTLS: Bool {
        tls == .required || (tls == .auto && !LoopbackHost.isLoopback(url: url))
    }

    package init(url: String, credentials: Credentials, tls: TLSMode = .auto, caFile: String? = nil) {
        self.init(url: url, login: .fixed(credentials), tls: tls, caFile: caFile)
    }

    package init(url: String, login: Login, tls: TLSMode = .auto, caFile: String? = nil) {
        self.url = url
        self.login = login
        self.tls = tls
        self.caFile = caFile
    }

    package var description: String {
        "IMAPSettings(url: \(url), login: \(login), tls: \(tls.rawValue), caFile: \(caFile ?? "-"))"
    }

    /// The parts of `url`: what libcurl connects to (the URL without the mailbox) and the mailbox's name.
    package struct Endpoint: Equatable, Sendable {
        /// `imap://host:port/` or `imaps://host:port/`: no mailbox, so libcurl never selects one itself.
        let serverURL: String
        /// The mailbox name as the user wrote it (decoded), e.g. `INBOX` or `受信箱/業者`.
        package let mailbox: String
    }

    /// Checks `url` and splits it; throws `InvalidValue`, whose reason follows "the IMAP URL" (or the option's
    /// name). A user name, a password, a query or a fragment in the URL is refused (without repeating the URL, which
    /// might carry a secret).
    package static func endpoint(of url: String) throws(InvalidValue) -> Endpoint {
        let (scheme, authority, path) = try ServerURL.parts(
            of: url, schemes: ["imap", "imaps"],
            usage: "must be imap://HOST[:PORT]/MAILBOX or imaps://HOST[:PORT]/MAILBOX")
        var mailbox = "INBOX"
        let encoded = path.drop { $0 == "/" }
        if !encoded.isEmpty {
            guard let decoded = String(encoded).removingPercentEncoding, !decoded.isEmpty else {
                throw InvalidValue("has a mailbox name that is not valid percent-encoded UTF-8")
            }
            mailbox = decoded
        }
        if mailbox.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw InvalidValue("has a mailbox name with a control character")
        }
        return Endpoint(serverURL: "\(scheme)://\(authority)/", mailbox: mailbox)
    }
}

/// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3) inside a quoted string. notifier never ENABLEs
/// UTF8=ACCEPT (RFC 6855), so every server, whatever it supports, gets and sends names in modified UTF-7.
enum IMAPMailboxName {
    /// `INBOX` → `"INBOX"`, `台北` → `"&U,BTFw-"` (RFC 3501's example), `A&B` → `"A&-B"`.
    static func quoted(_ name: String) -> String {
        let escaped = encoded(name).replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// The name in modified UTF-7, unquoted: printable ASCII stands for itself (`&` as `&-`); any other run of
    /// characters is UTF-16BE in base64 with `,` for `/` and no padding, between `&` and `-`. `迷惑メール` →
    /// `&j,dg0TDhMPww6w-` (the name Dovecot stores).
    static func encoded(_ name: String) -> String {
        var encoded = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            let base64 = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "/", with: ",").replacingOccurrences(of: "=", with: "")
            encoded += "&\(base64)-"
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                encoded += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return encoded
    }

    /// A name the server sent (LIST), back to UTF-8: nil when it is not valid modified UTF-7 (a base64 run that is
    /// not whole UTF-16, an unpaired surrogate, bytes outside printable ASCII), so that a hostile name is never
    /// mistaken for another.
    static func decoded(_ bytes: [UInt8]) -> String? {
        var result = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20 && byte <= 0x7E else { return nil }
            guard byte == UInt8(ascii: "&") else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            guard let end = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            let run = bytes[(index + 1)..<end]
            index = end + 1
            if run.isEmpty {
                result += "&"
                continue
            }
            // Modified base64 has "," where base64 has "/", and no padding.
            guard !run.contains(UInt8(ascii: "/")), !run.contains(UInt8(ascii: "=")) else { return nil }
            var base64 = String(decoding: run, as: UTF8.self).replacingOccurrences(of: ",", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), data.count % 2 == 0 else { return nil }
            var units: [UInt16] = []
            var at = data.startIndex
            while at < data.endIndex {
                units.append(UInt16(data[at]) << 8 | UInt16(data[at + 1]))
                at += 2
            }
            var text = ""
            var iterator = units.makeIterator()
            var decoder = UTF16()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    // Printable ASCII must stand for itself, never be encoded (RFC 3501 §5.1.3); control
                    // characters (C0, DEL, C1) have no place in a folder name shown to the user.
                    if scalar.value < 0xA0 { return nil }
                    text.unicodeScalars.append(scalar)
                case .emptyInput: break loop
                case .error: return nil
                }
            }
            result += text
        }
        return result
    }
}
