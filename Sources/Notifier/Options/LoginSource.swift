import NotifierCore

/// The login settings IMAP and SMTP share (`imap_auth`, `imap_password_file`, `imap_password_command`,
/// `imap_token_command`; the same with `smtp_`), turned into a `Login`: with `password`, the password from the
/// environment variable, else the file, else the command (a file and a command together are a usage error); with
/// `xoauth2` or `oauthbearer`, the token command, which runs before each connection.
struct LoginSource {
    /// `IMAP` or `SMTP`.
    let service: String
    /// `imap` or `smtp`: the prefix of the flags and keys.
    let prefix: String
    let user: String
    let method: AuthMethod
    let passwordFile: String?
    let passwordCommand: String?
    let tokenCommand: String?

    /// The environment variable that holds the password (`NOTIFIER_IMAP_PASSWORD`).
    var variable: String { "NOTIFIER_\(service)_PASSWORD" }

    /// The login, or nil when `password` finds no password anywhere (the caller says what is missing).
    func login(environment: [String: String]) throws -> Login? {
        func name(_ what: String) -> String { "--\(prefix)-\(what)-command (\(prefix)_\(what)_command)" }
        if passwordFile != nil && passwordCommand != nil {
            throw UsageError(
                "give --\(prefix)-password-file or --\(prefix)-password-command (\(prefix)_password_file or "
                    + "\(prefix)_password_command), not both")
        }
        guard method.bearerMechanism != nil else {
            if tokenCommand != nil {
                throw UsageError(
                    "--\(prefix)-token-command (\(prefix)_token_command) is for --\(prefix)-auth xoauth2 or "
                        + "oauthbearer; give --\(prefix)-auth (\(prefix)_auth) too, or drop the token command")
            }
            if let credentials = try Credentials.password(
                user: user, variable: variable, passwordFile: passwordFile, environment: environment,
                service: service)
            {
                return .fixed(credentials)
            }
            guard let passwordCommand else { return nil }
            let command = SecretCommand(
                command: passwordCommand, name: name("password"), secret: "password", environment: environment)
            return .command(user: user, method: .password, command)
        }
        guard let tokenCommand else {
            throw UsageError(
                "--\(prefix)-auth \(method.rawValue) takes its access token from a command: set "
                    + "--\(prefix)-token-command CMD (\(prefix)_token_command), a program that prints a fresh token "
                    + "(mutt_oauth2.py, oama...)")
        }
        let command = SecretCommand(
            command: tokenCommand, name: name("token"), secret: "token", environment: environment)
        return .command(user: user, method: method, command)
    }
}

extension AuthMethod {
    /// The help text of `--imap-auth` and `--smtp-auth`.
    static func help(_ prefix: String) -> String {
        "password (the default), or xoauth2 or oauthbearer: log in with an OAuth2 access token (Microsoft 365, "
            + "Gmail) that --\(prefix)-token-command prints before each connection"
    }
}
