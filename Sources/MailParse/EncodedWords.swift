/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header values.
///
/// Adjacent encoded words in one charset are joined as bytes before decoding, so a character split across words
/// (and the ISO-2022-JP shift state) survives; white space between two encoded words is dropped (§6.2).
/// Seen in practice and accepted, as Python's email package does: encoded words glued to other text
/// (`Fwd:=?utf-8?...?=`) or to each other, inside quoted strings, longer than 75 characters, with an RFC 2231
/// language (`utf-8*ja`), and base64 without padding.
/// - SeeAlso: RFC 2047 §2, §4, §5, §6.2; RFC 2231 §5
public enum EncodedWords {
    /// A header value as a person reads it: raw 8-bit bytes decoded (UTF-8, else detected), folds already removed,
    /// encoded words decoded, surrounding white space trimmed.
    public static func decodeUnstructured(_ raw: ArraySlice<UInt8>) -> String {
        decode(headerText(raw)).trimmingWhitespace()
    }

    /// The raw bytes of a header value as text: ASCII as it is, 8-bit as `Charset.decodeHeader` reads undeclared
    /// bytes (RFC 6532 UTF-8, cp932 from an old Japanese mailer when it decodes cleanly, else Windows-1252).
    static func headerText(_ raw: ArraySlice<UInt8>) -> String {
        for byte in raw where byte >= 0x80 || byte == ASCII.esc {
            return Charset.decodeHeader(Array(raw))
        }
        return String(decoding: raw, as: UTF8.self)
    }

    private enum Piece {
        case text([UInt8])
        case word(charset: String, bytes: [UInt8])
    }

    /// Decodes every encoded word in `text`; everything else is kept as it is.
    public static func decode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8, zip(bytes, bytes.dropFirst()).contains(where: { $0 == (ASCII.equals, ASCII.question) })
        else { return text }
        var pieces: [Piece] = []
        var literalStart = 0
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == ASCII.equals, bytes[index + 1] == ASCII.question else {
                index += 1
                continue
            }
            switch parseWord(bytes, at: index) {
            case .word(let charset, let decoded, let end):
                if literalStart < index { pieces.append(.text(Array(bytes[literalStart..<index]))) }
                pieces.append(.word(charset: charset, bytes: decoded))
                index = end
                literalStart = end
            case .notAWord(let resume):
                index = resume
            }
        }
        if literalStart < bytes.count { pieces.append(.text(Array(bytes[literalStart...]))) }

        var output = ""
        var pendingCharset: String?
        var pendingBytes: [UInt8] = []
        func flush() {
            if let charset = pendingCharset {
                output += Charset.decode(pendingBytes, label: charset)
            }
            pendingCharset = nil
            pendingBytes = []
        }
        for (position, piece) in pieces.enumerated() {
            switch piece {
            case .word(let charset, let decoded):
                if let pending = pendingCharset, pending != charset { flush() }
                pendingCharset = charset
                pendingBytes += decoded
            case .text(let literal):
                let betweenWords =
                    pendingCharset != nil && position + 1 < pieces.count
                    && { if case .word = pieces[position + 1] { return true } else { return false } }()
                if betweenWords && literal.allSatisfy(ASCII.isWhitespace) { continue }
                flush()
                output += String(decoding: literal, as: UTF8.self)
            }
        }
        flush()
        return output
    }

    private enum WordScan {
        /// The lower-cased charset (language removed), the decoded bytes, and the index after the closing `?=`.
        case word(charset: String, bytes: [UInt8], end: Int)
        /// Where to look for the next `=?`. When the encoded text ran into white space or the end without a `?=`,
        /// no `=?` before that point can close either, so the search resumes there: hostile headers full of `=?`
        /// stay linear.
        case notAWord(resume: Int)
    }

    /// Parses one encoded word starting at `start`, which holds `=?`.
    private static func parseWord(_ bytes: [UInt8], at start: Int) -> WordScan {
        let notAWord = WordScan.notAWord(resume: start + 1)
        // encoded-word = "=?" charset "?" encoding "?" encoded-text "?="   (RFC 2047 §2)
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != ASCII.question {
            let byte = bytes[index]
            // charset is a token: no white space, specials or controls.
            if byte <= ASCII.space || byte >= 0x7F || byte == ASCII.equals { return notAWord }
            if index - charsetStart > 64 { return notAWord }
            index += 1
        }
        guard index < bytes.count, index > charsetStart else { return notAWord }
        var charset = ASCII.lowercasedString(bytes[charsetStart..<index])
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        index += 1
        guard index + 1 < bytes.count, bytes[index + 1] == ASCII.question else { return notAWord }
        let encoding = ASCII.lower(bytes[index])
        guard encoding == 0x62 || encoding == 0x71 else { return notAWord }  // "b" or "q"
        index += 2
        let textStart = index
        var sawWhitespace = false
        while index + 1 < bytes.count {
            if bytes[index] == ASCII.question && bytes[index + 1] == ASCII.equals { break }
            // encoded-text has no white space (RFC 2047 §2), but some mail programs fold a long word in its middle
            // (`…OT` CRLF SP `83…?=`); Python's email package reads through the fold, and so does this. The word
            // still has to close with "?=" before the next "=?", so a stray "=?" cannot eat the line.
            // ("=?=" is base64 padding before the closing "?=", not a new word.)
            if bytes[index] == ASCII.equals, bytes[index + 1] == ASCII.question, sawWhitespace,
                index + 2 >= bytes.count || bytes[index + 2] != ASCII.equals
            {
                return .notAWord(resume: index)
            }
            if ASCII.isWhitespace(bytes[index]) { sawWhitespace = true }
            index += 1
        }
        guard index + 1 < bytes.count else { return .notAWord(resume: bytes.count) }
        // The fold's white space: skipped by the base64 decoder, kept by Q (as Python keeps it).
        let text = bytes[textStart..<index]
        let decoded =
            encoding == 0x62
            ? TransferEncoding.decodeBase64(text)
            : TransferEncoding.decodeQuotedPrintable(Array(text), header: true)
        return .word(charset: charset, bytes: decoded, end: index + 2)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    func trimmingWhitespace() -> String {
        func isSpaceByte(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = utf8.first, let last = utf8.last else { return self }
        if !isSpaceByte(first) && !isSpaceByte(last) { return self }
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
        }
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}
