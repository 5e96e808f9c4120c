/// The bounced message itself, as a report carries it: a text/rfc822-headers part (RFC 3462 §2), a message/rfc822
/// part (RFC 3464 §2 allows either), or its header lines quoted in the report's text.
extension BounceReader {
    /// The header sections of the original message the report carries, in the order above.
    static func originalHeaders(_ message: Message, text: [UInt8]? = nil) -> [Headers] {
        var found: [Headers] = []
        ownEntities(message.root) { entity in
            let type = entity.contentType
            if case .message(let inner) = entity.body {
                found.append(inner.headers)
            } else if type.subtype == "rfc822-headers" || (type.type == "message" && type.subtype == "rfc822") {
                // text/rfc822-headers; also message/rfc822 the parser did not open (nesting limit).
                found.append(Message.parse(entity.decodedBody).headers)
            }
        }
        if let text, let cut = quotedOriginalStart(text) {
            found.append(Message.parse(Array(text[cut...])).headers)
        }
        return found.filter { !$0.isEmpty }
    }

    /// The original's Message-ID, without angle brackets.
    static func originalMessageID(_ message: Message, text: [UInt8]) -> String? {
        let own = message.messageID
        for headers in originalHeaders(message, text: text) {
            if let id = Entity(
                headers: headers, contentType: .defaultText, transferEncoding: "7bit", rawBody: [],
                body: .single
            ).messageID, id != own {
                return id
            }
        }
        // A Message-ID line anywhere in the report's text (quoted with "> " or indented, seen in practice).
        for line in BounceText.lines(text[...]) {
            var start = line.startIndex
            while start < line.endIndex, ASCII.isWSP(line[start]) || line[start] == 0x3E { start += 1 }
            let rest = line[start...]
            guard rest.count > 11, ASCII.equalsLowercase(rest.prefix(11), "message-id:") else { continue }
            guard let open = rest.firstIndex(of: 0x3C), let close = rest[open...].firstIndex(of: 0x3E),
                close > open + 1
            else { continue }
            let id = String(decoding: rest[(open + 1)..<close], as: UTF8.self)
            if id != own { return id }
        }
        return nil
    }

    /// Where the copy of the original message starts in a report's text (the line after a marker such as Exim's
    /// "------ This is a copy of the message, including all the headers. ------", or its first trace field), or nil.
    static func quotedOriginalStart(_ text: [UInt8]) -> Int? {
        let lines = BounceText.lines(text[...])
        for (number, line) in lines.enumerated() where number > 0 {
            let trimmed = ASCII.trimmed(line)
            guard !trimmed.isEmpty else { continue }
            if isOriginalMarker(trimmed) {
                var next = line.endIndex
                while next < text.count, text[next] == ASCII.cr || text[next] == ASCII.lf { next += 1 }
                return next < text.count ? next : nil
            }
            if line.startIndex == trimmed.startIndex,
                startsWithField(trimmed, "received:") || startsWithField(trimmed, "return-path:")
            {
                return line.startIndex
            }
        }
        return nil
    }

    private static func startsWithField(_ line: ArraySlice<UInt8>, _ name: String) -> Bool {
        BounceText.firstRange(of: name, in: line.prefix(name.utf8.count))?.lowerBound == line.startIndex
    }

    /// A separator line before a quoted original: punctuation first and words about the original, or one of the
    /// sentences MTAs write there. "The original message was received at ..." (Sendmail's first line) is not one.
    static func isOriginalMarker(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count < 200 else { return false }
        for phrase in originalSentences where BounceText.contains(line, phrase) { return true }
        guard let first = line.first, [0x2D, 0x3D, 0x2A, 0x5F, 0x5B, 0x3C, 0x7C].contains(first) else { return false }
        return originalWords.contains { BounceText.contains(line, $0) }
    }

    static let originalSentences = [
        "below this line is a copy of the message", "this is a copy of the message", "original message follows",
        "original message headers", "headers of the original message", "header of the original message",
        "unsent message below", "message text follows", "returned message follows", "the original message headers",
        "original message header", "content-type: message/rfc822", "a copy of the original message",
    ]
    static let originalWords = [
        "original message", "copy of", "original mail", "returned message", "message headers", "headers of",
        "rfc822", "unsent message", "header of", "original text", "message text",
    ]
}
