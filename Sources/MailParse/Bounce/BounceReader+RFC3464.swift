/// RFC 3464 delivery status notifications: the `message/delivery-status` part of a `multipart/report`.
extension BounceReader {
    /// One per-recipient group of a delivery-status body.
    struct RecipientStatus {
        var recipient: String?
        var action: String?
        var status: String?
        var diagnostic: String?
    }

    /// What the delivery-status parts of a message say: the per-recipient groups in order.
    /// - SeeAlso: RFC 3464 §2.1 (a per-message group, then one group per recipient), RFC 6533 §6.2
    ///   (message/global-delivery-status: the same fields in UTF-8)
    static func deliveryStatusGroups(_ message: Message) -> [RecipientStatus]? {
        var groups: [RecipientStatus] = []
        var sawPart = false
        ownEntities(message.root) { entity in
            guard entity.contentType.type == "message",
                entity.contentType.subtype == "delivery-status"
                    || entity.contentType.subtype == "global-delivery-status"
            else { return }
            sawPart = true
            groups += recipientGroups(entity.decodedBody[...])
        }
        return sawPart ? groups : nil
    }

    /// The per-recipient groups of delivery-status fields in text: every group with a Final-Recipient or
    /// Original-Recipient field. Groups are separated by empty lines (RFC 3464 §2.1); fields fold as in RFC 5322.
    /// Some MTAs put no empty line between groups (seen in practice): a second recipient field starts a new group.
    static func recipientGroups(_ bytes: ArraySlice<UInt8>) -> [RecipientStatus] {
        var groups: [RecipientStatus] = []
        var current = RecipientStatus()
        var hasFinal = false
        var fields: [(name: String, value: String)] = []

        func flushField() {
            guard let field = fields.popLast() else { return }
            let value = BounceText.oneLine(field.value)
            switch field.name {
            case "final-recipient", "original-recipient", "x-actual-recipient":
                if field.name == "final-recipient" {
                    if hasFinal { flushGroup() }
                    hasFinal = true
                }
                // Original-Recipient is the address as the sender gave it (before aliases and forwarding), which is
                // the one the sender knows: it wins over Final-Recipient when it is an rfc822 address.
                if let address = recipientAddress(value) {
                    if field.name == "original-recipient" || current.recipient == nil {
                        current.recipient = address
                    }
                }
            case "action": current.action = value.lowercased()
            case "status": current.status = value
            case "diagnostic-code": current.diagnostic = diagnosticText(value)
            default: break
            }
        }
        func flushGroup() {
            if current.recipient != nil { groups.append(current) }
            current = RecipientStatus()
            hasFinal = false
        }

        for quoted in BounceText.lines(bytes) {
            let line = BounceText.unquoted(quoted)
            if line.allSatisfy(ASCII.isWhitespace) {
                flushField()
                flushGroup()
                if groups.count >= Bounce.maxRecipients { break }
                continue
            }
            if let first = line.first, ASCII.isWSP(first), !fields.isEmpty {
                fields[fields.count - 1].value += " " + String(decoding: line, as: UTF8.self)
                continue
            }
            flushField()
            guard let colon = line.firstIndex(of: ASCII.colon) else { continue }
            let name = ASCII.lowercasedString(ASCII.trimmed(line[line.startIndex..<colon]))
            fields.append((name, String(decoding: line[(colon + 1)...], as: UTF8.self)))
        }
        flushField()
        flushGroup()
        return groups
    }

    /// The address of a recipient field, `address-type ";" generic-address` (RFC 3464 §2.3.1–2.3.2), when the type is
    /// rfc822 (or missing, seen in practice: `Final-Recipient: <user@example.com>`) and it is a plausible address.
    static func recipientAddress(_ value: String) -> String? {
        var text = Substring(value)
        if let semicolon = text.firstIndex(of: ";") {
            let type = text[..<semicolon].trimmingCharacters(in: " \t").lowercased()
            guard type == "rfc822" || type.isEmpty else { return nil }
            text = text[text.index(after: semicolon)...]
        }
        let found = BounceText.addresses(in: Array(text.utf8)[...])
        return found.first?.address
    }

    /// Diagnostic-Code is `diagnostic-type ";" *text` (RFC 3464 §2.3.6): the type ("smtp") is dropped.
    static func diagnosticText(_ value: String) -> String {
        if let semicolon = value.firstIndex(of: ";") {
            let type = value[..<semicolon]
            if type.count <= 16, !type.contains(" ") || type.lowercased().hasPrefix("smtp") {
                return BounceText.oneLine(String(value[value.index(after: semicolon)...]))
            }
        }
        return BounceText.oneLine(value)
    }

    /// Reads the groups into a bounce: failed and delayed recipients only. A report whose every group says the mail
    /// was delivered, relayed or expanded (a success DSN, RFC 3464 §2.3.3) is no bounce: nil.
    static func bounce(fromGroups groups: [RecipientStatus], format: String) -> Bounce? {
        var bounce = Bounce(format: format)
        var anyPermanent = false
        var anyFailure = false
        for group in groups {
            let action = group.action ?? ""
            let statusClass = group.status.flatMap { BounceText.statusCode(in: Array($0.utf8)[...]) }?.first
            // Only delivered, relayed and expanded are successes (RFC 3464 §2.3.3); anything else that is not a
            // 2.x.x status is read as a failure: "error" (OpenSMTPD), "expired" (SendGrid), seen in practice.
            let success =
                action.hasPrefix("deliver") || action.hasPrefix("relay") || action.hasPrefix("expand")
                || (action.isEmpty && statusClass == "2")
            let delayed = action.hasPrefix("delay")
            guard !success else { continue }
            anyFailure = true
            if let recipient = group.recipient { bounce.add(recipient: recipient) }
            // "failed" means given up for good (RFC 3464 §2.3.3), even with a 4.x.x status (a queue lifetime
            // exceeded); without an action the status class decides.
            let failed = action.hasPrefix("fail") || action.hasPrefix("error") || action.hasPrefix("expire")
            let permanent = delayed ? false : failed ? true : statusClass != "4"
            if bounce.status == nil || (permanent && !anyPermanent) {
                bounce.status = group.status.flatMap { BounceText.statusCode(in: Array($0.utf8)[...]) }
                bounce.diagnostic = group.diagnostic.flatMap { $0.isEmpty ? nil : $0 }
            }
            anyPermanent = anyPermanent || permanent
        }
        guard anyFailure else { return nil }
        bounce.permanent = anyPermanent
        return bounce
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var text = self
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return text
    }
}
