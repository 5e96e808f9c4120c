/// Turns a message into a `Notice`: which kind it is, its fields, and the trust decision.
public enum NoticeReader {
    /// Reads raw message bytes. Never fails: unreadable input gives a `.other` notice with `error` set.
    public static func read(
        _ bytes: [UInt8], trust: TrustPolicy = .builtIn, limits: ParseLimits = ParseLimits()
    ) -> Notice {
        guard !bytes.isEmpty else {
            var notice = Notice()
            notice.error = "empty input: no message to read"
            return notice
        }
        return read(Message.parse(bytes, limits: limits), trust: trust)
    }

    public static func read(_ message: Message, trust: TrustPolicy = .builtIn) -> Notice {
        var notice = Notice()
        notice.subject = message.subject
        let fromFields = message.headers.all("From")
        let senders = fromFields.flatMap { Mailbox.parseList($0.rawValue) }
        notice.from = senders.first
        notice.messageID = message.messageID
        guard !message.headers.isEmpty else {
            notice.error = "no header fields: not an RFC 5322 message"
            return notice
        }
        notice.sentAt = message.headers.first("Date").flatMap { MailDate.parse(EncodedWords.headerText($0.rawValue)) }
        if !trust.authservIDs.isEmpty {
            notice.authenticated = senders.count == 1 && fromFields.count == 1 && senders.first.map {
                SenderAuthentication.vouches(for: $0.domain, headers: message.headers, authservIDs: trust.authservIDs)
            } == true
        }

        // A bounce first: it often carries the notice it returns as an attached message, which must not be read as
        // a notice of its own.
        if let bounce = BounceReader.read(message) {
            notice.kind = .bounce
            notice.bounce = bounce
            return notice
        }

        // The message's own text: text/plain and text/html leaves that are not attachments, attached messages
        // (forwards) included.
        var plain: [String] = []
        var html: [String] = []
        message.root.walk { entity in
            guard case .single = entity.body, entity.contentType.type == "text", !entity.isAttachment,
                let text = entity.text
            else { return }
            if entity.contentType.subtype == "html" {
                html.append(text)
            } else if entity.contentType.subtype == "plain" {
                plain.append(text)
            }
        }
        var fields = NoticeText(text: plain.joined(separator: "\n"))
        var kind = Self.kind(of: fields, subject: notice.subject)
        // The HTML part is read when the plain one does not say enough, and for every update notice, so that a
        // link target that differs from the plain text's URL is seen (mail programs show the HTML).
        if !html.isEmpty, kind != .otp || fields.expiresAt == nil {
            let htmlFields = NoticeText(text: html.map(HTMLText.text(fromHTML:)).joined(separator: "\n"))
            if kind == .other {
                fields = htmlFields
                kind = Self.kind(of: fields, subject: notice.subject)
            } else {
                fields.merge(htmlFields)
            }
        }
        notice.kind = kind
        switch kind {
        case .updateNotice:
            notice.vendorCode = fields.vendorCode
            notice.url = fields.labelledURLs.first ?? fields.firstURL
            notice.validFrom = fields.validFrom
            notice.validUntil = fields.validUntil
        case .otp:
            notice.otp = fields.otp
            notice.expiresAt = fields.expiresAt
        case .other, .bounce:
            return notice
        }

        let urls = fields.labelledURLs.isEmpty ? (notice.url.map { [$0] } ?? []) : fields.labelledURLs
        if fromFields.count != 1 || senders.count != 1 {
            notice.distrustReason = "the From field must name exactly one mailbox"
        } else if let sender = senders.first, !trust.trustsSender(sender) {
            notice.distrustReason = "sender \(sender.addrSpec) is not a trusted sender"
        } else if Set(urls).count > 1 {
            notice.distrustReason = "the message carries different download URLs"
        } else if let url = urls.first(where: { !trust.trustsURL($0) }) {
            notice.distrustReason = "URL \(url) is not on a trusted https host"
        } else if notice.authenticated == false {
            notice.distrustReason = "the sender is not authenticated: no Authentication-Results field from "
                + trust.authservIDs.joined(separator: " or ") + " says dmarc=pass or an aligned dkim=pass for "
                + (senders.first?.domain ?? "its domain")
        } else if kind == .otp, let expiry = notice.expiresAt?.instant, let sent = notice.sentAt,
            expiry.timeIntervalSince(sent) > OTPPlausibility.validity
        {
            notice.implausibleExpiry = true
            notice.distrustReason = "the OTP's expiry \(notice.expiresAt?.description ?? "") is more than "
                + "\(Int(OTPPlausibility.validity / 60)) minutes after the mail's Date: no issuer's OTP lives that long"
        } else {
            notice.trusted = true
        }
        return notice
    }

    /// An OTP code line makes an OTP notice, a 業者コード or ダウンロードURL line an update notice; when a message
    /// has both, its subject decides.
    private static func kind(of fields: NoticeText, subject: String?) -> Notice.Kind {
        let isOTP = fields.otp != nil
        let isUpdate = fields.vendorCode != nil || !fields.labelledURLs.isEmpty
        switch (isOTP, isUpdate) {
        case (true, false): return .otp
        case (false, true): return .updateNotice
        case (true, true): return (subject ?? "").contains("ワンタイムパスワード") ? .otp : .updateNotice
        case (false, false): return .other
        }
    }
}

extension NoticeText {
    /// Fills what is missing from another reading of the same message (its HTML part); download URLs add up so that
    /// a disagreement between the parts can be seen.
    mutating func merge(_ other: NoticeText) {
        vendorCode = vendorCode ?? other.vendorCode
        for url in other.labelledURLs where !labelledURLs.contains(url) { labelledURLs.append(url) }
        firstURL = firstURL ?? other.firstURL
        if validFrom == nil {
            validFrom = other.validFrom
            validUntil = other.validUntil
        }
        otp = otp ?? other.otp
        expiresAt = expiresAt ?? other.expiresAt
    }
}

/// The issuer's OTPs are valid 30 minutes from issue: an expiry further from the mail than this is not plausible.
public enum OTPPlausibility {
    /// 35 minutes: 30 and a margin for clocks and queues.
    public static let validity: Double = 35 * 60
}
