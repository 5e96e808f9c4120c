import Foundation

/// A POP3 operation that failed. The message names the server (host and port, never the user's password) and what
/// it said; `kind` tells the caller what to do next.
package struct POP3Error: NotifierError, Equatable {
    package enum Kind: Equatable, Sendable {
        /// No POP3 server to talk to: connection refused, name not found, TLS or certificate failure, STLS required
        /// but not offered.
        case unavailable
        /// The server refused the user name or password.
        case login
        /// The maildrop is locked by another session (RFC 2449 `[IN-USE]`, `[SYS/TEMP]`): the vendor's mail program is
        /// fetching right now. Try again after a pause.
        case busy
        /// The connection was lost: reconnect, with backoff.
        case connectionLost
        /// The server said nothing for the time allowed, or an answer took longer than `--timeout`: reconnect.
        case timeout
        /// The server answered the command with `-ERR` (for TOP or RETR: the message is gone, deleted by another
        /// mail program since the listing).
        case refused
        /// The answer was longer than allowed (a header section or message over its limit): nothing was kept.
        case tooLarge
        /// The command was answered on a new session (libcurl had to connect again): its message numbers may name
        /// other messages, so the answer was dropped; list the mailbox again.
        case sessionChanged
        /// The server's answer could not be read.
        case protocolError
    }

    package let kind: Kind
    package let message: String

    /// Whether a new connection (after a pause) is the right reaction.
    var shouldReconnect: Bool {
        kind == .connectionLost || kind == .timeout || kind == .unavailable || kind == .busy
    }

    /// Whether a refused login says the maildrop is busy rather than the password wrong: RFC 2449's response codes
    /// `[IN-USE]` and `[SYS/TEMP]`, or the words servers without them use for a locked maildrop.
    static func isTemporaryRefusal(_ line: String) -> Bool {
        let lower = line.lowercased()
        return lower.contains("[in-use]") || lower.contains("[sys/temp]") || lower.contains("lock")
            || lower.contains("in use") || lower.contains("busy")
    }

    /// Classifies a failed transfer: its connection (TCP, TLS, login) or the command itself. `forLogin`: TLS was
    /// required only because the password would otherwise go in clear (`--pop3-tls auto`).
    static func failed(
        _ transfer: EasyHandle.TransferFailure, command: String, server: String, forLogin: Bool
    ) -> POP3Error {
        let said = transfer.lastLine.map { ": \($0)" } ?? ""
        if transfer.overLimit {
            return POP3Error(kind: .tooLarge, message: "POP3 \(server): the answer to \(command) is too large")
        }
        if transfer.refused {
            return POP3Error(kind: .refused, message: "POP3 \(server): \(command) refused\(said)")
        }
        let failure = transfer.failure
        switch failure.kind {
        case .loginDenied where transfer.lastLine.map(isTemporaryRefusal) == true:
            return POP3Error(
                kind: .busy,
                message: "POP3 \(server): the mailbox is in use by another session (a mail program fetching now); "
                    + "trying again later\(said)")
        case .loginDenied:
            return POP3Error(kind: .login, message: "POP3 \(server): login refused\(said)")
        case .timeout:
            return POP3Error(kind: .timeout, message: "POP3 \(server): \(failure.reason) (\(command))\(said)")
        case .tlsRequired where forLogin:
            let host = LoopbackHost.host(ofURL: server) ?? "HOST"
            return POP3Error(
                kind: .unavailable,
                message: "POP3 \(server): the server does not offer STLS, so the password would go out in clear; "
                    + "not logged in: use pop3s://\(host) (TLS from the start), or --pop3-tls none "
                    + "(pop3_tls = none) to allow a login in clear on purpose\(said)")
        case .tlsRequired:
            return POP3Error(
                kind: .unavailable, message: "POP3 \(server): the server does not offer STLS and TLS is required\(said)"
            )
        case .noServer:
            return POP3Error(kind: .unavailable, message: "POP3 \(server): \(failure.detail)\(said)")
        case .other:
            return POP3Error(kind: .connectionLost, message: "POP3 \(server): \(failure.detail) (\(command))\(said)")
        }
    }
}
