/// One SMTP reply: a three-digit code and its lines of text (RFC 5321 §4.2: `250-first`, `250 last`).
struct SMTPReply: Equatable, Sendable {
    let code: Int
    /// Each line's text after the code and its separator, as the server sent it (control characters replaced).
    let lines: [String]

    /// The reply on one line for people and the database: the code and every line's text, at most 500 characters.
    var summary: String {
        let text = lines.filter { !$0.isEmpty }.joined(separator: " ")
        let whole = text.isEmpty ? "\(code)" : "\(code) \(text)"
        return whole.count <= 500 ? whole : String(whole.prefix(499)) + "…"
    }
}

/// Cuts SMTP replies out of the bytes a server sends. A server is not trusted to be sane: a line longer than
/// `maxLine` bytes, a reply of more than `maxLines` lines, a line that does not start with a code or a reply whose
/// lines disagree on the code is a protocol error, never unbounded memory.
struct SMTPReplyReader {
    struct Malformed: Error, Equatable {
        package let reason: String
    }

    /// RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; servers' texts are longer in practice.
    var maxLine = 4096
    var maxLines = 200
    private var buffer: [UInt8] = []
    private var start = 0
    private var pending: (code: Int, lines: [String])?

    /// Whether bytes that belong to no complete reply yet are waiting (a reply under way, or data nobody asked for).
    var hasBufferedInput: Bool { start < buffer.count || pending != nil }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or nil when more bytes are needed.
    mutating func next() throws(Malformed) -> SMTPReply? {
        while true {
            guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.count - start > maxLine {
                    throw Malformed(reason: "a reply line longer than \(maxLine) bytes")
                }
                compact()
                return nil
            }
            var end = newline
            if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = buffer[start..<end]
            start = newline + 1
            guard line.count <= maxLine else { throw Malformed(reason: "a reply line longer than \(maxLine) bytes") }
            let (code, last, text) = try Self.parse(line)
            if let pending, pending.code != code {
                throw Malformed(reason: "a reply whose lines carry different codes (\(pending.code), \(code))")
            }
            var lines = pending?.lines ?? []
            lines.append(text)
            if last {
                pending = nil
                return SMTPReply(code: code, lines: lines)
            }
            guard lines.count < maxLines else { throw Malformed(reason: "a reply of more than \(maxLines) lines") }
            pending = (code, lines)
        }
    }

    private mutating func compact() {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    /// `ddd text`, `ddd-text` or `ddd` alone (RFC 5321 §4.2.1): the code, whether it is the last line, the text.
    private static func parse(_ line: ArraySlice<UInt8>) throws(Malformed) -> (Int, Bool, String) {
        let digits = Array(line.prefix(3))
        guard digits.count == 3, (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(digits[0]),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            let shown = String(decoding: line.prefix(80), as: UTF8.self)
            throw Malformed(
                reason: "a reply line that does not start with a code: \(shown.replacingControlCharacters())")
        }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard line.count > 3 else { return (code, true, "") }
        let separator = line[line.startIndex + 3]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw Malformed(reason: "a reply line with \(separator) after its code")
        }
        let text = String(decoding: line.dropFirst(4), as: UTF8.self)
        return (code, separator == UInt8(ascii: " "), text.replacingControlCharacters())
    }
}
