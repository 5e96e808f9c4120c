/// Undoes `format=flowed` (RFC 3676): the lines a sender's mail program wrapped are joined again, so a URL or a
/// validity period that was wrapped reads as it was written.
///
/// A line that ends in a space (other than the signature separator `-- `) flows into the next one of the same
/// quote depth; with `DelSp=yes` that space was added by the wrapper and is deleted. Quote marks (`>`) are counted
/// and written back as `> ` per level; one space-stuffing space is removed.
/// - SeeAlso: RFC 3676 §4.1 (quotes), §4.2 (space-stuffing), §4.5 (signature), §4.3 and §4.4 (DelSp)
public enum FlowedText {
    /// Whether a text/plain part's parameters ask for flowed reading.
    public static func isFlowed(_ contentType: ContentType) -> Bool {
        contentType.parameter("format").map { $0.lowercasedASCII() == "flowed" } ?? false
    }

    /// Whether the wrapper's spaces are to be deleted (`DelSp=yes`).
    public static func deletesSpace(_ contentType: ContentType) -> Bool {
        contentType.parameter("delsp").map { $0.lowercasedASCII() == "yes" } ?? false
    }

    public static func unflow(_ text: String, deleteSpace: Bool) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var paragraphDepth: Int?
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: ASCII.lf) ?? bytes.count
            if lineEnd == bytes.count && lineStart == bytes.count { break }
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
            var start = lineStart
            var depth = 0
            while start < contentEnd, bytes[start] == 0x3E {
                depth += 1
                start += 1
            }
            if start < contentEnd, bytes[start] == ASCII.space { start += 1 }
            let content = bytes[start..<contentEnd]
            // A flowed line of another depth ends its paragraph (§4.5): it is ended here as a fixed line.
            if let open = paragraphDepth, open != depth {
                output.append(ASCII.lf)
                paragraphDepth = nil
            }
            if paragraphDepth == nil, depth > 0 {
                output.append(contentsOf: repeatElement(0x3E, count: depth))
                output.append(ASCII.space)
            }
            let isSignature = content.elementsEqual("-- ".utf8)
            if content.last == ASCII.space, !isSignature {
                output.append(contentsOf: deleteSpace ? content.dropLast() : content)
                paragraphDepth = depth
            } else {
                output.append(contentsOf: content)
                if lineEnd < bytes.count { output.append(ASCII.lf) }
                paragraphDepth = nil
            }
            lineStart = lineEnd + 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
