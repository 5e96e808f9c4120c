/// Reads delivery failure reports ("bounces"): RFC 3464 delivery status notifications first, and the plain-text
/// reports of MTAs that send none (or send one without a usable recipient). Pure: a parsed message in, a value out.
///
/// A message is a bounce only when it says so in a way ordinary mail does not: a delivery-status part reporting a
/// failure or a delay, or a sender or subject of a mail system's report together with a recipient or status code read
/// from its text. RFC 3834 auto-replies (vacation messages) and ARF feedback reports (RFC 5965) are not bounces.
public enum BounceReader {
    /// The bounce a message reports, or nil when it is not a bounce.
    public static func read(_ message: Message) -> Bounce? { read(message, depth: 0) }

    /// The same, for a reader that has the message's decoded Subject and From mailboxes already (`NoticeReader`).
    static func read(_ message: Message, subject: String?, from: [Mailbox]) -> Bounce? {
        read(message, depth: 0, subject: subject, from: from)
    }

    /// `depth` counts reports read inside reports (a relay that forwards the bounce it got), at most 2.
    static func read(_ message: Message, depth: Int, subject: String?? = nil, from: [Mailbox]? = nil) -> Bounce? {
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
        let signals = Signals(
            message, subject: subject ?? message.subject,
            from: from ?? message.headers.all("From").flatMap { Mailbox.parseList($0.rawValue) })
        // The report's text, decoded once and only when asked: most mail is no report, and pays only for the header
        // checks above and below.
        var decoded: [UInt8]?
        func text() -> [UInt8] {
            if let decoded { return decoded }
            let text = reportText(message)
            decoded = text
            return text
        }
        if bounce == nil, signals.isReport || mayBeSESNotification(message, from: signals.from),
            let notification = amazonSESNotification(text())
        {
            guard case .bounce(let read) = notification else { return nil }
            bounce = read
        }
        if bounce == nil || bounce?.recipients.isEmpty == true {
            guard groups != nil || signals.isReport || reportsFailureInText(message, text: text),
                !isAutoReply(message, signals: signals)
            else { return nil }
            if let fromText = readText(text(), message: message, signals: signals, depth: depth) {
                bounce = merge(bounce, fromText)
            } else if bounce == nil {
                return nil
            }
        }
        guard var result = bounce else { return nil }
        result.originalMessageID = originalMessageID(message, text: text())
        return result
    }

    /// Amazon SES's notifications through SNS: JSON in a mail from SNS (`no-reply@sns.amazonaws.com`, with
    /// `x-amz-sns-*` fields), or from an SES address.
    static func mayBeSESNotification(_ message: Message, from: [Mailbox]) -> Bool {
        if message.headers.first("x-amz-sns-message-id") != nil { return true }
        return from.contains { box in
            let domain = box.domain.lowercasedASCII()
            return domain.hasSuffix("amazonaws.com") || domain.hasSuffix("amazonses.com")
        }
    }

    /// A message that is no report by its header section but carries the original message and says in its text
    /// that it could not be delivered (KDDI's reports, from no-reply@ with the subject "Mail", seen in practice).
    static func reportsFailureInText(_ message: Message, text: () -> [UInt8]) -> Bool {
        guard !originalHeaders(message).isEmpty else { return false }
        let text = text()
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
