import Foundation

/// An IMAP operation that failed. The message names the server (host and port, never the user's password) and
/// what it said; `kind` tells the caller what to do next.
package struct IMAPError: NotifierError, Equatable {
    package enum Kind: Equatable, Sendable {
        /// No IMAP server to talk to: connection refused, name not found, TLS or certificate failure, STARTTLS
        /// required but not offered. Retrying later may help if the server was down; a certificate failure is a
        /// configuration problem.
        case unavailable
        /// The server refused the user name or password.
        case login
        /// The connection was lost (closed, reset, `* BYE`): reconnect, with backoff. Dovecot also closes sessions
        /// whose mailbox got a new UIDVALIDITY.
        case connectionLost
        /// The server said nothing for `responseTimeout` seconds: reconnect.
        case timeout
        /// The server answered NO or BAD (for example, the mailbox does not exist).
        case refused
        /// The message asked for is not (or no longer) in the mailbox.
        case noSuchMessage
        /// A folder to watch cannot be opened: EXAMINE answered NO (it does not exist, or the user may not read it).
        case noSuchMailbox
        /// The message is larger than `IMAPSettings.maxMessageSize`; it was skipped and the connection still works.
        case messageTooLarge
        /// The server's answer could not be read.
        case protocolError
        /// The server sent more untagged responses or bytes to one command than `IMAPSettings` allows (a server
        /// that never stops talking): the connection was dropped; reconnect, with backoff.
        case flood
    }

    package let kind: Kind
    package let message: String
    /// For `.messageTooLarge`: the message's size in bytes.
    var size: Int? = nil

    /// Whether a new connection (after a pause) is the right reaction.
    var shouldReconnect: Bool {
        kind == .connectionLost || kind == .timeout || kind == .unavailable || kind == .flood
    }

    /// Classifies a failed connect (TCP, TLS, login); `lastLine` is the server's last line, if any.
    /// `forLogin`: TLS was required only because the password would otherwise go in clear (`--imap-tls auto`).
    static func connecting(
        _ failure: EasyHandle.ConnectFailure, server: String, lastLine: String?, forLogin: Bool = false
    ) -> IMAPError {
        let said = lastLine.map { ": \($0)" } ?? ""
        // The host and port, even when the URL leaves the port to the scheme.
        let address = ServerAddress.hostAndPort(ofURL: server) ?? server
        switch failure.kind {
        case .loginDenied:
            return IMAPError(kind: .login, message: "IMAP \(server): login refused\(said)")
        case .timeout:
            return IMAPError(
                kind: .timeout, message: "IMAP \(server): \(failure.reason) while connecting to \(address)\(said)")
        case .tlsRequired where forLogin:
            let host = LoopbackHost.host(ofURL: server) ?? "HOST"
            return IMAPError(
                kind: .unavailable,
                message: "IMAP \(server): the server does not offer STARTTLS, so the password would go out in clear; "
                    + "not logged in: use imaps://\(host)/MAILBOX (TLS from the start), or --imap-tls none "
                    + "(imap_tls = none) to allow a login in clear on purpose\(said)")
        case .tlsRequired:
            return IMAPError(
                kind: .unavailable,
                message: "IMAP \(server): the server does not offer STARTTLS and TLS is required\(said)")
        case .noServer:
            return IMAPError(
                kind: .unavailable, message: "IMAP \(server): cannot connect to \(address): \(failure.detail)\(said)")
        case .other:
            return IMAPError(kind: .connectionLost, message: "IMAP \(server): \(failure.detail)\(said)")
        }
    }
}
