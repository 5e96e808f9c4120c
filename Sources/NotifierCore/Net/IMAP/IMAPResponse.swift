import Foundation

/// A value in an IMAP response (RFC 3501 §4): atoms (numbers, NIL, flags such as `\Seen`, and fetch keys such as
/// `BODY[]` whose brackets may hold spaces), strings (quoted or literal, as bytes: a literal is a whole message,
/// byte for byte) and parenthesised lists.
indirect enum IMAPValue: Equatable, Sendable {
    case atom(String)
    case string([UInt8])
    case list([IMAPValue])
    /// A literal longer than the reader's limit: its bytes were read and thrown away, only its length is kept.
    case tooLarge(Int)

    var number: UInt32? {
        if case .atom(let text) = self { return UInt32(text) }
        return nil
    }

    var atomText: String? {
        if case .atom(let text) = self { return text }
        return nil
    }
}

/// One complete server response as read off the wire: its text lines (without CRLF) with every literal's bytes kept
/// apart, exactly as sent, then parsed.
struct IMAPResponse: Equatable, Sendable {
    enum Part: Equatable, Sendable {
        /// A line, or the rest of a line after a literal; without its CRLF. A text part ending in `{n}` is followed
        /// by a literal part.
        case text([UInt8])
        case literal([UInt8])
        case tooLarge(Int)
    }

    enum Tag: Equatable, Sendable {
        case untagged
        case continuation
        case tagged(String)
    }

    let parts: [Part]
    let tag: Tag
    /// The number of `* 3 EXISTS`, `* 1 FETCH (...)`, `* 2 EXPUNGE`.
    let number: UInt32?
    /// The response's name in capitals: OK, NO, BAD, BYE, PREAUTH, CAPABILITY, FLAGS, SEARCH, EXISTS, RECENT,
    /// EXPUNGE, FETCH...; empty for a continuation request.
    package let name: String
    /// A status response's bracketed code, as values: `[UIDVALIDITY 3857529045]` → `[.atom("UIDVALIDITY"), .atom("3857529045")]`.
    let code: [IMAPValue]
    /// A status response's or a continuation request's human-readable text.
    package let text: String
    /// The values after the name of any other response: the numbers of SEARCH, the list of FLAGS or FETCH.
    let values: [IMAPValue]

    static let statusNames: Set<String> = ["OK", "NO", "BAD", "BYE", "PREAUTH"]

    init(parts: [Part]) throws {
        self.parts = parts
        var tokens = IMAPTokenizer(parts: parts)
        let first = tokens.atom()
        var number: UInt32?
        var name = ""
        var code: [IMAPValue] = []
        var text = ""
        var values: [IMAPValue] = []
        switch first {
        case "+":
            tag = .continuation
            tokens.skipSpaces()
            text = tokens.rest()
        case "":
            throw IMAPResponseError("a response without a tag")
        default:
            tag = first == "*" ? .untagged : .tagged(first)
            tokens.skipSpaces()
            var word = tokens.atom()
            if first == "*", let value = UInt32(word) {
                number = value
                tokens.skipSpaces()
                word = tokens.atom()
            }
            name = word.uppercased()
            if Self.statusNames.contains(name) {
                tokens.skipSpaces()
                if let inner = tokens.bracketed() {
                    var codeTokens = IMAPTokenizer(parts: [.text(inner)])
                    while !codeTokens.atEnd {
                        code.append(try codeTokens.value())
                        codeTokens.skipSpaces()
                    }
                    tokens.skipSpaces()
                }
                text = tokens.rest()
            } else {
                tokens.skipSpaces()
                while !tokens.atEnd {
                    values.append(try tokens.value())
                    tokens.skipSpaces()
                }
            }
        }
        self.number = number
        self.name = name
        self.code = code
        self.text = text
        self.values = values
    }

    /// The response for messages and logs: literals appear as `{n}` only (one may hold a whole message).
    var summary: String {
        var result = ""
        for part in parts {
            switch part {
            case .text(let bytes): result += String(decoding: bytes, as: UTF8.self)
            case .literal, .tooLarge: result += "…"
            }
        }
        return result.count > 300 ? String(result.prefix(300)) + "…" : result
    }

    /// A status response's code keyword in capitals (`UIDVALIDITY`, `READ-ONLY`...), if it has one.
    var codeName: String? { code.first?.atomText?.uppercased() }

    /// A FETCH response's items by name in capitals: `UID`, `FLAGS`, `BODY[]`...
    var fetchItems: [String: IMAPValue] {
        guard name == "FETCH", case .list(let items)? = values.first else { return [:] }
        var result: [String: IMAPValue] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].atomText { result[key.uppercased()] = items[index + 1] }
            index += 2
        }
        return result
    }
}

struct IMAPResponseError: Error, Equatable {
    package let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Reads values from a response's parts. A literal's `{n}` ends its text part; the literal is the next part.
struct IMAPTokenizer {
    private let parts: [IMAPResponse.Part]
    private var part = 0
    private var offset = 0

    init(parts: [IMAPResponse.Part]) {
        self.parts = parts
    }

    private var current: [UInt8] {
        if part < parts.count, case .text(let bytes) = parts[part] { return bytes }
        return []
    }

    private func peek() -> UInt8? {
        let bytes = current
        return offset < bytes.count ? bytes[offset] : nil
    }

    var atEnd: Bool { peek() == nil }

    mutating func skipSpaces() {
        while peek() == UInt8(ascii: " ") { offset += 1 }
    }

    /// Bytes up to a space or parenthesis; a `[` runs to its matching `]` (so `BODY[HEADER.FIELDS (FROM)]` is one
    /// atom). Empty at the end or before a parenthesis.
    mutating func atom() -> String {
        let bytes = current
        let start = offset
        var depth = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if depth == 0 && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")) {
                break
            }
            if byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "]") && depth > 0 { depth -= 1 }
            offset += 1
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// The inside of `[...]` at the current position (a response code), or nil when there is no `[`.
    mutating func bracketed() -> [UInt8]? {
        let bytes = current
        guard peek() == UInt8(ascii: "["), let close = bytes[offset...].firstIndex(of: UInt8(ascii: "]")) else {
            return nil
        }
        let inner = Array(bytes[(offset + 1)..<close])
        offset = close + 1
        return inner
    }

    /// The rest of the response as text (a status response's human-readable part).
    mutating func rest() -> String {
        let bytes = current
        let text = String(decoding: bytes[min(offset, bytes.count)...], as: UTF8.self)
        offset = bytes.count
        return text
    }

    package mutating func value() throws -> IMAPValue {
        skipSpaces()
        guard let byte = peek() else { throw IMAPResponseError("a value was expected at the end of the response") }
        switch byte {
        case UInt8(ascii: "("):
            offset += 1
            var items: [IMAPValue] = []
            while true {
                skipSpaces()
                guard let next = peek() else { throw IMAPResponseError("a list without its closing parenthesis") }
                if next == UInt8(ascii: ")") {
                    offset += 1
                    return .list(items)
                }
                items.append(try value())
            }
        case UInt8(ascii: "\""):
            return .string(try quoted())
        case UInt8(ascii: "{"), UInt8(ascii: "~"):
            return try literal()
        case UInt8(ascii: ")"):
            throw IMAPResponseError("an unexpected closing parenthesis")
        default:
            return .atom(atom())
        }
    }

    private mutating func quoted() throws -> [UInt8] {
        let bytes = current
        offset += 1
        var result: [UInt8] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if byte == UInt8(ascii: "\"") { return result }
            if byte == UInt8(ascii: "\\"), offset < bytes.count {
                result.append(bytes[offset])
                offset += 1
            } else {
                result.append(byte)
            }
        }
        throw IMAPResponseError("a quoted string without its closing quote")
    }

    /// `{n}` (or `~{n}`, a BINARY literal) at the end of the text part; the value is the next part.
    private mutating func literal() throws -> IMAPValue {
        let bytes = current
        guard let length = IMAPResponseReader.literalLength(bytes), bytes.last == UInt8(ascii: "}"),
            let open = bytes.lastIndex(of: UInt8(ascii: "{")),
            offset == open || (offset + 1 == open && bytes[offset] == UInt8(ascii: "~")), part + 1 < parts.count
        else { throw IMAPResponseError("a malformed literal") }
        let value: IMAPValue
        switch parts[part + 1] {
        case .literal(let data) where data.count == length: value = .string(data)
        case .tooLarge(let size) where size == length: value = .tooLarge(size)
        default: throw IMAPResponseError("a literal whose bytes are missing")
        }
        part += 2
        offset = 0
        return value
    }
}

/// Cuts the byte stream from the server into responses, incrementally: bytes are appended as they arrive and a
/// response comes out once it is complete, literals included (RFC 3501 §4.3: `{n}` CRLF then exactly n bytes, which
/// may contain anything, CRLF and lines that look like responses too). Nothing is lost between calls.
struct IMAPResponseReader {
    private var buffer: [UInt8] = []
    /// Parts of the response being read, and where its unread bytes start in `buffer`.
    private var parts: [IMAPResponse.Part] = []
    private var position = 0
    /// Where to go on looking for the end of the current line.
    private var searchFrom = 0
    /// Bytes of the literal being read, and whether it is too large to keep.
    private var literalRemaining: Int?
    private var literalDiscarded = 0

    /// The longest line accepted (a SEARCH answer for a big mailbox is one line).
    let maxLine: Int
    /// The longest literal kept; a longer one is read and dropped, and shows up as `.tooLarge(n)`.
    let maxLiteral: Int

    init(maxLiteral: Int, maxLine: Int = 16 << 20) {
        self.maxLiteral = maxLiteral
        self.maxLine = maxLine
    }

    /// Whether part of a response has arrived but not the whole of it.
    var hasPartialResponse: Bool { !buffer.isEmpty || !parts.isEmpty || literalRemaining != nil }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete response's parts, or nil until more bytes arrive.
    mutating func next() throws -> [IMAPResponse.Part]? {
        while true {
            if let remaining = literalRemaining {
                let available = buffer.count - position
                if remaining > maxLiteral || literalDiscarded > 0 {
                    // Too large to keep: drop what is there and count.
                    let take = min(available, remaining - literalDiscarded)
                    buffer.removeSubrange(position..<(position + take))
                    literalDiscarded += take
                    if literalDiscarded < remaining { return nil }
                    parts.append(.tooLarge(remaining))
                    literalDiscarded = 0
                } else {
                    guard available >= remaining else { return nil }
                    parts.append(.literal(Array(buffer[position..<(position + remaining)])))
                    position += remaining
                }
                literalRemaining = nil
                searchFrom = position
                continue
            }
            guard let newline = buffer[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) else {
                searchFrom = buffer.count
                if buffer.count - position > maxLine {
                    throw IMAPResponseError("a line longer than \(maxLine) bytes")
                }
                return nil
            }
            var end = newline
            if end > position && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = Array(buffer[position..<end])
            position = newline + 1
            searchFrom = position
            parts.append(.text(line))
            if let length = Self.literalLength(line) {
                literalRemaining = length
                continue
            }
            let response = parts
            parts = []
            buffer.removeSubrange(0..<position)
            position = 0
            searchFrom = 0
            return response
        }
    }

    /// n when `line` ends with a literal's announcement `{n}` (or `{n+}`, `~{n}`).
    static func literalLength(_ line: [UInt8]) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = line[(open + 1)..<(line.count - 1)]
        if digits.last == UInt8(ascii: "+") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 15,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
