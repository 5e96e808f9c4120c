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
        if !trust.authservIDs.isEmpty {
            notice.authenticated =
                senders.count == 1 && fromFields.count == 1
                && senders.first.map {
                    SenderAuthentication.vouches(
                        for: $0.domain, headers: message.headers, authservIDs: trust.authservIDs)
                } == true
        }

        // A bounce first: it often carries the notice it returns as an attached message, which must not be read as
        // a notice of its own.
        if let bounce = BounceReader.read(message, subject: notice.subject, from: senders) {
            notice.kind = .bounce
            notice.bounce = bounce
            return notice
        }

        // The message's own text: text/plain and text/html leaves that are not attachments, attached messages
        // (forwards) included. Flowed text is unwrapped first (RFC 3676).
        var plain: [String] = []
        var measureLabel: String?
        var html: [String] = []
        var attachedMessage = false
        message.root.walk { entity in
            if case .message = entity.body { attachedMessage = true }
            guard case .single = entity.body, entity.contentType.type == "text", !entity.isAttachment,
                let text = entity.text
            else { return }
            if entity.contentType.subtype == "html" {
                html.append(text)
            } else if entity.contentType.subtype == "plain" {
                if FlowedText.isFlowed(entity.contentType) {
                    plain.append(FlowedText.unflow(text, deleteSpace: FlowedText.deletesSpace(entity.contentType)))
                } else {
                    plain.append(text)
                }
                measureLabel = measureLabel ?? entity.contentType.parameter("charset") ?? ""
            }
        }
        var fields = NoticeText(text: plain.joined(separator: "\n"), measure: Self.measure(of: measureLabel))
        var kind = Self.kind(of: fields, subject: notice.subject)
        var links: [HTMLText.Link] = []
        // The HTML part is read when the plain one does not say enough, and for every update notice, so that a
        // link target that differs from the plain text's URL is seen (mail programs show the HTML).
        if !html.isEmpty, kind != .otp || fields.expiresAt == nil {
            let readings = html.map(HTMLText.read)
            links = readings.flatMap(\.links)
            let htmlFields = NoticeText(text: readings.map(\.text).joined(separator: "\n"))
            if kind == .other {
                fields = htmlFields
                kind = Self.kind(of: fields, subject: notice.subject)
            } else {
                fields.merge(htmlFields)
            }
        }
        notice.kind = kind
        // The Date field matters for notices only (an OTP's plausibility; when a notice was sent).
        if kind == .otp || kind == .updateNotice {
            notice.sentAt = message.headers.first("Date").flatMap {
                MailDate.parse(EncodedWords.headerText($0.rawValue))
            }
        }
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

        let found = fields.labelledURLs.isEmpty ? (notice.url.map { [$0] } ?? []) : fields.labelledURLs
        if fromFields.count != 1 || senders.count != 1 {
            notice.distrust(.senderNotTrusted, "the From field must name exactly one mailbox")
        } else if let sender = senders.first, !trust.trustsSender(sender) {
            judgeSender(
                sender, message: message, fields: fields, attachedMessage: attachedMessage, trust: trust,
                into: &notice)
        } else {
            judgeURLs(
                found, links: links, cutUndecided: fields.cutUndecided, trust: trust,
                into: &notice)
        }
        if notice.reason == nil, notice.authenticated == false {
            notice.distrust(
                .notAuthenticated,
                "the sender is not authenticated: no Authentication-Results field from "
                    + trust.authservIDs.joined(separator: " or ") + " says dmarc=pass or an aligned dkim=pass for "
                    + (senders.first?.domain ?? "its domain"))
        }
        if notice.reason == nil, kind == .otp, let expiry = notice.expiresAt?.instant, let sent = notice.sentAt,
            expiry.timeIntervalSince(sent) > OTPPlausibility.validity
        {
            notice.implausibleExpiry = true
            notice.distrust(
                .implausibleExpiry,
                "the OTP's expiry \(notice.expiresAt?.description ?? "") is more than "
                    + "\(Int(OTPPlausibility.validity / 60)) minutes after the mail's Date: no issuer's OTP lives that long"
            )
        }
        if notice.reason != nil {
            // Whatever the reason, the URL reported is the one a click would reach past a reversible rewriter; the
            // note about storing it belongs to trusted notices only.
            notice.url = notice.url.map(unwrapped)
            notice.notes.removeAll()
        }
        notice.trusted = notice.reason == nil
        return notice
    }

    /// How a plain part's lines are measured to tell a wrap column: octets of its own charset.
    /// Asked only when a line ends in a URL, so the label is not read for most messages.
    private static func measure(of label: String?) -> () -> NoticeText.LineMeasure {
        { measure(label: label) }
    }

    private static func measure(label: String?) -> NoticeText.LineMeasure {
        switch label.flatMap(Charset.init(label:)) {
        case .iso2022JP: return .iso2022JP
        case .cp932, .eucJP: return .doubleByte
        case .utf8, .ascii, nil: return .utf8
        default: return .singleByte
        }
    }

    // MARK: - The sender

    /// Why a sender that is not trusted sent this: a mailing list that rewrote From, a display name made to look like
    /// the issuer (phishing), a colleague's forward, or someone else.
    private static func judgeSender(
        _ sender: Mailbox, message: Message, fields: NoticeText, attachedMessage: Bool, trust: TrustPolicy,
        into notice: inout Notice
    ) {
        let headers = message.headers
        let name = (sender.displayName ?? "").lowercasedASCII()
        let trustedDomains = trust.senders.compactMap {
            $0.split(separator: "@").last.map { String($0).lowercasedASCII() }
        }
        let nameNamesIssuer =
            trust.senders.contains { name.contains($0.lowercasedASCII()) }
            || (name.contains("@") && trustedDomains.contains { name.contains($0) })
        let isList =
            headers.first("List-Id") != nil || headers.first("List-Post") != nil
            || headers.first("X-Original-From") != nil
        if isList {
            let list = headers.first("List-Id").map { " (\(EncodedWords.decodeUnstructured($0.rawValue)))" } ?? ""
            notice.distrust(
                .senderNotTrusted,
                "a mailing list\(list) rewrote From to \(sender.addrSpec): notifier cannot tell the issuer's notice "
                    + "from a list member's; have the issuer's mail delivered directly, not through the list")
        } else if nameNamesIssuer {
            notice.distrust(
                .senderNotTrusted,
                "the display name \"\(sender.displayName ?? "")\" pretends to be the issuer, but the address is "
                    + "\(sender.addrSpec)", phishing: true)
        } else if isForward(notice.subject, fields: fields, attachedMessage: attachedMessage) {
            notice.distrust(
                .forwarded,
                "forwarded by \(sender.addrSpec): a forward cannot be told from a forgery; have the issuer's notice "
                    + "itself delivered to this mailbox")
        } else {
            notice.distrust(.senderNotTrusted, "sender \(sender.addrSpec) is not a trusted sender")
        }
    }

    /// A forward: an attached message, a `Fwd:`/`FW:`/`転送:` subject, a forward or quote marker, or the issuer's
    /// address in the body of someone else's mail.
    private static func isForward(_ subject: String?, fields: NoticeText, attachedMessage: Bool) -> Bool {
        if attachedMessage || fields.quoted || fields.forwardMarker { return true }
        // A forward prefix at the start of the subject or of one of its words ("Re: Fwd:", "[list] FW:").
        let bytes = Array((subject ?? "").lowercasedASCII().utf8)
        for prefix in forwardPrefixes {
            var index = 0
            while index + prefix.count <= bytes.count {
                if index == 0 || bytes[index - 1] == ASCII.space || bytes[index - 1] == 0x5B,
                    bytes[index..<(index + prefix.count)].elementsEqual(prefix)
                {
                    return true
                }
                index += 1
            }
        }
        return false
    }

    private static let forwardPrefixes: [[UInt8]] = ["fwd:", "fw:", "fwd：", "fw：", "転送:", "転送：", "tr:", "wg:", "rv:"]
        .map { Array($0.utf8) }

    // MARK: - The URLs

    /// Judges the download URLs of a notice from a trusted sender: rewriters undone or named, HTML links whose text
    /// shows another host (phishing), hosts and schemes, and URLs that wrapping may have cut.
    private static func judgeURLs(
        _ found: [String], links: [HTMLText.Link], cutUndecided: Bool, trust: TrustPolicy,
        into notice: inout Notice
    ) {
        var urls: [String] = []
        var opaque: String?
        for url in found {
            switch LinkRewriter.examine(url) {
            case .plain:
                urls.append(url)
            case .unwrapped(let inner, let gateway):
                urls.append(inner)
                let note = "link rewritten by \(gateway); stored the issuer's original"
                if !notice.notes.contains(note) { notice.notes.append(note) }
            case .opaque(let gateway):
                opaque = opaque ?? gateway
                urls.append(url)
            }
        }
        if let first = urls.first, notice.url != nil { notice.url = first }
        let hosts = trust.hosts.joined(separator: ", ")
        if let gateway = opaque {
            notice.distrust(
                .urlRewritten,
                "link rewritten by \(gateway), which keeps the issuer's URL on its own server: the URL cannot be "
                    + "read from the mail; ask the mail administrator to exempt \(hosts) from link rewriting")
            return
        }
        for link in links {
            let href = unwrapped(link.href)
            let shown = unwrapped(String(link.text.unicodeScalars.filter { $0.value > 0x20 }.map(Character.init)))
            guard let hrefHost = URLParts(href)?.host, let shownHost = URLParts(shown)?.host else { continue }
            // Only a link that shows the issuer's host, or opens a download URL, is judged: a newsletter footer whose
            // link goes through a click counter is no notice's business.
            let showsIssuer = trust.hosts.contains { $0.lowercasedASCII() == shownHost }
            if hrefHost != shownHost, showsIssuer || found.contains(link.href) || found.contains(href) {
                notice.distrust(
                    .linkTextMismatch, "a link shows \(shown) but opens \(href)", phishing: true)
                return
            }
        }
        for url in urls where !trust.trustsURL(url) {
            if let host = URLParts(url)?.host, trust.hosts.contains(where: { $0.lowercasedASCII() == host }),
                url.lowercased().hasPrefix("http://")
            {
                notice.distrust(.urlNotHTTPS, "the download URL \(url) is not https://")
            } else {
                let lookalike = looksLikeTrusted(url, trust: trust)
                notice.distrust(
                    .urlHostNotTrusted, "the download URL \(url) is not on a trusted host (\(hosts))",
                    phishing: lookalike)
            }
            return
        }
        if Set(urls).count > 1 {
            notice.distrust(
                .urlCut,
                "the message carries different download URLs (\(Set(urls).sorted().joined(separator: ", "))): "
                    + "a URL cut by line wrapping cannot be told from the whole one; not stored")
            return
        }
        if cutUndecided, let url = urls.first {
            notice.distrust(
                .urlCut,
                "the download URL \(url) ends where a line was wrapped and where it ends cannot be decided; "
                    + "not stored")
            return
        }
        if let minimum = trust.minimumTokenLength, let url = urls.first, let token = downloadToken(url),
            token.count < minimum
        {
            notice.distrust(
                .urlCut,
                "the download URL \(url) has a token of \(token.count) character\(token.count == 1 ? "" : "s"), shorter than the "
                    + "issuer's \(minimum): cut by line wrapping; not stored")
        }
    }

    private static func unwrapped(_ url: String) -> String {
        if case .unwrapped(let inner, _) = LinkRewriter.examine(url) { return inner }
        return url
    }

    /// The download token: the `t` query parameter, else the last path segment.
    private static func downloadToken(_ url: String) -> String? {
        guard let parts = URLParts(url) else { return nil }
        if let value = parts.queryValue("t") { return value }
        let path = parts.pathAndQuery.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        return path.split(separator: "/").last.map(String.init)
    }

    /// A host made to look like a trusted one: userinfo or a non-ASCII, percent-encoded or punycode authority, or a
    /// trusted host's name or its labels inside another host.
    private static func looksLikeTrusted(_ url: String, trust: TrustPolicy) -> Bool {
        let lower = url.lowercasedASCII()
        let schemeEnd = lower.range(of: "://").map(\.upperBound) ?? lower.startIndex
        let authority = lower[schemeEnd...].prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != "\\" }
        if authority.contains("@") || authority.contains("%") || authority.contains("xn--")
            || authority.unicodeScalars.contains(where: { $0.value >= 0x80 })
        {
            return true
        }
        for trusted in trust.hosts.map({ $0.lowercasedASCII() }) {
            if authority.contains(trusted) { return true }
            let labels = trusted.split(separator: ".").filter { $0.count >= 4 && $0 != "example" && $0 != "co" }
            if labels.contains(where: { authority.contains($0) }) { return true }
            if authority.contains(trusted.replacingOccurrences(of: ".", with: "-")) { return true }
        }
        return false
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
        cutUndecided = cutUndecided || other.cutUndecided
        quoted = quoted || other.quoted
        forwardMarker = forwardMarker || other.forwardMarker
        firstURL = firstURL ?? other.firstURL
        if validFrom == nil {
            validFrom = other.validFrom
            validUntil = other.validUntil
        }
        otp = otp ?? other.otp
        expiresAt = expiresAt ?? other.expiresAt
    }
}

extension Notice {
    /// Records why the notice is not trusted; the first reason found stands.
    mutating func distrust(_ reason: DistrustReason, _ words: String, phishing: Bool = false) {
        guard self.reason == nil else { return }
        self.reason = reason
        distrustReason = words
        suspectedPhishing = phishing
    }
}

/// The issuer's OTPs are valid 30 minutes from issue: an expiry further from the mail than this is not plausible.
public enum OTPPlausibility {
    /// 35 minutes: 30 and a margin for clocks and queues.
    public static let validity: Double = 35 * 60
}
