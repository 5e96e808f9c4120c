import MailParse
import NotifierCore

/// How `notifier parse` prints what it read: a JSON line (a contract other tools depend on) or a summary for a person.
extension Notice {
    /// The `parse --json` record: one line, keys in the contract's order.
    func jsonLine(file: String, path: String) -> String {
        var line = JSONLine()
        line.add("file", file)
        line.add("kind", kind.rawValue)
        line.add("trusted", trusted)
        line.add("vendor_code", vendorCode)
        line.add("url", url)
        line.add("valid_from", validFrom?.description)
        line.add("valid_until", validUntil?.description)
        line.add("otp", otp)
        line.add("expires_at", expiresAt?.description)
        line.add("subject", subject)
        line.add("from", from?.addrSpec)
        line.add("message_id", messageID)
        line.add("authenticated", authenticated)
        line.add("reason", reason?.rawValue)
        line.add("path", path)
        // Bounce keys last (null unless kind is bounce).
        line.add("bounce_recipients", bounce?.recipients)
        line.add("bounce_status", bounce?.status)
        line.add("bounce_permanent", bounce?.permanent)
        line.add("original_message_id", bounce?.originalMessageID)
        if let error { line.add("error", error) }
        return line.line + "\n"
    }

    /// The `parse` record for a person: what the message is, why it is not trusted, the fields read.
    func summary(file: String) -> String {
        var lines: [String] = []
        let trust = kind == .other || kind == .bounce ? "" : trusted ? ", trusted" : ", NOT trusted"
        let what: String
        switch kind {
        case .updateNotice: what = "certificate update notice"
        case .otp: what = "one-time password notice"
        case .other: what = error == nil ? "not a notice" : "unreadable"
        case .bounce: what = "bounce (delivery failure report)"
        }
        lines.append("\(file): \(what)\(trust)")
        if let error { lines.append("  error:    \(error)") }
        if let reason = distrustReason {
            lines.append("  why:      \(reason)\(suspectedPhishing ? " (suspected phishing)" : "")")
        }
        for note in notes { lines.append("  note:     \(note)") }
        if let subject { lines.append("  subject:  \(subject.replacingControlCharacters())") }
        if let from { lines.append("  from:     \(from.description.replacingControlCharacters())") }
        if let code = vendorCode { lines.append("  vendor:   \(code)") }
        if let from = validFrom, let until = validUntil { lines.append("  valid:    \(from) to \(until)") }
        if let url = url { lines.append("  url:      \(url)") }
        if let otp = otp { lines.append("  otp:      \(otp)") }
        if let expiry = expiresAt { lines.append("  expires:  \(expiry)") }
        if let bounce = bounce {
            let permanence = bounce.permanent ? "permanent" : "temporary"
            lines.append("  bounced:  \(bounce.recipients.joined(separator: ", ").replacingControlCharacters())")
            lines.append("  status:   \(bounce.status ?? "-") (\(permanence))")
            if let diagnostic = bounce.diagnostic {
                lines.append("  reason:   \(diagnostic.replacingControlCharacters())")
            }
            if let id = bounce.originalMessageID { lines.append("  original: <\(id.replacingControlCharacters())>") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
