import Foundation

/// A message to be written: ordered header fields and a text body. The writer owns every byte that reaches the
/// wire, so a value can never add a header of its own (a CR or LF in any value is refused).
public struct OutgoingMessage: Sendable, Equatable {
    /// The body's charset on the wire.
    public enum BodyCharset: String, Sendable, CaseIterable {
        /// UTF-8, base64 (the default: every character survives every relay).
        case utf8 = "utf-8"
        /// ISO-2022-JP, 7bit, for older Japanese mail programs (RFC 1468).
        case iso2022JP = "iso-2022-jp"
    }

    public var from: Mailbox
    public var to: [Mailbox]
    public var subject: String
    public var date: Date
    /// Without angle brackets.
    public var messageID: String
    /// Further fields, in order, after the standard ones (`X-Notifier-Vendor`, ...).
    public var extraHeaders: [(name: String, value: String)]
    /// The body text with LF line ends (CRLF is written on the wire).
    public var body: String
    public var charset: BodyCharset

    public init(
        from: Mailbox, to: [Mailbox], subject: String, date: Date, messageID: String,
        extraHeaders: [(name: String, value: String)] = [], body: String, charset: BodyCharset = .utf8
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.extraHeaders = extraHeaders
        self.body = body
        self.charset = charset
    }

    public static func == (lhs: OutgoingMessage, rhs: OutgoingMessage) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.subject == rhs.subject && lhs.date == rhs.date
            && lhs.messageID == rhs.messageID && lhs.body == rhs.body && lhs.charset == rhs.charset
            && lhs.extraHeaders.elementsEqual(rhs.extraHeaders) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Why a message could not be written.
public struct MessageWriterError: Error, Equatable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public var description: String { "\(field): \(reason)" }
}
