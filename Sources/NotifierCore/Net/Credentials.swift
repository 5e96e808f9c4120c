import Foundation

/// How notifier proves who it is to a mail server, SMTP or IMAP: a user and a password, or a user and an OAuth2
/// access token sent with SASL XOAUTH2 or OAUTHBEARER (`EasyHandle.connectOnly`). The secret is in no description.
package enum Credentials: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    case password(user: String, password: String)
    case bearer(user: String, token: String, mechanism: BearerMechanism)

    var user: String {
        switch self {
        case .password(let user, _), .bearer(let user, _, _): user
        }
    }

    package var description: String {
        switch self {
        case .password(let user, _): "password(user: \(user))"
        case .bearer(let user, _, let mechanism): "bearer(user: \(user), mechanism: \(mechanism.rawValue))"
        }
    }

    package var debugDescription: String { description }

    /// The one reader of a secret, never from the command line: the environment variable `variable` when set and not
    /// empty, else the first line of `passwordFile`; nil when neither gives one. A password file with any group or
    /// other permission bit (0640, 0660, 0604...) is refused, as ssh refuses a key others could read: the README
    /// promises 0600. `service` (`SMTP`, `IMAP`) names the file in messages; no message holds the secret.
    package static func password(
        user: String, variable: String, passwordFile: String?, environment: [String: String], service: String
    ) throws(PasswordFileError) -> Credentials? {
        if let value = environment[variable], !value.isEmpty { return .password(user: user, password: value) }
        guard let path = passwordFile else { return nil }
        func failure(_ problem: PasswordFileError.Problem) -> PasswordFileError {
            PasswordFileError(service: service, path: path, problem: problem)
        }
        var status = stat()
        guard stat(path, &status) == 0 else { throw failure(.unreadable(String(cString: strerror(errno)))) }
        let mode = Int(status.st_mode & 0o777)
        if mode & 0o077 != 0 { throw failure(.tooOpen(mode: mode)) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw failure(.unreadable(nil)) }
        let password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !password.isEmpty else { throw failure(.empty) }
        return .password(user: user, password: password)
    }
}

/// A password file that cannot be used: missing, unreadable, open to others, or empty.
package struct PasswordFileError: NotifierError, Equatable {
    enum Problem: Equatable, Sendable {
        /// With strerror's words when stat(2) failed.
        case unreadable(String?)
        case tooOpen(mode: Int)
        case empty
    }

    /// `SMTP` or `IMAP`.
    let service: String
    let path: String
    let problem: Problem

    package var message: String {
        switch problem {
        case .unreadable(let reason?): "cannot read the \(service) password file \(path): \(reason)"
        case .unreadable(nil): "cannot read the \(service) password file \(path)"
        case .tooOpen(let mode):
            "the \(service) password file \(path) has mode \(String(mode, radix: 8)): its group or other users may "
                + "read or change it; chmod 600 \(path)"
        case .empty: "the \(service) password file \(path) is empty"
        }
    }
}

/// The SASL mechanism that carries an OAuth2 access token: Google's XOAUTH2 (Gmail, Microsoft 365) or RFC 7628's
/// OAUTHBEARER.
package enum BearerMechanism: String, Equatable, Sendable {
    case xoauth2 = "XOAUTH2"
    case oauthbearer = "OAUTHBEARER"
}

/// How notifier logs in to a server (`imap_auth`, `smtp_auth`): with a password, or with an OAuth2 access token by
/// XOAUTH2 or OAUTHBEARER.
package enum AuthMethod: String, Equatable, Sendable, CaseIterable {
    case password
    case xoauth2
    case oauthbearer

    /// The SASL mechanism for a token; nil for a password.
    package var bearerMechanism: BearerMechanism? {
        switch self {
        case .password: nil
        case .xoauth2: .xoauth2
        case .oauthbearer: .oauthbearer
        }
    }
}

/// Where the login comes from, asked again before each connection (each reconnect too): credentials known at the
/// start (a password from the environment or a file), or a command that prints the secret (`imap_token_command`,
/// `imap_password_command`, ...: a fresh access token each time, so that refreshing it stays the helper's job).
package enum Login: Equatable, Sendable, CustomStringConvertible {
    case fixed(Credentials)
    /// `method` says what the command prints: a password, or a token for XOAUTH2 or OAUTHBEARER.
    case command(user: String, method: AuthMethod, SecretCommand)

    package var user: String {
        switch self {
        case .fixed(let credentials): credentials.user
        case .command(let user, _, _): user
        }
    }

    /// The credentials for the next connection: the fixed ones, or the command's output. Throws `SecretCommandError`
    /// when the command fails.
    package func credentials() throws(SecretCommandError) -> Credentials {
        switch self {
        case .fixed(let credentials): return credentials
        case .command(let user, let method, let command):
            let secret = try command.run()
            guard let mechanism = method.bearerMechanism else { return .password(user: user, password: secret) }
            return .bearer(user: user, token: secret, mechanism: mechanism)
        }
    }

    package var description: String {
        switch self {
        case .fixed(let credentials): credentials.description
        case .command(let user, let method, _): "command(user: \(user), \(method.rawValue))"
        }
    }
}

/// A command that prints a secret on its standard output (`imap_token_command`, `smtp_password_command`...), run
/// as msmtp runs `passwordeval`: `/bin/sh -c COMMAND`, standard input /dev/null, a time limit after which its
/// process group is killed, its whole standard output read and trimmed of the line break at its end. The secret is
/// never logged, never in any argv, never in an error message; what the command says on its standard error is
/// shown when it fails (trimmed, control characters replaced). It gets notifier's environment without notifier's
/// own variables (`NOTIFIER_*`, which may hold the other server's password); a token helper needs HOME, PATH and
/// often the desktop's keyring variables.
package struct SecretCommand: Equatable, Sendable {
    let shell: ShellCommand
    /// What the command is, for messages: `--imap-token-command (imap_token_command)`.
    let name: String
    /// `token` or `password`, for messages.
    let secret: String

    /// The default time limit, seconds.
    package static let defaultTimeout: Double = 30
    /// An environment variable for tests only: a shorter time limit (seconds) than `defaultTimeout`.
    package static let timeoutVariable = "NOTIFIER_SECRET_COMMAND_TIMEOUT"
    /// The largest output taken: a Microsoft access token has a few kilobytes.
    static let maxOutput = 64 << 10

    package init(command: String, name: String, secret: String, environment: [String: String]) {
        let timeout = environment[Self.timeoutVariable].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }
        self.shell = ShellCommand(
            command: command, timeout: timeout ?? Self.defaultTimeout,
            environment: environment.filter { !$0.key.hasPrefix("NOTIFIER_") })
        self.name = name
        self.secret = secret
    }

    /// Runs the command; returns its output without the trailing line break (CRLF or LF), or throws.
    func run() throws(SecretCommandError) -> String {
        func failure(_ problem: String, _ stderr: [UInt8] = []) -> SecretCommandError {
            SecretCommandError(name: name, problem: problem, stderr: SecretCommandError.shown(stderr))
        }
        let output: ShellCommand.Output
        do {
            output = try shell.run(input: nil, output: .captured(maxStdout: Self.maxOutput, maxStderr: 4096))
        } catch {
            switch error {
            case .cannotStart(let reason): throw failure("could not be run: \(reason)")
            case .timedOut:
                throw failure("did not finish within \(ShellCommand.seconds(shell.timeout)) s and was killed")
            case .exited(let status, let stderr): throw failure("exited with status \(status)", stderr)
            case .signalled(let signal, let stderr): throw failure("was killed by signal \(signal)", stderr)
            case .tooMuchOutput(let limit): throw failure("printed more than \(limit / 1024) KiB")
            }
        }
        var bytes = output.stdout[...]
        if bytes.last == 0x0A { bytes = bytes.dropLast() }
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw failure("printed something that is not UTF-8 text", output.stderr)
        }
        guard !text.isEmpty else { throw failure("printed no \(secret)", output.stderr) }
        // A second line, or a line break inside, would go into the protocol: a token or password is one line.
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw failure("printed more than one line, or control characters, where one \(secret) was expected")
        }
        return text
    }
}

/// A secret command that failed: exit 77 (EX_NOPERM), with what it said on its standard error.
package struct SecretCommandError: NotifierError, Equatable {
    /// `--imap-token-command (imap_token_command)`.
    let name: String
    let problem: String
    /// Its standard error, trimmed and made safe to print; empty when it said nothing.
    let stderr: String

    package var message: String {
        "the \(name) \(problem)" + (stderr.isEmpty ? "" : "; it said: \(stderr)")
    }

    /// Standard error as shown: UTF-8 (bad bytes replaced), trimmed, control characters replaced, at most 1000
    /// characters.
    static func shown(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let safe = text.replacingControlCharacters()
        return safe.count > 1000 ? String(safe.prefix(1000)) + "…" : safe
    }
}
