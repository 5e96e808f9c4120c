import Foundation
import MailParse

/// What the issuer's side does with each message of its bounce mailbox (the `return_path`'s), whatever the mailbox:
/// a delivery status notification is matched to the notice, reminder or OTP mail it returns and applied
/// (`BounceStore`); anything else (an auto-reply, a person's mail) is only marked handled. Each message is decided
/// in one write transaction with its mark in `handled_messages`, so two watchers on one mailbox apply a bounce once.
package final class BounceHandler: MailHandler {
    /// What became of a message; the names are what `bounces watch` prints.
    package enum Decision: String, Equatable {
        /// A notice or reminder is now `bounced`.
        case bounced
        /// An OTP mail came back (the audit trail says so).
        case otpBounced = "otp_bounced"
        /// A delay warning: recorded, the notice stays as it is.
        case delayed
        /// A permanent bounce of a message no longer in state `sent` (refused, requeued): recorded only.
        case recorded
        /// A bounce of no message notifier sent (or no longer knows): recorded.
        case unmatched
        /// Not a delivery status notification (an auto-reply, a person's mail): nothing done.
        case notBounce = "not_bounce"
        /// The same message seen before under another name (a copy in another mailbox).
        case duplicate
        /// Larger than --max-message-size, never read.
        case oversized
    }

    /// A message read, its bytes let go.
    package struct Read {
        let source: String
        let key: String
        /// Its Message-ID, or a digest of its bytes.
        let identity: String
        let bounce: Bounce?
        /// The addresses it was delivered to (To, Delivered-To, X-Original-To...): a VERP return path's own.
        let deliveredTo: [String]
    }

    /// What became of one message and whose it was (a line of `bounces watch`).
    package struct Handled: Equatable {
        package let decision: Decision
        package let vendor: VendorCode?
        package let bounce: Bounce?
    }

    let store: BounceStore
    let handled: HandledMessageStore
    let returnPath: ReturnPath?
    let now: () -> Date

    /// `returnPath` is the configured one: with `{token}` a bounce that quotes nothing is matched by its address.
    package init(database: Database, returnPath: ReturnPath?, now: @escaping () -> Date = { Date() }) {
        store = BounceStore(database: database)
        handled = HandledMessageStore(database: database)
        self.returnPath = returnPath
        self.now = now
    }

    /// The handled-messages record is shared with the vendor's watcher: the issuer's mailboxes are named apart.
    private static func scoped(_ source: String) -> String { "bounces:" + source }

    /// The header fields that carry the address a message was delivered to.
    static let deliveryFields = ["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"]

    package func wasHandled(source: String, key: String) throws -> Bool {
        try handled.contains(source: Self.scoped(source), key: key)
    }

    package func read(_ message: RawMessage) -> Read {
        let parsed = Message.parse(message.bytes)
        let notice = NoticeReader.read(parsed)
        let delivered = Self.deliveryFields.flatMap { name in
            parsed.headers.all(name).flatMap { Mailbox.parseList($0.rawValue) }.map(\.addrSpec)
        }
        return Read(
            source: Self.scoped(message.source), key: message.key,
            identity: MessageIdentity.of(message.bytes, messageID: notice.messageID),
            bounce: notice.kind == .bounce ? notice.bounce : nil, deliveredTo: delivered)
    }

    package func handle(_ batch: [Read]) throws -> [Handled?] {
        try batch.map { message in
            try store.database.transaction { () throws -> Handled? in
                if try handled.contains(source: message.source, key: message.key) { return nil }
                let result = try decide(message)
                try handled.mark(
                    source: message.source, key: message.key, messageID: message.identity,
                    decision: result.decision.rawValue, at: now())
                return result
            }
        }
    }

    /// What becomes of one message not handled before; runs inside its transaction.
    private func decide(_ message: Read) throws -> Handled {
        if try handled.contains(messageID: message.identity) {
            return Handled(decision: .duplicate, vendor: nil, bounce: message.bounce)
        }
        guard let bounce = message.bounce else { return Handled(decision: .notBounce, vendor: nil, bounce: nil) }
        let match = try match(bounce, deliveredTo: message.deliveredTo)
        let decision = try store.apply(bounce, to: match, at: now())
        return Handled(decision: decision, vendor: match?.vendor, bounce: bounce)
    }

    /// The message a bounce returns: by the Message-ID it quotes, else by the tag of the VERP address it came to.
    private func match(_ bounce: Bounce, deliveredTo: [String]) throws -> BounceStore.Match? {
        if let id = bounce.originalMessageID, let found = try store.match(messageID: id) { return found }
        guard let returnPath else { return nil }
        for address in deliveredTo {
            if let tag = returnPath.tag(in: address), let found = try store.match(tag: tag) { return found }
        }
        return nil
    }

    package func skip(_ message: OversizedMessage) throws -> Handled {
        try handled.mark(
            source: Self.scoped(message.source), key: message.key, messageID: nil,
            decision: Decision.oversized.rawValue, at: now())
        return Handled(decision: .oversized, vendor: nil, bounce: nil)
    }

    /// Anything that could be a delivery report by its header section (`Candidate.mayBeBounce`).
    package func isCandidate(headers: [UInt8]) -> Bool {
        Candidate.mayBeBounce(Message.parse(headers))
    }

    /// Recorded as handled with the decision `not_bounce`, without its body.
    package func passOver(_ message: MessageHeader) throws -> Handled? {
        let source = Self.scoped(message.source)
        let messageID = Message.parse(message.bytes).messageID
        return try store.database.transaction { () throws -> Handled? in
            if try handled.contains(source: source, key: message.key) { return nil }
            try handled.mark(
                source: source, key: message.key, messageID: messageID, decision: Decision.notBounce.rawValue,
                at: now())
            return Handled(decision: .notBounce, vendor: nil, bounce: nil)
        }
    }

    /// Nothing here is tried again: a busy database is the watcher's own case.
    package func retryReason(for error: Error) -> String? { nil }
}
