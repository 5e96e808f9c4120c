import Foundation

/// How notifier proves who it is to a mail server, SMTP or IMAP: a user and a password today; an OAuth2 bearer
/// token (`.bearer(user:token:)`, SASL XOAUTH2) would be one more case here and in `EasyHandle.connectOnly`. The
/// secret is in no description.
package enum Credentials: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    case password(user: String, password: String)

    var user: String {
        switch self {
        case .password(let user, _): user
        }
    }

    package var description: String {
        switch self {
        case .password(let user, _): "password(user: \(user))"
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
