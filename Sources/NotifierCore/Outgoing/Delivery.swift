/// How one attempt to hand a message over ended, with the server's own reply.
package struct Delivery: Equatable, Sendable {
    package enum Outcome: String, Equatable, Sendable {
        /// 2xx: the server took responsibility for the message.
        case sent
        /// 4xx, a timeout or a broken connection: try again later.
        case transient
        /// 5xx: the server refused the message for good.
        case permanent
        /// No server to talk to, or not safely: refused connection, TLS failure, STARTTLS required but not offered.
        case unavailable
        /// The server refused the login: a configuration problem, not the message's.
        case authentication
    }

    package let outcome: Outcome
    /// The SMTP reply code, when the server gave one.
    let code: Int?
    /// The server's last reply line, or what went wrong when there was none.
    package let reply: String
}

/// Something that takes finished messages: an SMTP server or a Maildir.
package protocol MessageTransport: AnyObject {
    /// Hands one message over. `sender` and `recipients` are plain addr-specs (the envelope).
    func deliver(_ message: [UInt8], sender: String, recipients: [String]) throws -> Delivery

    /// The same, for a caller with more to send: `next` is the envelope of the message it hands over next, which a
    /// transport may announce early (SMTP PIPELINING sends it behind this message's end), and `meanwhile` is work
    /// to do while the server has the message, before its reply (composing that next message). The caller
    /// promises that its next delivery is for `next`; when it breaks the promise the transport starts over on a new
    /// connection. `meanwhile` runs at most once.
    func deliver(
        _ message: [UInt8], sender: String, recipients: [String], announcing next: Envelope?, meanwhile: () -> Void
    ) throws -> Delivery
}

extension MessageTransport {
    package func deliver(
        _ message: [UInt8], sender: String, recipients: [String], announcing next: Envelope?, meanwhile: () -> Void
    ) throws -> Delivery {
        let delivery = try deliver(message, sender: sender, recipients: recipients)
        meanwhile()
        return delivery
    }
}
