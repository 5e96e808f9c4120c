/// Plain-text delivery reports: what MTAs write for people, with or without a delivery-status part beside it.
///
/// The shapes read here, most specific first (the first that names a recipient wins):
/// 1. delivery-status fields written into the text (`Final-Recipient: rfc822; a@example.com`; some MTAs put their
///    DSN in a text/plain part);
/// 2. Exim's X-Failed-Recipients field (Google Groups writes it too);
/// 3. a line that starts with the failed address: qmail and Yahoo (`<a@example.com>:`), Postfix
///    (`<a@example.com>: host mx.example.com said: 550 ...`), Exim (the indented address after "failed:"), Gmail and
///    Google Groups, Sendmail (`<a@example.com>... User unknown`), Exchange and Office 365 (the address after "did
///    not reach the following recipient(s):"); or ends with it after a sentence and a colon (IMail, KDDI);
/// 4. an SMTP transcript: `RCPT TO:<a@example.com>` (Sendmail, Apache James, Verizon);
/// 5. an address in angle brackets or quotes that is not one of the report's or the original's own;
/// 6. a report attached to the report (a relay forwarding the bounce it got): the inner one's recipients;
/// 7. last, the To field of the original message when it names exactly one address.
extension BounceReader {
    /// The report's own text: text/plain parts outside any attached message (text/rfc822-headers excluded), or the
    /// text of its HTML parts when it has no plain one.
    static func reportText(_ message: Message) -> [UInt8] {
        var plain: [String] = []
        var html: [String] = []
        ownEntities(message.root) { entity in
            guard case .single = entity.body, entity.contentType.type == "text",
                entity.contentType.subtype != "rfc822-headers", let text = entity.text
            else { return }
            if entity.contentType.subtype == "html" { html.append(text) } else { plain.append(text) }
        }
        let text = plain.isEmpty ? html.map(HTMLText.text(fromHTML:)) : plain
        return Array(text.joined(separator: "\n").utf8)
    }

    /// Reads the recipients, status and diagnostic from the report's text; nil when it names no recipient and gives
    /// no status code, or when nothing in the header section says it is a report.
    static func readText(_ text: [UInt8], message: Message, signals: Signals, depth: Int) -> Bounce? {
        let reportEnd = min(quotedOriginalStart(text) ?? text.count, BounceText.maxScannedBytes)
        let report = text[..<reportEnd]
        let lines = BounceText.lines(report).map(BounceText.unquoted)
        var originals = originalHeaders(message, text: text)
        var excluded = signals.ownAddresses
        for headers in originals {
            for name in ["From", "Sender", "Return-Path", "Reply-To"] {
                for field in headers.all(name) {
                    for found in BounceText.addresses(in: field.rawValue) { excluded.insert(found.address) }
                }
            }
        }
        // The shapes that name the failed address leave out only the report's sender; the loose ones (5, 6) also
        // the addresses of the report's and the original's senders and recipients, and mail systems' addresses.
        let senders = signals.senderAddresses
        func named(_ address: String) -> Bool {
            guard !senders.contains(address), let at = address.firstIndex(of: "@") else { return false }
            return !address[..<at].hasPrefix("mailer-daemon")
        }
        func usable(_ address: String) -> Bool {
            guard !excluded.contains(address), let at = address.firstIndex(of: "@") else { return false }
            let local = address[..<at]
            return !Signals.daemonLocalParts.contains { local.hasPrefix($0) }
        }

        var bounce = Bounce(format: format(of: report, message: message))
        // 1. Delivery-status fields in the text.
        let groups = recipientGroups(report)
        if let fromGroups = Self.bounce(fromGroups: groups, format: bounce.format) {
            bounce = fromGroups
        } else {
            for group in groups { if let recipient = group.recipient { bounce.add(recipient: recipient) } }
        }
        // 2. Exim's X-Failed-Recipients field (Google Groups writes it too): the failed addresses, exactly.
        if bounce.recipients.isEmpty {
            for address in signals.failedRecipients { bounce.add(recipient: address) }
        }
        // 3. Lines that start (or end, after a colon) with the failed address. Exim names the original's sender the
        // same way ("A message sent by\n  <a@example.com>\ncould not be delivered"): when some candidates are
        // neither the report's nor the original's own addresses, only those are kept.
        var recipientLine: Int?
        if bounce.recipients.isEmpty {
            var candidates: [(address: String, line: Int)] = []
            for (number, line) in lines.enumerated() where candidates.count < Bounce.maxRecipients {
                guard let address = leadingAddress(line) ?? trailingAddress(line), named(address) else { continue }
                candidates.append((address, number))
            }
            let preferred = candidates.filter { usable($0.address) }
            for candidate in preferred.isEmpty ? candidates : preferred {
                bounce.add(recipient: candidate.address)
                recipientLine = recipientLine ?? candidate.line
            }
        }
        // 4. An SMTP transcript.
        if bounce.recipients.isEmpty {
            for line in lines {
                guard let range = BounceText.firstRange(of: "rcpt to:", in: line) else { continue }
                if let found = BounceText.addresses(in: line[range.upperBound...]).first, named(found.address) {
                    bounce.add(recipient: found.address)
                }
            }
        }
        // 5. An address in <> or quotes in the report's text.
        if bounce.recipients.isEmpty {
            for line in lines {
                for found in BounceText.addresses(in: line) where usable(found.address) {
                    let before = found.range.lowerBound > line.startIndex ? line[found.range.lowerBound - 1] : 0
                    let after = found.range.upperBound < line.endIndex ? line[found.range.upperBound] : 0
                    if (before == 0x3C && after == 0x3E) || (before == 0x22 && after == 0x22)
                        || (before == 0x27 && after == 0x27)
                    {
                        bounce.add(recipient: found.address)
                    }
                }
            }
        }
        // 6. A report that carries another report (a relay forwarding the bounce it got): the inner one's.
        if bounce.recipients.isEmpty, depth < 2 {
            var inner: Bounce?
            ownEntities(message.root) { entity in
                guard inner == nil, case .message(let attached) = entity.body else { return }
                inner = read(Message(root: attached, defects: []), depth: depth + 1)
            }
            if let inner, !inner.recipients.isEmpty {
                for recipient in inner.recipients { bounce.add(recipient: recipient) }
                bounce.status = bounce.status ?? inner.status
                bounce.diagnostic = bounce.diagnostic ?? inner.diagnostic
                bounce.permanent = inner.permanent
                bounce.format = inner.format
            }
        }
        // 7. The original's To, when it names one address and nothing else did.
        if bounce.recipients.isEmpty {
            originals = originals.filter { !$0.all("To").isEmpty }
            if let to = originals.first?.all("To") {
                let addresses = to.flatMap { BounceText.addresses(in: $0.rawValue) }
                if addresses.count == 1, let only = addresses.first, usable(only.address) {
                    bounce.add(recipient: only.address)
                    bounce.format += "+original-to"
                }
            }
        }

        if bounce.status == nil { bounce.status = BounceText.statusCode(in: report) }
        guard !bounce.recipients.isEmpty || bounce.status != nil else { return nil }
        if bounce.diagnostic == nil { bounce.diagnostic = diagnostic(lines, after: recipientLine) }
        bounce.permanent = isPermanent(
            status: bounce.status, report: report, groupsSaid: groups.isEmpty ? nil : bounce.permanent)
        return bounce
    }

    /// The address a line starts with, after white space and an opening quote or "<": `<a@example.com>:`,
    /// `a@example.com`, `'a@example.com' on ...`, `<a@example.com>... User unknown`. The address must be followed by
    /// the end of the line, white space, ":", "...", a closing bracket or quote, or "(".
    static func leadingAddress(_ line: ArraySlice<UInt8>) -> String? {
        var start = line.startIndex
        while start < line.endIndex,
            ASCII.isWSP(line[start]) || line[start] == 0x3C || line[start] == 0x22
                || line[start] == 0x27 || line[start] == 0x2A || line[start] == 0x2D
        {
            start += 1
            if start - line.startIndex > 16 { return nil }
        }
        guard start < line.endIndex, BounceText.isLocalByte(line[start]) else { return nil }
        // Only the first word of the line: an address later in a sentence is not this shape.
        var wordEnd = start
        while wordEnd < line.endIndex, !ASCII.isWSP(line[wordEnd]) { wordEnd += 1 }
        guard let found = BounceText.addresses(in: line[start..<wordEnd]).first, found.range.lowerBound == start
        else { return nil }
        let after = found.range.upperBound
        guard after < line.endIndex else { return found.address }
        // "a@example.com 様" greets the sender (Google Groups in Japanese): not a failed address.
        if BounceText.firstRange(of: "様", in: line[after...].prefix(8)) != nil { return nil }
        switch line[after] {
        case ASCII.space, ASCII.tab, ASCII.colon, 0x3E, 0x22, 0x27, 0x28, 0x2C, ASCII.semicolon: return found.address
        case 0x2E: return after + 2 < line.endIndex && line[after + 1] == 0x2E ? found.address : nil
        default: return nil
        }
    }

    /// The address a line ends with after a colon, as in `Delivery failed 20 attempts: a@example.com` (IMail) or
    /// `Could not be delivered to: <a@example.com>` (KDDI): nothing but white space, "<" or quotes between them.
    static func trailingAddress(_ line: ArraySlice<UInt8>) -> String? {
        let trimmed = ASCII.trimmed(line)
        guard let colon = trimmed.lastIndex(of: ASCII.colon), colon + 1 < trimmed.endIndex else { return nil }
        // "To: a@example.com" is a quoted header field (Exchange quotes the original's), not a failure: the words
        // before the colon must be a sentence of two words or more.
        guard ASCII.trimmed(trimmed[trimmed.startIndex..<colon]).contains(ASCII.space) else { return nil }
        // Not a quoted header field either ("Message-ID: <id@host>" has the shape of an address).
        if let firstColon = trimmed.firstIndex(of: ASCII.colon),
            trimmed[trimmed.startIndex..<firstColon].allSatisfy({ ASCII.isAlphanumeric($0) || $0 == 0x2D })
        {
            return nil
        }
        var start = colon + 1
        while start < trimmed.endIndex,
            ASCII.isWSP(trimmed[start]) || trimmed[start] == 0x3C || trimmed[start] == 0x22
                || trimmed[start] == 0x27
        {
            start += 1
        }
        var end = trimmed.endIndex
        while end > start,
            trimmed[end - 1] == 0x3E || trimmed[end - 1] == 0x22 || trimmed[end - 1] == 0x27
                || trimmed[end - 1] == 0x2E
        {
            end -= 1
        }
        guard start < end, let found = BounceText.addresses(in: trimmed[start..<end]).first,
            found.range == start..<end
        else { return nil }
        return found.address
    }

    /// The line that gives the reason: the first after the recipient's line (or anywhere) with an SMTP reply code or
    /// an enhanced status code, else the first non-empty line after the recipient's.
    static func diagnostic(_ lines: [ArraySlice<UInt8>], after recipientLine: Int?) -> String? {
        let start = recipientLine ?? 0
        for line in lines[start...].prefix(40)
        where BounceText.replyCode(in: line) != nil || BounceText.statusCode(in: line) != nil {
            return BounceText.oneLine(String(decoding: line, as: UTF8.self))
        }
        if let recipientLine {
            for line in lines[(recipientLine + 1)...].prefix(5) where !ASCII.trimmed(line).isEmpty {
                return BounceText.oneLine(String(decoding: line, as: UTF8.self))
            }
        }
        return nil
    }

    /// Permanent unless a 4.x.x status, a 4xx reply without a status, or the words of a delay warning say otherwise.
    /// - SeeAlso: RFC 3463 §3.1 (class 4 persistent transient failure, class 5 permanent failure)
    static func isPermanent(status: String?, report: ArraySlice<UInt8>, groupsSaid: Bool?) -> Bool {
        if let status { return !status.hasPrefix("4") }
        if let groupsSaid { return groupsSaid }
        if let code = BounceText.replyCode(in: report) { return code >= 500 }
        let temporary = [
            "will be retried", "will retry", "will continue trying", "has not yet been delivered",
            "could not send message for past", "delayed", "temporarily", "warning:",
        ]
        return !temporary.contains { BounceText.contains(report, $0) }
    }

    /// A name for the MTA that wrote the report, from the words it always uses (for reports and tests).
    static func format(of report: ArraySlice<UInt8>, message: Message) -> String {
        let cues: [(String, String)] = [
            ("qmail", "qmail"), ("this is the mail system at host", "postfix"), ("postfix", "postfix"),
            ("transcript of session follows", "sendmail"),
            ("this message was created automatically by mail delivery software", "exim"),
            ("amazonses", "amazonses"), ("did not reach the following recipient", "exchange"),
            ("delivery has failed to these recipients", "exchange"), ("microsoft", "exchange"),
            ("delivery to the following recipient", "gmail"), ("google", "gmail"),
            ("yahoo", "yahoo"),
        ]
        for (cue, name) in cues where BounceText.contains(report, cue) { return name }
        if message.headers.first("X-Failed-Recipients") != nil { return "exim" }
        return "text"
    }
}
