/// What a delivery failure report says: who could not be reached, why, and which message it was.
///
/// Read by `BounceReader` from RFC 3464 delivery status notifications and from the plain-text reports that MTAs
/// write without them (Postfix, Sendmail, Exim, qmail, Exchange, Gmail, Amazon SES and others).
/// - SeeAlso: RFC 3464 §2 (DSN fields), RFC 3463 (status codes)
public struct Bounce: Sendable, Equatable {
    /// The recipients that failed, as addr-specs, lower-cased, without duplicates, in the order the report gives
    /// them; at most `maxRecipients`.
    public var recipients: [String] = []
    /// The enhanced status code `class.subject.detail` (RFC 3463 §2), e.g. "5.1.1", when the report gives one.
    public var status: String?
    /// True for a permanent failure (5.x.x, a 5xx reply, Action: failed), false for a temporary one or a delay
    /// warning (4.x.x, Action: delayed).
    public var permanent: Bool
    /// The server's words about the failure (Diagnostic-Code, or the line of the report that gives the reason),
    /// on one line, at most `maxDiagnosticLength` characters.
    public var diagnostic: String?
    /// The Message-ID of the message that bounced, without angle brackets, when the report quotes or attaches it.
    public var originalMessageID: String?
    /// Which reading found the recipients: "rfc3464" or the name of a text format ("postfix", "qmail", ...).
    public var format: String

    /// A hostile report can list any number of recipients: beyond this many the rest are not kept.
    public static let maxRecipients = 1_000
    public static let maxDiagnosticLength = 1_000

    public init(
        recipients: [String] = [], status: String? = nil, permanent: Bool = true, diagnostic: String? = nil,
        originalMessageID: String? = nil, format: String
    ) {
        self.recipients = recipients
        self.status = status
        self.permanent = permanent
        self.diagnostic = diagnostic
        self.originalMessageID = originalMessageID
        self.format = format
    }

    /// The recipients kept so far, for a constant-time duplicate check (a hostile report can repeat one address
    /// a million times).
    private var seen: Set<String> = []

    /// Adds a recipient unless it is already there or the cap is reached.
    mutating func add(recipient: String) {
        let address = recipient.lowercased()
        guard recipients.count < Self.maxRecipients, !seen.contains(address) else { return }
        seen.insert(address)
        recipients.append(address)
    }

    public static func == (lhs: Bounce, rhs: Bounce) -> Bool {
        lhs.recipients == rhs.recipients && lhs.status == rhs.status && lhs.permanent == rhs.permanent
            && lhs.diagnostic == rhs.diagnostic && lhs.originalMessageID == rhs.originalMessageID
            && lhs.format == rhs.format
    }
}
