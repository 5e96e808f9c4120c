/// A parsed RFC 5322 message: the entity tree and what was wrong with it.
public struct Message: Sendable {
    /// The outermost entity: the message's own header section and body.
    public let root: Entity
    /// Deviations the parser worked around ("missing closing boundary", "nesting deeper than 32"), for reports.
    public let defects: [String]

    /// Parses raw message bytes (LF or CRLF line ends, an optional mbox `From ` line first). Never fails: what
    /// cannot be read becomes a defect and the rest is still parsed.
    ///
    /// A message with no LF at all but CRs (old Mac OS mail programs wrote CR alone) has CR line ends.
    public static func parse(_ bytes: [UInt8], limits: ParseLimits = ParseLimits()) -> Message {
        var parser = EntityParser(limits: limits)
        var input = bytes
        if !bytes.contains(ASCII.lf), bytes.contains(ASCII.cr) {
            input = bytes.map { $0 == ASCII.cr ? ASCII.lf : $0 }
        }
        let root = parser.parseEntity(input[...], depth: 0, defaultType: .defaultText, allowMboxLine: true)
        return Message(root: root, defects: parser.defects)
    }

    public var headers: Headers { root.headers }
    public var subject: String? { root.subject }
    public var from: [Mailbox] { root.from }
    public var messageID: String? { root.messageID }
}

/// The recursive-descent parser behind `Message.parse`.
struct EntityParser {
    let limits: ParseLimits
    private(set) var defects: [String] = []
    private var entityCount = 0

    init(limits: ParseLimits) { self.limits = limits }

    private mutating func defect(_ text: String) {
        if defects.count < 100 { defects.append(text) }
    }

    mutating func parseEntity(
        _ bytes: ArraySlice<UInt8>, depth: Int, defaultType: ContentType, allowMboxLine: Bool = false
    ) -> Entity {
        entityCount += 1
        let (headers, bodyStart) = parseHeaders(bytes, allowMboxLine: allowMboxLine)
        let rawBody = bytes[bodyStart...]
        var contentType = defaultType
        if let field = headers.first("Content-Type") {
            if let parsed = ContentType.parse(field.rawValue) {
                contentType = parsed
            } else {
                defect("unreadable Content-Type; read as text/plain")
                contentType = .defaultText
            }
        }
        let transferEncoding =
            headers.first("Content-Transfer-Encoding").map {
                ASCII.lowercasedString(ASCII.trimmed($0.rawValue))
            } ?? "7bit"

        var body = Entity.Body.single
        if contentType.type == "multipart" {
            if let boundary = contentType.parameter("boundary"), !boundary.isEmpty, boundary.utf8.count <= 200 {
                if depth >= limits.maxDepth {
                    defect("multipart nested deeper than \(limits.maxDepth) levels; inner parts not read")
                } else if let ranges = splitMultipart(rawBody, boundary: Array(boundary.utf8)) {
                    let partDefault: ContentType = contentType.subtype == "digest" ? .defaultDigestPart : .defaultText
                    var parts: [Entity] = []
                    for range in ranges {
                        guard entityCount < limits.maxEntities else {
                            defect("more than \(limits.maxEntities) parts; the rest not read")
                            break
                        }
                        parts.append(parseEntity(rawBody[range], depth: depth + 1, defaultType: partDefault))
                    }
                    body = .multipart(parts)
                } else {
                    defect("multipart without its boundary line; read as text/plain")
                    contentType = .defaultText
                }
            } else {
                defect("multipart without a usable boundary parameter (1 to 200 characters); read as text/plain")
                contentType = .defaultText
            }
        } else if contentType.type == "message", contentType.subtype == "rfc822" || contentType.subtype == "global" {
            if depth >= limits.maxDepth {
                defect("attached message nested deeper than \(limits.maxDepth) levels; not read")
            } else if entityCount < limits.maxEntities {
                // RFC 2046 §5.2.1 forbids encoding message/rfc822, but mailers do it (seen in practice).
                let inner: ArraySlice<UInt8>
                switch transferEncoding {
                case "base64": inner = TransferEncoding.decodeBase64(rawBody)[...]
                case "quoted-printable": inner = TransferEncoding.decodeQuotedPrintable(Array(rawBody))[...]
                default: inner = rawBody
                }
                body = .message(parseEntity(inner, depth: depth + 1, defaultType: .defaultText))
            }
        }
        return Entity(
            headers: headers, contentType: contentType, transferEncoding: transferEncoding, rawBody: rawBody,
            body: body)
    }

    /// Reads the header section; returns the fields and where the body starts (after the empty line).
    /// A line that is neither a field nor a continuation ends the header section (as in Python's email package).
    /// - SeeAlso: RFC 5322 §2.2, §3.5; RFC 6532 (8-bit values)
    private mutating func parseHeaders(_ bytes: ArraySlice<UInt8>, allowMboxLine: Bool) -> (Headers, Int) {
        var headers = Headers()
        var index = bytes.startIndex
        let end = bytes.endIndex
        var name: String?
        var pieces: [ArraySlice<UInt8>] = []
        var dropped = 0

        func finish() {
            guard let current = name else { return }
            if headers.count < limits.maxHeaderFields {
                let value: ArraySlice<UInt8> = pieces.count == 1 ? pieces[0] : Array(pieces.joined())[...]
                headers.append(HeaderField(name: current, rawValue: value))
            } else {
                dropped += 1
            }
            name = nil
            pieces = []
        }

        if allowMboxLine, bytes.count >= 5, bytes[index..<index + 5].elementsEqual("From ".utf8) {
            index = (bytes[index...].firstIndex(of: ASCII.lf) ?? end - 1) + 1
        }
        while index < end {
            let lineEnd = bytes[index...].firstIndex(of: ASCII.lf) ?? end
            var contentEnd = lineEnd
            if contentEnd > index, bytes[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            if contentEnd == index {
                finish()
                index = next
                if dropped > 0 { defect("more than \(limits.maxHeaderFields) header fields; \(dropped) not kept") }
                return (headers, index)
            }
            let first = bytes[index]
            if ASCII.isWSP(first) {
                if name != nil {
                    pieces.append(bytes[index..<contentEnd])  // unfolding keeps the white space (§2.2.3)
                } else {
                    defect("continuation line before any header field ignored")
                }
                index = next
                continue
            }
            guard let colon = bytes[index..<contentEnd].firstIndex(of: ASCII.colon) else {
                defect("line without a colon ends the header section")
                break
            }
            var nameEnd = colon
            while nameEnd > index, ASCII.isWSP(bytes[nameEnd - 1]) { nameEnd -= 1 }  // obs-optional (§4.5.3)
            let nameBytes = bytes[index..<nameEnd]
            guard !nameBytes.isEmpty, nameBytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
                defect("malformed header field name ends the header section")
                break
            }
            finish()
            var valueStart = colon + 1
            while valueStart < contentEnd, ASCII.isWSP(bytes[valueStart]) { valueStart += 1 }
            name = String(decoding: nameBytes, as: UTF8.self)
            pieces = [bytes[valueStart..<contentEnd]]
            index = next
        }
        finish()
        if dropped > 0 { defect("more than \(limits.maxHeaderFields) header fields; \(dropped) not kept") }
        return (headers, index)
    }

    /// The byte ranges of a multipart body's parts, or nil when no delimiter line is found. The line end before a
    /// delimiter belongs to the delimiter; a missing close delimiter ends the last part at the end of the body.
    /// - SeeAlso: RFC 2046 §5.1.1
    private mutating func splitMultipart(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [Range<Int>]? {
        let delimiter: [UInt8] = [0x2D, 0x2D] + boundary
        let end = body.endIndex
        var ranges: [Range<Int>] = []
        var partStart: Int?
        var foundAny = false
        var closed = false
        // Delimiters stand at line starts, so only line starts are compared: a search for the delimiter anywhere
        // would restart at every "-" of a dash-filled body (quadratic, found by the fuzzer).
        var lineStart = body.startIndex
        while lineStart < end {
            let lineEnd = body[lineStart...].firstIndex(of: ASCII.lf) ?? end
            defer { lineStart = lineEnd + 1 }
            guard lineEnd - lineStart >= delimiter.count,
                body[lineStart..<(lineStart + delimiter.count)].elementsEqual(delimiter)
            else { continue }
            var after = lineStart + delimiter.count
            var closing = false
            if after + 1 < end, body[after] == 0x2D, body[after + 1] == 0x2D {
                closing = true
                after += 2
            }
            while after < lineEnd, ASCII.isWSP(body[after]) || body[after] == ASCII.cr { after += 1 }
            guard after == lineEnd else { continue }
            foundAny = true
            if let start = partStart {
                var partEnd = lineStart
                if partEnd > start, body[partEnd - 1] == ASCII.lf { partEnd -= 1 }
                if partEnd > start, body[partEnd - 1] == ASCII.cr { partEnd -= 1 }
                ranges.append(start..<partEnd)
                if ranges.count >= limits.maxEntities { break }
            }
            if closing {
                partStart = nil
                closed = true
                break
            }
            partStart = min(lineEnd + 1, end)
        }
        guard foundAny else { return nil }
        if let start = partStart {
            ranges.append(start..<end)
        }
        if !closed { defect("multipart without its closing boundary") }
        return ranges
    }
}
