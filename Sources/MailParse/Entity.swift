/// A message or MIME body part: its header section and its body, parsed into a tree.
/// A message is the outermost entity; a message/rfc822 part holds another.
/// - SeeAlso: RFC 2045 §2.4 (entity), RFC 2046 §5
public struct Entity: Sendable {
    public let headers: Headers
    /// The Content-Type in force (the RFC 2045 §5.2 default when the header is missing or unusable).
    public let contentType: ContentType
    /// The Content-Transfer-Encoding, lower-cased ("7bit" when absent).
    public let transferEncoding: String
    /// The body bytes as they stood in the message, still transfer-encoded.
    public let rawBody: ArraySlice<UInt8>
    public let body: Body

    /// The body after parsing.
    public indirect enum Body: Sendable {
        /// A leaf: text, an attachment, or a container that was not opened (see `ParseLimits`).
        case single
        /// The parts of a multipart, in order.
        case multipart([Entity])
        /// The message a message/rfc822 (or message/global) part carries.
        case message(Entity)
    }

    public init(
        headers: Headers, contentType: ContentType, transferEncoding: String, rawBody: ArraySlice<UInt8>, body: Body
    ) {
        self.headers = headers
        self.contentType = contentType
        self.transferEncoding = transferEncoding
        self.rawBody = rawBody
        self.body = body
    }

    /// The body with its transfer encoding undone (base64, quoted-printable; anything else as it is).
    public var decodedBody: [UInt8] {
        switch transferEncoding {
        case "base64": return TransferEncoding.decodeBase64(rawBody)
        case "quoted-printable": return TransferEncoding.decodeQuotedPrintable(Array(rawBody))
        default: return Array(rawBody)
        }
    }

    /// Whether Content-Disposition says attachment (a text part then is not part of the message's own text).
    public var isAttachment: Bool {
        guard let field = headers.first("Content-Disposition"),
            let disposition = ContentType.parseDisposition(field.rawValue)
        else { return false }
        return disposition.type == "attachment"
    }

    /// The decoded text of a text/* leaf, in its declared charset or the detected one; nil for other parts.
    public var text: String? {
        guard case .single = body, contentType.type == "text" else { return nil }
        return Charset.decode(decodedBody, label: contentType.parameter("charset"))
    }

    /// The decoded Subject, or nil when there is none.
    public var subject: String? { headers.first("Subject")?.unstructuredValue }

    /// The mailboxes of every From field, in order.
    public var from: [Mailbox] { headers.all("From").flatMap { Mailbox.parseList($0.rawValue) } }

    /// The Message-ID without its angle brackets, or nil.
    /// - SeeAlso: RFC 5322 §3.6.4
    public var messageID: String? {
        guard let field = headers.first("Message-ID") else { return nil }
        var text = EncodedWords.headerText(field.rawValue).trimmingWhitespace()
        if let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            text = String(text[text.index(after: open)..<close])
        }
        let id = text.trimmingWhitespace()
        return id.isEmpty ? nil : id
    }

    /// Every entity of the tree, depth first, this one included.
    public func walk(_ visit: (Entity) -> Void) {
        visit(self)
        switch body {
        case .single: break
        case .multipart(let parts): for part in parts { part.walk(visit) }
        case .message(let inner): inner.walk(visit)
        }
    }
}
