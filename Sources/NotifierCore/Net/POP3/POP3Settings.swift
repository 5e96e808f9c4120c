import Foundation

/// How to reach the vendor's mailbox over POP3. Certificates are always verified. The login (a password, or an
/// OAuth2 token from a command, asked for before each session) is handed to libcurl, and its secret appears in no
/// message, error or description.
package struct POP3Settings: Equatable, Sendable, CustomStringConvertible {
    /// The same modes as IMAP's (`IMAPSettings.TLSMode`): `auto` uses STLS when offered and refuses a login in clear
    /// to a host that is not loopback; `required` refuses any login without TLS; `none` allows a login in clear.
    package typealias TLSMode = IMAPSettings.TLSMode

    /// `pop3://host[:port]` or `pop3s://host[:port]`, without user, password or path.
    package var url: String
    /// The login, asked for its credentials before each session.
    var login: Login
    package var tls: TLSMode = .auto
    /// A CA bundle for a private CA.
    var caFile: String?
    /// Seconds for the TCP connection, TLS and login.
    package var connectTimeout: Int = 10
    /// Seconds the server may stay silent while notifier waits for an answer.
    package var responseTimeout: Int = 30
    /// Seconds one command may take, from the moment it is sent to the end of its answer (`--timeout`).
    package var commandTimeout: Int = 120
    /// The largest message read (`--max-message-size`): a larger one is never downloaded.
    package var maxMessageSize: Int = 32 << 20
    /// The most bytes a message's header section (TOP n 0) may have: a real one has a few kilobytes.
    var maxHeaderSize: Int { min(maxMessageSize, 1 << 20) }

    /// Whether libcurl must refuse to log in without TLS (CURLUSESSL_ALL): `required`, and `auto` with a host that
    /// is not loopback (the login always carries the password).
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
        "POP3Settings(url: \(url), user: \(login.user), tls: \(tls.rawValue), caFile: \(caFile ?? "-"))"
    }

    /// Checks `url` and returns what libcurl connects to, `pop3[s]://host[:port]/`; throws `InvalidValue`, whose
    /// reason follows "the POP3 URL" (or the option's name). A user name, a password, a path (libcurl would read it
    /// as a message number), a query or a fragment is refused, without repeating the URL (it might carry a secret).
    package static func serverURL(of url: String) throws(InvalidValue) -> String {
        let (scheme, authority, path) = try ServerURL.parts(
            of: url, schemes: ["pop3", "pop3s"], usage: "must be pop3s://HOST[:PORT] or pop3://HOST[:PORT]")
        if path.contains(where: { $0 != "/" }) {
            throw InvalidValue("takes no path: a POP3 server has one mailbox per user")
        }
        return "\(scheme)://\(authority)/"
    }
}
