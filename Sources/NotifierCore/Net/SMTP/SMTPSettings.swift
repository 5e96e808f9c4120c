import Foundation

/// How to reach the SMTP server. The password is read from the environment, a file (`Credentials.password`) or a
/// command, an OAuth2 token from a command (`Login`); never from the command line.
package struct SMTPSettings: Equatable, Sendable {
    package enum TLSMode: String, Equatable, Sendable {
        /// STARTTLS whenever the server offers it (smtp://); smtps:// is always TLS. Without STARTTLS a message goes
        /// in clear, but a login does not: with a user set the server must offer STARTTLS, unless it is loopback.
        case auto
        /// Refuse to send unless the connection is encrypted.
        case required
        /// STARTTLS whenever the server offers it, and without it even the login goes in clear: for a server on a
        /// trusted network that has no TLS, chosen on purpose.
        case none
    }

    /// `smtp://host[:port]` or `smtps://host[:port]`, without user or password.
    package var url: String
    /// The login, when there is one: asked for its credentials before each connection (a token command runs then).
    package var login: Login?
    /// The login's credentials when they are fixed (a password from the environment or a file).
    package var credentials: Credentials? {
        get {
            if case .fixed(let credentials)? = login { return credentials }
            return nil
        }
        set { login = newValue.map(Login.fixed) }
    }
    package var tls: TLSMode = .auto
    /// A CA bundle for a private CA; certificates are always verified.
    package var caFile: String?
    package var connectTimeout: Int = 10
    /// How long one server reply may take.
    package var responseTimeout: Int = 30
    /// How long one whole message may take.
    package var timeout: Int = 120

    package init(
        url: String,
        credentials: Credentials? = nil,
        tls: TLSMode = .auto,
        caFile: String? = nil,
        connectTimeout: Int = 10,
        responseTimeout: Int = 30,
        timeout: Int = 120
    ) {
        self.url = url
        self.login = credentials.map(Login.fixed)
        self.tls = tls
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.timeout = timeout
    }

    /// Whether libcurl must refuse to go on without TLS (CURLUSESSL_ALL): with `required`, and with `auto` when a
    /// password or a token would otherwise go in clear to a host that is not loopback (RFC 4954 §4: a plaintext
    /// mechanism needs an encrypted channel; a bearer token is as good as a password).
    var requiresTLS: Bool {
        tls == .required || (tls == .auto && login != nil && !LoopbackHost.isLoopback(url: url))
    }

    /// Whether TLS is required only because of the login (`auto` with credentials): the refusal then says so.
    var requiresTLSForLogin: Bool { tls == .auto && requiresTLS }

    /// Checks a URL from the command line or the configuration; throws `InvalidValue`, whose reason follows the
    /// option's name (`--smtp must be ...`). A URL with a password in it is refused without repeating it (argv is
    /// visible to every user of the machine).
    package static func validatedURL(_ url: String) throws(InvalidValue) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty
        else {
            throw InvalidValue("must be smtp://HOST[:PORT] or smtps://HOST[:PORT]")
        }
        if components.password != nil {
            throw InvalidValue("must not carry a password: set NOTIFIER_SMTP_PASSWORD or smtp_password_file instead")
        }
        if components.user != nil {
            throw InvalidValue("must not carry a user name: use --smtp-user or smtp_user")
        }
        if !(components.path.isEmpty || components.path == "/") || components.query != nil {
            throw InvalidValue("takes no path or query (the client name is notifier's own)")
        }
        return url
    }
}
