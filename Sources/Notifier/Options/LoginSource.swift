import NotifierCore

/// The login settings IMAP, POP3 and SMTP share (`imap_auth`, `imap_password_file`, `imap_password_command`,
/// `imap_token_command`; the same with `pop3_` and `smtp_`), turned into a `Login`: with `password`, the password from the
/// environment variable, else the file, else the command (a file and a command together are a usage error); with
/// `xoauth2` or `oauthbearer`, the token command, which runs before each connection.
struct LoginSource {
    /// `IMAP`, `POP3` or `SMTP`.
    let service: String
    /// `imap`, `pop3` or `smtp`: the prefix of the flags and keys.
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

extension LoginSource {
    /// The server URL (without a user part) and the login of a watched mailbox (`watch --imap`, `watch --pop3`):
    /// the user from `--PREFIX-user`, else the URL's user part (a usage error without either), and a password or
    /// token as `login` finds it (a configuration error when there is none).
    static func mailbox(
        service: String, prefix: String, url: String?, user: String?, auth: AuthMethod?, passwordFile: String?,
        passwordCommand: String?, tokenCommand: String?, environment: [String: String]
    ) throws -> (url: String, login: Login) {
        let (url, user) = ServerAccount.split(url: url, user: user)
        guard let user, !user.isEmpty else {
            throw UsageError("watch --\(prefix): give --\(prefix)-user USER (or USER@ in the URL)")
        }
        let source = LoginSource(
            service: service, prefix: prefix, user: user, method: auth ?? .password, passwordFile: passwordFile,
            passwordCommand: passwordCommand, tokenCommand: tokenCommand)
        guard let login = try source.login(environment: environment) else {
            throw ConfigurationError(
                "watch --\(prefix): no password: set \(source.variable), --\(prefix)-password-file or "
                    + "--\(prefix)-password-command (or --\(prefix)-auth xoauth2 with --\(prefix)-token-command)")
        }
        return (url, login)
    }

    /// The rows `--PREFIX-password-command`, `--PREFIX-auth` and `--PREFIX-token-command` (keys `PREFIX_...`) of an
    /// option group that logs in to `service` (`IMAP`, `POP3`, `SMTP`); `reconnects`: the token command also runs
    /// at each reconnect (a watch), said in its help.
    static func options<Group>(
        service: String, prefix: String, passwordCommand: WritableKeyPath<Group, String?>,
        auth: WritableKeyPath<Group, AuthMethod?>, tokenCommand: WritableKeyPath<Group, String?>, reconnects: Bool
    ) -> [Option<Group>] {
        [
            .value(
                "--\(prefix)-password-command", key: "\(prefix)_password_command", "CMD", passwordCommand,
                "a command that prints the \(service) password (run with /bin/sh -c before each connection, as "
                    + "msmtp's passwordeval); used when NOTIFIER_\(service)_PASSWORD and --\(prefix)-password-file "
                    + "give none", parse: Parse.text),
            .value(
                "--\(prefix)-auth", key: "\(prefix)_auth", "METHOD", auth, AuthMethod.help(prefix), parse: Parse.choice),
            .value(
                "--\(prefix)-token-command", key: "\(prefix)_token_command", "CMD", tokenCommand,
                "with --\(prefix)-auth xoauth2 or oauthbearer: a command that prints a fresh OAuth2 access token on "
                    + "its standard output (run with /bin/sh -c before each connection"
                    + (reconnects ? ", each reconnect too" : "") + "; 30 s at most); its failure is exit 77, with what "
                    + "it said on its standard error", parse: Parse.text),
        ]
    }
}

extension AuthMethod {
    /// The help text of `--imap-auth` and `--smtp-auth`.
    static func help(_ prefix: String) -> String {
        "password (the default), or xoauth2 or oauthbearer: log in with an OAuth2 access token (Microsoft 365, "
            + "Gmail) that --\(prefix)-token-command prints before each connection"
    }
}
