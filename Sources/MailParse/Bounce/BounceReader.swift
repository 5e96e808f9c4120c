/// Reads delivery failure reports ("bounces"): RFC 3464 delivery status notifications first, and the plain-text
/// reports of MTAs that send none (or send one without a usable recipient). Pure: a parsed message in, a value out.
///
/// A message is a bounce only when it says so in a way ordinary mail does not: a delivery-status part reporting a
/// failure or a delay, or a sender or subject of a mail system's report together with a recipient or status code read
/// from its text. RFC 3834 auto-replies (vacation messages) and ARF feedback reports (RFC 5965) are not bounces.
public enum BounceReader {
    /// The bounce a message reports, or nil when it is not a bounce.
    public static func read(_ message: Message) -> Bounce? { read(message, depth: 0) }

    /// `depth` counts reports read inside reports (a relay that forwards the bounce it got), at most 2.
    static func read(_ message: Message, depth: Int) -> Bounce? {
        guard !message.headers.isEmpty, !isFeedbackReport(message) else { return nil }
        let groups = deliveryStatusGroups(message)
        var bounce: Bounce?
        if let groups {
            if !groups.isEmpty {
                // A DSN that lists recipients decides: a success report is not a bounce, whatever the text says.
                guard let read = Self.bounce(fromGroups: groups, format: "rfc3464") else { return nil }
                bounce = read
            }
        }
        if bounce == nil, let notification = amazonSESNotification(reportText(message)) {
            guard case .bounce(let read) = notification else { return nil }
            bounce = read
        }
        let signals = Signals(message)
        if bounce == nil || bounce?.recipients.isEmpty == true {
            guard groups != nil || signals.isReport || reportsFailureInText(message), !isAutoReply(message, signals: signals) else { return nil }
            let text = reportText(message)
            if let fromText = readText(text, message: message, signals: signals, depth: depth) {
                bounce = merge(bounce, fromText)
            } else if bounce == nil {
                return nil
            }
        }
        guard var result = bounce else { return nil }
        result.originalMessageID = originalMessageID(message)
        return result
    }

    /// A message that is no report by its header section but carries the original message and says in its text
    /// that it could not be delivered (KDDI's reports, from no-reply@ with the subject "Mail", seen in practice).
    static func reportsFailureInText(_ message: Message) -> Bool {
        guard !originalHeaders(message).isEmpty else { return false }
        let text = reportText(message)
        let report = text[..<min(text.count, BounceText.maxScannedBytes)]
        return failurePhrases.contains { BounceText.contains(report, $0) }
    }

    /// Lower-case sentences of delivery failure reports.
    static let failurePhrases = [
        "could not be delivered", "couldn't be delivered", "was not delivered", "undeliverable", "delivery failed",
        "delivery has failed", "unable to deliver", "permanent error", "user unknown", "mailbox is full",
        "no such user", "recipient address rejected", "delivery to the following recipient",
    ]

    /// Combines what the delivery-status part said (status, diagnostic) with recipients read from the text.
    private static func merge(_ dsn: Bounce?, _ text: Bounce) -> Bounce {
        guard var merged = dsn else { return text }
        for recipient in text.recipients { merged.add(recipient: recipient) }
        merged.status = merged.status ?? text.status
        merged.diagnostic = merged.diagnostic ?? text.diagnostic
        merged.format = text.format
        return merged
    }

    /// Visits the entities that belong to the report itself: not those inside an attached message (the bounced
    /// original, or a forwarded report).
    static func ownEntities(_ entity: Entity, _ visit: (Entity) -> Void) {
        visit(entity)
        if case .multipart(let parts) = entity.body {
            for part in parts { ownEntities(part, visit) }
        }
    }

    /// multipart/report; report-type=feedback-report, or any message/feedback-report part: an abuse report about a
    /// message, not a failure to deliver it.
    /// - SeeAlso: RFC 5965 §2
    static func isFeedbackReport(_ message: Message) -> Bool {
        if message.root.contentType.mimeType == "multipart/report",
            message.root.contentType.parameter("report-type")?.lowercased() == "feedback-report"
        {
            return true
        }
        var found = false
        ownEntities(message.root) { entity in
            if entity.contentType.mimeType == "message/feedback-report" { found = true }
        }
        return found
    }
}
