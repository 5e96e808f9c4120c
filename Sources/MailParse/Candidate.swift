/// What a message's header section alone says about whether it could matter: read before its body is downloaded
/// (POP3's TOP), so that only candidates are fetched whole. Generous on purpose: a "yes" costs one download, a wrong
/// "no" loses a notice (or leaves a phishing mail unreported), so anything that resembles a notice is a candidate.
public enum Candidate {
    /// Words of the subjects of the issuer's notices and OTP mails (【電子入札システム】クライアント証明書更新のお知らせ,
    /// 【電子入札システム】更新用ワンタイムパスワードのお知らせ) and of look-alikes of them; matched anywhere in the decoded
    /// subject, ASCII letters in any case.
    static let noticeSubjectWords = [
        "電子入札", "入札", "証明書", "ワンタイム", "パスワード", "業者コード", "ダウンロード", "公社", "jkk", "otp",
        "one-time", "one time", "certificate", "e-bid", "ebid",
    ]

    /// Whether a message with these header fields could be a notice or OTP mail of the issuer, or a look-alike of one
    /// (reported as suspected phishing, so it must be read too): a From that is a trusted sender or names one (in its
    /// display name, its address or a distinctive part of the issuer's domains), a subject with the notices' words,
    /// a subject that cannot be decoded, or header fields too broken to tell.
    public static func mayBeNotice(_ message: Message, trust: TrustPolicy) -> Bool {
        let headers = message.headers
        let fromFields = headers.all("From")
        guard !headers.isEmpty, !fromFields.isEmpty else { return true }
        let senders = fromFields.flatMap { Mailbox.parseList($0.rawValue) }
        if senders.isEmpty || senders.contains(where: trust.trustsSender) { return true }
        let marks = issuerMarks(trust)
        for name in ["From", "Sender", "Reply-To", "X-Original-From"] {
            for field in headers.all(name) {
                let text = EncodedWords.headerText(field.rawValue).lowercasedASCII()
                if marks.contains(where: { text.contains($0) }) { return true }
            }
        }
        guard let subject = message.subject?.lowercasedASCII() else { return false }
        if subject.unicodeScalars.contains("\u{FFFD}") { return true }  // undecodable: look at the whole message
        return noticeSubjectWords.contains { subject.contains($0) } || marks.contains { subject.contains($0) }
    }

    /// Lower-case pieces that name the issuer: each trusted sender's address, its local part and domain, and the
    /// labels (split at dots and hyphens) of its domain and of the trusted hosts that are four characters or longer
    /// and are not generic (`example`, `mail`...): `nyusatsu`, `to-kousya.example`, `kousya`.
    static func issuerMarks(_ trust: TrustPolicy) -> [String] {
        var marks: [String] = []
        func add(_ mark: String) { if !mark.isEmpty && !marks.contains(mark) { marks.append(mark) } }
        let generic: Set<String> = [
            "example", "mail", "info", "notice", "noreply", "no-reply", "admin", "support", "www",
        ]
        for sender in trust.senders.map({ $0.lowercasedASCII() }) {
            add(sender)
            let parts = sender.split(separator: "@", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                if parts[0].count >= 5 && !generic.contains(parts[0]) { add(parts[0]) }
                add(parts[1])
            }
        }
        let domains = trust.senders.compactMap { $0.split(separator: "@").last.map(String.init) } + trust.hosts
        for domain in domains.map({ $0.lowercasedASCII() }) {
            for label in domain.split(whereSeparator: { $0 == "." || $0 == "-" }).map(String.init)
            where label.count >= 4 && !generic.contains(label) && !["com", "net", "org"].contains(label) {
                add(label)
            }
        }
        return marks
    }

    /// Whether a message with these header fields could be a delivery report (a bounce or a delay warning): the
    /// cues `BounceReader` reads in a header section (a multipart/report, a mail system's sender or subject, Exim's
    /// X-Failed-Recipients, Amazon SES), and what reports carry besides: an empty Return-Path (RFC 5321 §4.5.5),
    /// Auto-Submitted (RFC 3834), a multipart message from a no-reply sender (reports that quote the original
    /// without saying they are reports), or header fields too broken to tell.
    public static func mayBeBounce(_ message: Message) -> Bool {
        let headers = message.headers
        guard !headers.isEmpty else { return true }
        let from = headers.all("From").flatMap { Mailbox.parseList($0.rawValue) }
        let signals = BounceReader.Signals(message, subject: message.subject, from: from)
        if signals.isReport || BounceReader.mayBeSESNotification(message, from: from) { return true }
        if headers.all("Return-Path").contains(where: { field in
            let value = field.rawValue.filter { $0 != ASCII.space && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }
            return value.elementsEqual("<>".utf8)
        }) {
            return true
        }
        if let auto = headers.first("Auto-Submitted"),
            !EncodedWords.headerText(auto.rawValue).lowercasedASCII().hasPrefix("no")
        {
            return true
        }
        let type = message.root.contentType
        if type.type == "multipart", type.subtype != "alternative" {
            let sender = from.map { $0.localPart.lowercasedASCII() }
            if from.isEmpty || sender.contains(where: { $0.contains("reply") || $0.contains("daemon") }) { return true }
        }
        if message.root.contentType.mimeType == "message/delivery-status" { return true }
        return from.isEmpty
    }
}
