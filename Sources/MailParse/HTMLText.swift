/// Turns an HTML part into plain text for notice extraction: tags dropped, block elements as line breaks, entities
/// decoded, `<script>`/`<style>` and comments skipped, and link targets kept.
///
/// A link's target is what a click opens, so it is what must be judged: `<a href="H">T</a>` becomes `H` when T looks
/// like a URL (a phisher's "https://trusted/…" text over an evil href yields the evil URL), else `T <H>`.
public enum HTMLText {
    /// A link whose text looks like a URL: what it shows and what a click opens.
    public struct Link: Sendable, Equatable {
        public let href: String
        public let text: String
    }

    public static func text(fromHTML html: String) -> String { read(html).text }

    /// The text, and every link whose text looks like a URL (so a caller can see a text that shows another URL
    /// than the link opens, after undoing a link rewriter).
    public static func read(_ html: String) -> (text: String, links: [Link]) {
        var links: [Link] = []
        var output = ""
        output.reserveCapacity(html.utf8.count)
        let scalars = Array(html.unicodeScalars)
        var index = 0
        var anchorHref: String?
        var anchorTextStart: String.Index?
        // Once a tag runs to the end of the input, every later "<" is text: scanning again from each of them would
        // make hostile input ("<\"" repeated) quadratic.
        var tagsClosed = true

        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<" && tagsClosed {
                // Comment, declaration or processing instruction: skipped whole.
                if hasPrefix(scalars, index, "<!--") {
                    index = find(scalars, "-->", from: index + 4).map { $0 + 3 } ?? scalars.count
                    continue
                }
                guard let close = findTagEnd(scalars, from: index + 1) else {
                    tagsClosed = false
                    output.unicodeScalars.append(scalar)
                    index += 1
                    continue
                }
                let tag = scalars[(index + 1)..<close]
                index = close + 1
                let name = tagName(tag)
                switch name {
                case "script", "style", "head", "title":
                    if tag.first != "/" {
                        // Skip to the matching end tag.
                        index = find(scalars, "</\(name)", from: index, caseInsensitive: true) ?? scalars.count
                    }
                case "br", "p", "/p", "div", "/div", "tr", "/tr", "li", "/li", "h1", "h2", "h3", "h4", "h5", "h6",
                    "/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "table", "/table", "blockquote", "/blockquote", "hr",
                    "pre", "/pre":
                    output += "\n"
                case "td", "th":
                    output += " "
                case "a":
                    anchorHref = attribute("href", in: tag).map { cleanedHref(decodeEntities($0)) }
                    anchorTextStart = output.endIndex
                case "/a":
                    if let href = anchorHref, let start = anchorTextStart, !href.isEmpty,
                        !href.lowercased().hasPrefix("mailto:")
                    {
                        let text = String(output[start...]).trimmingWhitespace()
                        if text.isEmpty || text == href {
                            output.replaceSubrange(start..., with: href)
                        } else if looksLikeURL(text) {
                            if links.count < 1_000 { links.append(Link(href: href, text: text)) }
                            output.replaceSubrange(start..., with: href)
                        } else {
                            output += " <\(href)>"
                        }
                    }
                    anchorHref = nil
                    anchorTextStart = nil
                default:
                    break
                }
                continue
            }
            if scalar == "&" {
                let (decoded, length) = decodeEntity(scalars, at: index)
                output += decoded
                index += length
                continue
            }
            if scalar == "\r" || scalar == "\n" || scalar == "\t" {
                output += " "  // source line breaks are white space in HTML
            } else {
                output.unicodeScalars.append(scalar)
            }
            index += 1
        }
        return (output, links)
    }

    /// An href as a browser reads it: leading and trailing C0 controls and spaces stripped, and every tab and line
    /// break inside removed (an href wrapped by a mail program or a relay still opens the whole URL).
    /// - SeeAlso: WHATWG URL Standard, basic URL parser (steps 1 and 3)
    static func cleanedHref(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, scalars[start].value <= 0x20 { start += 1 }
        while end > start, scalars[end - 1].value <= 0x20 { end -= 1 }
        var text = ""
        for scalar in scalars[start..<end] where scalar != "\t" && scalar != "\n" && scalar != "\r" {
            text.unicodeScalars.append(scalar)
        }
        return text
    }

    private static func looksLikeURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("http:") || lower.hasPrefix("https:") || lower.hasPrefix("www.")
            || lower.contains("://")
    }

    private static func hasPrefix(_ scalars: [Unicode.Scalar], _ index: Int, _ prefix: String) -> Bool {
        var position = index
        for scalar in prefix.unicodeScalars {
            guard position < scalars.count, scalars[position] == scalar else { return false }
            position += 1
        }
        return true
    }

    private static func find(
        _ scalars: [Unicode.Scalar], _ needle: String, from: Int, caseInsensitive: Bool = false
    ) -> Int? {
        let target = Array((caseInsensitive ? needle.lowercased() : needle).unicodeScalars)
        guard let first = target.first, from < scalars.count else { return nil }
        var index = from
        while index + target.count <= scalars.count {
            let candidate = caseInsensitive ? lower(scalars[index]) : scalars[index]
            if candidate == first {
                var matched = true
                for offset in 1..<target.count {
                    let current = caseInsensitive ? lower(scalars[index + offset]) : scalars[index + offset]
                    if current != target[offset] {
                        matched = false
                        break
                    }
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    private static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (scalar.value >= 0x41 && scalar.value <= 0x5A) ? Unicode.Scalar(scalar.value | 0x20)! : scalar
    }

    /// The `>` that ends a tag, skipping quoted attribute values; nil when the input ends first.
    private static func findTagEnd(_ scalars: [Unicode.Scalar], from: Int) -> Int? {
        var index = from
        var quote: Unicode.Scalar?
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == ">" {
                return index
            }
            index += 1
        }
        return nil
    }

    private static func tagName(_ tag: ArraySlice<Unicode.Scalar>) -> String {
        var name = ""
        for scalar in tag {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == ">" { break }
            if scalar == "/" && !name.isEmpty { break }
            name.unicodeScalars.append(lower(scalar))
        }
        return name
    }

    /// The value of an attribute in a tag's text (quoted with either quote, or bare).
    private static func attribute(_ wanted: String, in tag: ArraySlice<Unicode.Scalar>) -> String? {
        let scalars = Array(tag)
        var index = 0
        // Skip the tag name.
        while index < scalars.count, !isSpace(scalars[index]) { index += 1 }
        while index < scalars.count {
            while index < scalars.count, isSpace(scalars[index]) || scalars[index] == "/" { index += 1 }
            var name = ""
            while index < scalars.count, !isSpace(scalars[index]), scalars[index] != "=", scalars[index] != "/" {
                name.unicodeScalars.append(lower(scalars[index]))
                index += 1
            }
            while index < scalars.count, isSpace(scalars[index]) { index += 1 }
            var value: String?
            if index < scalars.count, scalars[index] == "=" {
                index += 1
                while index < scalars.count, isSpace(scalars[index]) { index += 1 }
                var text = ""
                if index < scalars.count, scalars[index] == "\"" || scalars[index] == "'" {
                    let quote = scalars[index]
                    index += 1
                    while index < scalars.count, scalars[index] != quote {
                        text.unicodeScalars.append(scalars[index])
                        index += 1
                    }
                    index += 1
                } else {
                    while index < scalars.count, !isSpace(scalars[index]) {
                        text.unicodeScalars.append(scalars[index])
                        index += 1
                    }
                }
                value = text
            }
            if name == wanted { return value }
            if name.isEmpty && value == nil { index += 1 }
        }
        return nil
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "copy": "©", "reg": "®",
        "yen": "¥", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "ndash": "–", "mdash": "—",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "hellip": "…", "middot": "·", "times": "×",
        "divide": "÷", "laquo": "«", "raquo": "»", "bull": "•", "trade": "™", "euro": "€", "sect": "§",
        "para": "¶", "deg": "°", "plusmn": "±", "frac12": "½", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        "shy": "\u{00AD}", "iexcl": "¡", "iquest": "¿", "cent": "¢", "pound": "£", "larr": "←", "rarr": "→",
        "uarr": "↑", "darr": "↓", "equals": "=", "sol": "/", "colon": ":", "quest": "?", "num": "#",
        "percnt": "%", "lowbar": "_", "semi": ";", "excl": "!", "lpar": "(", "rpar": ")", "period": ".",
        "comma": ",", "tilde": "˜", "Tab": "\t", "NewLine": "\n",
    ]

    /// Decodes the character references in an attribute value.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let scalars = Array(text.unicodeScalars)
        var output = ""
        var index = 0
        while index < scalars.count {
            if scalars[index] == "&" {
                let (decoded, length) = decodeEntity(scalars, at: index)
                output += decoded
                index += length
            } else {
                output.unicodeScalars.append(scalars[index])
                index += 1
            }
        }
        return output
    }

    /// One character reference at `index` (which holds `&`): its text and how many scalars it used. An unknown or
    /// malformed reference is kept as the literal `&`.
    private static func decodeEntity(_ scalars: [Unicode.Scalar], at index: Int) -> (String, Int) {
        var position = index + 1
        var name = ""
        while position < scalars.count, position - index <= 32, scalars[position] != ";",
            scalars[position].properties.isAlphabetic
                || (scalars[position].value >= 0x30 && scalars[position].value <= 0x39)
                || scalars[position] == "#"
        {
            name.unicodeScalars.append(scalars[position])
            position += 1
        }
        let terminated = position < scalars.count && scalars[position] == ";"
        let length = position - index + (terminated ? 1 : 0)
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value: UInt32? =
                digits.first == "x" || digits.first == "X"
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            if let value, let scalar = Unicode.Scalar(value), value != 0 {
                return (String(Character(scalar)), length)
            }
            return ("\u{FFFD}", length)
        }
        if let decoded = namedEntities[name] { return (decoded, length) }
        return ("&", 1)
    }
}
