/// What tells a bounce from other automatic mail, before any recipient is looked for.
extension BounceReader {
    /// The marks of a mail system's report in the header section.
    struct Signals {
        /// From a mail system rather than a person: MAILER-DAEMON, postmaster, "Mail Delivery Subsystem".
        var daemonSender = false
        /// A subject that mail systems give their reports ("Undelivered Mail Returned to Sender", "failure notice").
        var reportSubject = false
        /// multipart/report; report-type=delivery-status (RFC 3462 §1, RFC 3464 §2).
        var deliveryStatusReport = false
        /// Exim's X-Failed-Recipients field, which lists the failed addresses.
        var failedRecipients: [String] = []
        var subject = ""
        /// The mailboxes of its From fields.
        let from: [Mailbox]
        /// The report's header section, for the address sets below (read only for a message that is a report).
        let headers: Headers

        /// The addresses of the report's own From, To, Cc and Return-Path: rarely the bounced recipient (a sender
        /// can write to itself), so only the loosest readings leave them out.
        var ownAddresses: Set<String> {
            var addresses: Set<String> = []
            for name in ["From", "To", "Cc", "Return-Path", "Reply-To", "Sender"] {
                for field in headers.all(name) {
                    for found in BounceText.addresses(in: field.rawValue) { addresses.insert(found.address) }
                }
            }
            return addresses
        }

        /// The addresses of the report's From: the mail system that wrote it, never the bounced recipient.
        var senderAddresses: Set<String> {
            Set(headers.all("From").flatMap { BounceText.addresses(in: $0.rawValue).map(\.address) })
        }

        var isReport: Bool { daemonSender || reportSubject || deliveryStatusReport || !failedRecipients.isEmpty }

        init(_ message: Message, subject: String?, from: [Mailbox]) {
            headers = message.headers
            self.from = from
            self.subject = (subject ?? "").lowercased()
            let subjectBytes = Array(self.subject.utf8)
            reportSubject = Self.reportSubjectBytes.contains { ASCII.contains(subjectBytes, $0) }
            for mailbox in from {
                let local = mailbox.localPart.lowercased()
                if Self.daemonLocalParts.contains(where: { local.hasPrefix($0) }) { daemonSender = true }
            }
            for field in headers.all("From") where !daemonSender {
                // The names are ASCII: the raw field, lower-cased, says it unless the name is an encoded word.
                let raw = field.rawValue.map(ASCII.lower)
                let encoded = raw.contains { $0 >= 0x80 } || ASCII.contains(raw, Array("=?".utf8))
                let text = encoded ? Array(EncodedWords.headerText(field.rawValue).lowercased().utf8) : raw
                if Self.daemonNameBytes.contains(where: { ASCII.contains(text, $0) }) { daemonSender = true }
            }
            let type = message.root.contentType
            deliveryStatusReport =
                type.mimeType == "multipart/report" && type.parameter("report-type")?.lowercased() == "delivery-status"
            for field in headers.all("X-Failed-Recipients") {
                for found in BounceText.addresses(in: field.rawValue)
                where failedRecipients.count < Bounce.maxRecipients {
                    failedRecipients.append(found.address)
                }
            }
        }

        /// Lower-case pieces of the subjects of delivery reports, gathered from the MTAs named in `BounceReader`.
        static let reportSubjects = [
            "undeliver", "undelivered", "delivery status notification", "returned mail", "failure notice",
            "delivery failure", "delivery failed", "delivery has failed", "could not be delivered", "not delivered",
            "non remis", "non-remis", "nondeliver", "non-deliver", "delivery notification", "mail system error",
            "delivery status", "delivery report", "postmaster notify", "could not send", "returned to sender",
            "mail delivery", "delivery problem", "unzustellbar", "no entregado", "mail error", "email error",
            "delivery error", "message not delivered", "delayed mail", "is delayed", "delivery delayed",
            "不達", "配信不能", "配送エラー", "エラー通知", "配信失敗", "送信エラー", "配信エラー",
        ]
        static let reportSubjectBytes = reportSubjects.map { Array($0.utf8) }
        /// Local parts (prefixes) of mail systems' report senders.
        static let daemonLocalParts = [
            "mailer-daemon", "mailer_daemon", "mail-daemon", "maildaemon", "postmaster",
            "post_master", "mdaemon", "mail.delivery",
        ]
        /// Display names of mail systems' report senders.
        static let daemonNames = [
            "mail delivery", "mailer-daemon", "mailer daemon", "mail system", "postmaster",
            "delivery subsystem", "mail administrator",
        ]
        static let daemonNameBytes = daemonNames.map { Array($0.utf8) }
    }

    /// An automatic reply of a person's mail program (RFC 3834): a vacation or out-of-office message. Postfix and
    /// others mark their bounces `Auto-Submitted: auto-replied` too, so that field counts only when nothing says
    /// the message comes from a mail system.
    /// - SeeAlso: RFC 3834 §5 (Auto-Submitted), §3.1.5 (subjects)
    static func isAutoReply(_ message: Message, signals: Signals) -> Bool {
        let subject = Array(signals.subject.utf8)
        if autoReplySubjectBytes.contains(where: { ASCII.contains(subject, $0) }) { return true }
        let headers = message.headers
        for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Reply"] where headers.first(name) != nil { return true }
        if let precedence = headers.first("Precedence"),
            ASCII.lowercasedString(ASCII.trimmed(precedence.rawValue)) == "auto_reply"
        {
            return true
        }
        if let auto = headers.first("Auto-Submitted"),
            ASCII.lowercasedString(ASCII.trimmed(auto.rawValue)).hasPrefix("auto-replied"),
            !signals.daemonSender, !signals.reportSubject, !signals.deliveryStatusReport
        {
            return true
        }
        return false
    }

    /// Lower-case pieces of vacation and out-of-office subjects.
    static let autoReplySubjects = [
        "auto:", "automatic reply", "autoreply", "auto-reply", "auto reply", "out of office", "out of the office",
        "vacation", "abwesenheit", "absence", "自動応答", "自動返信", "不在",
    ]
    static let autoReplySubjectBytes = autoReplySubjects.map { Array($0.utf8) }
}
