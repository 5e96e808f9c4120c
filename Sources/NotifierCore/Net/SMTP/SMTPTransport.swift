import Foundation

/// Sends messages over SMTP: smtp:// with STARTTLS when offered (or required), smtps://, AUTH, verified
/// certificates (all libcurl's), and the mail transactions of `SMTPSession`, pipelined when the server allows. One
/// connection carries message after message; it is opened at the first message and opened again when the server
/// closed it or it failed.
/// - SeeAlso: RFC 5321 §4.2 (reply codes), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 2920 (PIPELINING)
package final class SMTPTransport: MessageTransport {
    private let settings: SMTPSettings
    private var session: SMTPSession?

    package init(settings: SMTPSettings) {
        self.settings = settings
    }

    package func deliver(_ message: [UInt8], sender: String, recipients: [String]) throws -> Delivery {
        deliver(message, envelope: Envelope(sender: sender, recipients: recipients), announcing: nil, meanwhile: {})
    }

    package func deliver(
        _ message: [UInt8], sender: String, recipients: [String], announcing next: Envelope?, meanwhile: () -> Void
    ) throws -> Delivery {
        deliver(
            message, envelope: Envelope(sender: sender, recipients: recipients), announcing: next, meanwhile: meanwhile)
    }

    private func deliver(_ message: [UInt8], envelope: Envelope, announcing next: Envelope?, meanwhile: () -> Void)
        -> Delivery
    {
        if let current = session, current.isStale || (current.announced != nil && current.announced != envelope) {
            // Hung up, about to (a 421 nobody asked for), or waiting for a message that is not coming: dropped
            // without a word, and a new one.
            current.abandon()
            session = nil
        }
        var retried = false
        var ran = false
        func once() {
            if !ran { meanwhile() }
            ran = true
        }
        while true {
            let current: SMTPSession
            if let session {
                current = session
            } else {
                do { current = try SMTPSession(settings: settings) } catch { return error.delivery }
                session = current
            }
            let delivery: Delivery
            do {
                delivery = try current.send(message, envelope: envelope, announcing: next, meanwhile: once)
            } catch {
                delivery = error.delivery
            }
            guard current.broken else { return delivery }
            session = nil
            // A connection that carried messages before may have been dying already (a server hangs up on an
            // idle client, or says 421 to its next command): once, on a new one. Nothing of this message was sent
            // yet, so nothing can arrive twice.
            if !retried && current.transactions > 0 && !current.reachedData {
                retried = true
                continue
            }
            return delivery
        }
    }

    /// Ends the connection politely (QUIT).
    func close() {
        session?.close()
        session = nil
    }

    deinit { close() }
}
