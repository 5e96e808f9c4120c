/// Reads the notice fields out of decoded message text, tolerating what people and mail programs do to it:
/// full-width colons, digits and letters, spaces around labels, `～`/`〜`/`~`/`-` between dates, dates without zero
/// padding or in 年月日, times with or without seconds, URLs in `<…>` or followed by `。`, `）` or quotes, and quoted
/// forwards (`> `). Lines are matched on a copy where full-width ASCII is folded to ASCII one scalar for one, so the
/// URL can still be copied from the original text exactly as it stands.
struct NoticeText {
    var vendorCode: String?
    /// Every URL that follows a ダウンロードURL label, in order.
    var labelledURLs: [String] = []
    /// The first http(s) URL anywhere, the fallback when no label names one.
    var firstURL: String?
    var validFrom: CalendarDate?
    var validUntil: CalendarDate?
    /// A validity range on a line that names 有効期間 wins over one found elsewhere.
    private var validityFromLabel = false
    var otp: String?
    var expiresAt: JapanTime?

    private typealias Scalars = [Unicode.Scalar]

    private static let vendorCodeLabel = Scalars("業者コード".unicodeScalars)
    private static let downloadURLLabel = Scalars("ダウンロードURL".unicodeScalars)
    private static let otpLabel = Scalars("ワンタイムパスワード".unicodeScalars)
    private static let expiryLabel = Scalars("有効期限".unicodeScalars)
    private static let validityLabel = Scalars("有効期間".unicodeScalars)

    /// A notice field was read from a quoted line (`> 業者コード:…`): the notice is quoted in someone's mail.
    var quoted = false
    /// A forward's separator line ("---------- Forwarded message ---------", "-----Original Message-----",
    /// "Begin forwarded message:", "転送メッセージ") stands in the text.
    var forwardMarker = false

    private static let forwardPhrases: [[UInt8]] = [
        "forwarded message", "original message", "begin forwarded message", "転送メッセージ", "元のメッセージ",
        "転送されたメッセージ",
    ].map { Array($0.utf8) }

    /// Whether a line is a forward's separator. Only lines that start like one are searched ("-", "_", "B" of
    /// "Begin forwarded", 転 or 元), with no copy: this runs on every line of every message.
    private static func isForwardMarker(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        while start < line.count, line[start] == ASCII.space || line[start] == 0x3E { start += 1 }
        guard start < line.count, line.count - start < 200 else { return false }
        let first = line[start]
        let japanese =
            first == 0xE8 && start + 2 < line.count && line[start + 1] == 0xBB && line[start + 2] == 0xA2
            || first == 0xE5 && start + 2 < line.count && line[start + 1] == 0x85 && line[start + 2] == 0x83
        guard first == 0x2D || first == 0x5F || first == 0x42 || first == 0x62 || japanese else { return false }
        for phrase in forwardPhrases where line.count - start >= phrase.count {
            var offset = start
            while offset + phrase.count <= line.count {
                if ASCII.lower(line[offset]) == phrase[0] {
                    var matched = true
                    for index in 1..<phrase.count where ASCII.lower(line[offset + index]) != phrase[index] {
                        matched = false
                        break
                    }
                    if matched { return true }
                }
                offset += 1
            }
        }
        return false
    }

    /// A URL ended at a wrap column and the next line went on with URL characters that could not be joined (a
    /// label): where the URL ends cannot be decided.
    var cutUndecided = false

    /// How many octets a character takes in the charset the text was sent in, to tell a wrap column.
    enum LineMeasure {
        case utf8, singleByte, doubleByte, iso2022JP

        func octets(_ scalars: ArraySlice<Unicode.Scalar>) -> Int {
            var total = 0
            var inKanji = false
            for scalar in scalars {
                let ascii = scalar.value < 0x80
                switch self {
                case .utf8: total += UTF8.width(scalar)
                case .singleByte: total += 1
                case .doubleByte: total += ascii || (0xFF61...0xFF9F).contains(scalar.value) ? 1 : 2
                case .iso2022JP:
                    // ESC $ B before a run of two-byte characters, ESC ( B after it.
                    if ascii == inKanji { total += 3 }
                    inKanji = !ascii
                    total += ascii ? 1 : 2
                }
            }
            return total + (inKanji ? 3 : 0)
        }
    }

    init(text: String, measure measuring: () -> LineMeasure = { .utf8 }) {
        var urlLabelPending = false
        var known: LineMeasure?
        func octets(_ scalars: ArraySlice<Unicode.Scalar>) -> Int {
            if known == nil { known = measuring() }
            return (known ?? .utf8).octets(scalars)
        }
        var text = text
        text.withUTF8 { bytes in
            /// The line that starts at `start` (without its line end) and where the next one starts.
            func line(at start: Int) -> (Range<Int>, Int) {
                let lineEnd = bytes[start...].firstIndex(of: ASCII.lf) ?? bytes.count
                var contentEnd = lineEnd
                if contentEnd > start, bytes[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
                return (start..<contentEnd, lineEnd + 1)
            }
            var lineStart = 0
            while lineStart <= bytes.count {
                let (range, next) = line(at: lineStart)
                lineStart = next
                let current = UnsafeBufferPointer(rebasing: bytes[range])
                if !forwardMarker, Self.isForwardMarker(current) { forwardMarker = true }
                guard urlLabelPending || Self.mayHoldAField(current) else { continue }
                var (original, folded) = Self.scalars(current)
                // A URL that a relay or a mail program wrapped goes on at the start of the next line.
                var physical = original[...]
                // After a join, the next physical line is the URL's own continuation when the URL ran to its end.
                var continuesURL = false
                while lineStart <= bytes.count, continuesURL || Self.endsInURL(physical) {
                    let prefix = Self.quotePrefix(physical)
                    guard
                        Self.isWrapColumn(octets(physical))
                            || (prefix > 0 && Self.isWrapColumn(octets(physical[(physical.startIndex + prefix)...])))
                    else { break }
                    let (nextRange, afterNext) = line(at: lineStart)
                    let (following, followingFolded) = Self.scalars(UnsafeBufferPointer(rebasing: bytes[nextRange]))
                    let nextPrefix = Self.quotePrefix(following[...])
                    guard nextPrefix == prefix, following[..<prefix].elementsEqual(physical.prefix(prefix)) else {
                        break
                    }
                    switch Self.continuation(following[prefix...]) {
                    case .joins(let wholeLine):
                        original += following[prefix...]
                        folded += followingFolded[prefix...]
                        physical = following[...]
                        continuesURL = wholeLine
                        lineStart = afterNext
                        continue
                    case .label:
                        cutUndecided = true
                    case .none:
                        break
                    }
                    break
                }
                scanLine(original, folded: folded, urlLabelPending: &urlLabelPending)
            }
        }
    }

    /// 60 to 80 octets (mail programs wrap at 70, 72, 76 or 78 columns, relays at 76 octets) or 990 to 998 (the
    /// SMTP line limit, RFC 5321 §4.5.3.1.6).
    private static func isWrapColumn(_ octets: Int) -> Bool {
        (60...80).contains(octets) || (990...998).contains(octets)
    }

    private static func isURLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value > 0x20 && value < 0x7F && value != 0x3C && value != 0x3E && value != 0x22 && value != 0x60
    }

    /// `>`, `> ` and `> > ` before the text of a quoted line: how many scalars.
    private static func quotePrefix(_ line: ArraySlice<Unicode.Scalar>) -> Int {
        var index = line.startIndex
        while index < line.endIndex, line[index] == ">" || (index > line.startIndex && line[index] == " ") {
            index += 1
        }
        return index - line.startIndex
    }

    /// Whether the line ends inside a URL that starts on it: from its last `http(s)://` to the end, URL characters
    /// only.
    private static func endsInURL(_ line: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let last = line.last, isURLCharacter(last) else { return false }
        var index = line.endIndex - 1
        while index >= line.startIndex, isURLCharacter(line[index]) { index -= 1 }
        var start = index + 1
        // The run may start with a label ("URL:https://…"): find the scheme inside it.
        let scheme: [Unicode.Scalar] = ["h", "t", "t", "p"]
        while start + 7 <= line.endIndex {
            if line[start] == "h" || line[start] == "H",
                zip(line[start..<(start + 4)], scheme).allSatisfy({ $0 == $1 || $0.value == $1.value - 0x20 })
            {
                var after = start + 4
                if line[after] == "s" || line[after] == "S" { after += 1 }
                if after + 3 <= line.endIndex, line[after] == ":", line[after + 1] == "/", line[after + 2] == "/" {
                    return true
                }
            }
            start += 1
        }
        return false
    }

    private enum Continuation {
        /// The line goes on with the URL; `wholeLine` when all of it is URL characters (the URL may go on again).
        case joins(wholeLine: Bool)
        case label, none
    }

    /// Whether a line goes on with a wrapped URL: it starts with URL characters (no indentation, not a new URL) that
    /// end at the end of the line, at white space or at closing punctuation, and that are not a label (`Word:`).
    private static func continuation(_ line: ArraySlice<Unicode.Scalar>) -> Continuation {
        guard let first = line.first, isURLCharacter(first) else { return .none }
        var end = line.startIndex
        while end < line.endIndex, isURLCharacter(line[end]) { end += 1 }
        let token = Array(line[line.startIndex..<end])
        if hasURLScheme(token, at: 0) { return .none }
        if end < line.endIndex {
            let after = line[end]
            guard after == " " || after == "\t" || "。、）」』＞".unicodeScalars.contains(after) else { return .none }
        }
        if let colon = token.firstIndex(of: ":"), colon > 0,
            token[..<colon].allSatisfy({ isAlphanumeric($0) || $0 == "-" || $0 == "_" }),
            colon + 1 == token.count || !token[(colon + 1)...].contains("/")
        {
            return .label
        }
        return .joins(wholeLine: end == line.endIndex)
    }

    /// Whether a line can hold anything this scanner reads: every field but the OTP has a digit, a URL or a "URL"
    /// label, the OTP line has ワ (E3 83 AF) in its label, and full-width forms start with the byte 0xEF in UTF-8.
    /// Most lines of prose have none of these and are skipped unread.
    private static func mayHoldAField(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < line.count {
            let byte = line[index]
            if ASCII.isDigit(byte) || byte == 0x68 || byte == 0x48 || byte == 0x55 || byte == 0x75 || byte == 0xEF {
                return true
            }
            if byte == 0xE3, index + 2 < line.count, line[index + 1] == 0x83, line[index + 2] == 0xAF { return true }
            index += 1
        }
        return false
    }

    /// The line's scalars, as they stand and folded, in one pass over its UTF-8 (valid: it comes from a String).
    private static func scalars(_ line: UnsafeBufferPointer<UInt8>) -> (Scalars, Scalars) {
        var original: Scalars = []
        var folded: Scalars = []
        original.reserveCapacity(line.count)
        folded.reserveCapacity(line.count)
        var index = 0
        while index < line.count {
            let lead = UInt32(line[index])
            var value: UInt32
            var width: Int
            switch lead {
            case 0..<0x80: (value, width) = (lead, 1)
            case 0xC0..<0xE0: (value, width) = (lead & 0x1F, 2)
            case 0xE0..<0xF0: (value, width) = (lead & 0x0F, 3)
            default: (value, width) = (lead & 0x07, 4)
            }
            if index + width > line.count {
                (value, width) = (0xFFFD, line.count - index)
            } else {
                for offset in 1..<width { value = value << 6 | UInt32(line[index + offset] & 0x3F) }
            }
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            original.append(scalar)
            folded.append(FullWidth.fold(scalar))
            index += width
        }
        return (original, folded)
    }

    private mutating func scanLine(_ original: Scalars, folded: Scalars, urlLabelPending: inout Bool) {
        // Quoted forwards: "> ", ">> ", "> > " before the text.
        var start = 0
        while start < folded.count, folded[start] == ">" || folded[start] == " " || folded[start] == "\t" {
            start += 1
        }
        guard start < folded.count else { return }
        let isQuoted = folded[0] == ">"

        if urlLabelPending {
            // The label stood alone on the line before (wrapped by a mail program, or an HTML line break).
            urlLabelPending = false
            if let url = Self.url(in: original, from: skipSeparators(folded, from: start)) {
                labelledURLs.append(url)
                return
            }
        }
        if firstURL == nil, let position = Self.firstURLStart(folded, from: start) {
            firstURL = Self.url(in: original, from: position)
        }
        if let position = Self.find(Self.downloadURLLabel, in: folded, from: start, ignoringASCIICase: true) {
            let after = skipSeparators(folded, from: position + Self.downloadURLLabel.count)
            if isQuoted { quoted = true }
            if after >= folded.count {
                urlLabelPending = true
            } else if let url = Self.url(in: original, from: after) {
                labelledURLs.append(url)
            }
        }
        if vendorCode == nil, let position = Self.find(Self.vendorCodeLabel, in: folded, from: start) {
            let after = skipSeparators(folded, from: position + Self.vendorCodeLabel.count)
            if let digits = Self.digits(folded, at: after, count: 7) {
                vendorCode = digits
                if isQuoted { quoted = true }
            }
        }
        if otp == nil, let position = Self.find(Self.otpLabel, in: folded, from: start) {
            let after = skipSeparators(folded, from: position + Self.otpLabel.count)
            if after > position + Self.otpLabel.count, let code = Self.alphanumerics(folded, at: after, count: 8) {
                otp = code
            }
        }
        if expiresAt == nil, let position = Self.find(Self.expiryLabel, in: folded, from: start) {
            let after = skipSeparators(folded, from: position + Self.expiryLabel.count)
            if let (date, next) = Self.date(folded, at: after) {
                let timeStart = Self.skipWeekday(folded, from: Self.skipSpaces(folded, from: next))
                if let time = Self.time(folded, at: Self.skipSpaces(folded, from: timeStart), on: date) {
                    expiresAt = time
                }
            }
        }
        if validFrom == nil || !validityFromLabel {
            let labelled = Self.find(Self.validityLabel, in: folded, from: start) != nil
            if validFrom == nil || labelled, let (from, until) = Self.dateRange(folded, from: start) {
                validFrom = from
                validUntil = until
                validityFromLabel = labelled
            }
        }
    }

    // MARK: - Pieces of a line

    /// Skips what stands between a label and its value: spaces, colons, "=", closing brackets, "は".
    private func skipSeparators(_ line: Scalars, from: Int) -> Int {
        var index = from
        while index < line.count {
            switch line[index] {
            case " ", "\t", ":", "=", "】", "]", "」", "』", "\u{00A0}", "は": index += 1
            default: return index
            }
        }
        return index
    }

    private static func skipSpaces(_ line: Scalars, from: Int) -> Int {
        var index = from
        while index < line.count, line[index] == " " || line[index] == "\t" || line[index] == "\u{00A0}" {
            index += 1
        }
        return index
    }

    /// Skips a weekday in brackets after a date: "(月)", "（月）" (folded to ASCII brackets), "(Mon)".
    private static func skipWeekday(_ line: Scalars, from: Int) -> Int {
        guard from < line.count, line[from] == "(" else { return from }
        var index = from + 1
        while index < line.count, index - from <= 5, line[index] != ")" { index += 1 }
        return index < line.count && line[index] == ")" ? index + 1 : from
    }

    private static func find(
        _ label: Scalars, in line: Scalars, from: Int, ignoringASCIICase: Bool = false
    ) -> Int? {
        guard let first = label.first, line.count >= label.count else { return nil }
        var index = from
        while index + label.count <= line.count {
            if line[index] == first {
                var matched = true
                for offset in 1..<label.count {
                    var candidate = line[index + offset]
                    if ignoringASCIICase, candidate.value >= 0x61, candidate.value <= 0x7A {
                        candidate = Unicode.Scalar(candidate.value - 0x20)!
                    }
                    if candidate != label[offset] {
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

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || (scalar.value >= 0x41 && scalar.value <= 0x5A)
            || (scalar.value >= 0x61 && scalar.value <= 0x7A)
    }

    /// Exactly `count` ASCII digits at `index`, not followed by another digit.
    private static func digits(_ line: Scalars, at index: Int, count: Int) -> String? {
        guard index + count <= line.count, line[index..<index + count].allSatisfy(isDigit) else { return nil }
        if index + count < line.count, isDigit(line[index + count]) { return nil }
        return asciiString(line[index..<index + count])
    }

    /// Exactly `count` ASCII letters and digits at `index`, not followed by another.
    private static func alphanumerics(_ line: Scalars, at index: Int, count: Int) -> String? {
        guard index + count <= line.count, line[index..<index + count].allSatisfy(isAlphanumeric) else { return nil }
        if index + count < line.count, isAlphanumeric(line[index + count]) { return nil }
        return asciiString(line[index..<index + count])
    }

    /// A String of scalars known to be ASCII.
    private static func asciiString(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(decoding: scalars.map { UInt8(truncatingIfNeeded: $0.value) }, as: UTF8.self)
    }

    /// A number of 1 to `maxDigits` digits at `index`, and the index after it.
    private static func number(_ line: Scalars, at index: Int, maxDigits: Int) -> (Int, Int)? {
        var end = index
        var value = 0
        while end < line.count, end - index < maxDigits, isDigit(line[end]) {
            value = value * 10 + Int(line[end].value - 0x30)
            end += 1
        }
        guard end > index, end >= line.count || !isDigit(line[end]) else { return nil }
        return (value, end)
    }

    /// `YYYY/M/D`, `YYYY-MM-DD`, `YYYY.MM.DD` or `YYYY年M月D日` at `index`.
    private static func date(_ line: Scalars, at index: Int) -> (CalendarDate, Int)? {
        guard let (year, afterYear) = number(line, at: index, maxDigits: 4), afterYear - index == 4,
            afterYear < line.count
        else { return nil }
        let separator = line[afterYear]
        guard separator == "/" || separator == "-" || separator == "." || separator == "年" else { return nil }
        guard let (month, afterMonth) = number(line, at: afterYear + 1, maxDigits: 2), afterMonth < line.count
        else { return nil }
        let second = line[afterMonth]
        guard second == (separator == "年" ? "月" : separator) else { return nil }
        guard let (day, afterDay) = number(line, at: afterMonth + 1, maxDigits: 2),
            let date = CalendarDate(year: year, month: month, day: day)
        else { return nil }
        var end = afterDay
        if separator == "年", end < line.count, line[end] == "日" { end += 1 }
        return (date, end)
    }

    /// `H:MM`, `HH:MM:SS` or `H時M分(S秒)` at `index`.
    private static func time(_ line: Scalars, at index: Int, on date: CalendarDate) -> JapanTime? {
        guard let (hour, afterHour) = number(line, at: index, maxDigits: 2), afterHour < line.count else { return nil }
        let separator = line[afterHour]
        guard separator == ":" || separator == "時",
            let (minute, afterMinute) = number(line, at: afterHour + 1, maxDigits: 2)
        else { return nil }
        var second = 0
        if separator == ":", afterMinute < line.count, line[afterMinute] == ":",
            let (value, _) = number(line, at: afterMinute + 1, maxDigits: 2)
        {
            second = value
        } else if separator == "時", afterMinute + 1 < line.count, line[afterMinute] == "分",
            let (value, afterSecond) = number(line, at: afterMinute + 1, maxDigits: 2), afterSecond < line.count,
            line[afterSecond] == "秒"
        {
            second = value
        }
        return JapanTime(date: date, hour: hour, minute: minute, second: second)
    }

    private static let rangeSeparators: Set<Unicode.Scalar> = [
        "~", "-", "\u{301C}", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}",
        "\u{30FC}", "\u{FF70}",
    ]

    /// The first `DATE <sep> DATE` on the line, the second date not before the first.
    private static func dateRange(_ line: Scalars, from: Int) -> (CalendarDate, CalendarDate)? {
        var index = from
        while index + 10 <= line.count {
            guard isDigit(line[index]), index == 0 || !isDigit(line[index - 1]),
                let (first, afterFirst) = date(line, at: index)
            else {
                index += 1
                continue
            }
            var cursor = skipSpaces(line, from: skipWeekday(line, from: afterFirst))
            if cursor < line.count, rangeSeparators.contains(line[cursor]) {
                cursor += 1
            } else if cursor + 1 < line.count, line[cursor] == "か", line[cursor + 1] == "ら" {
                cursor += 2
            } else {
                index = afterFirst
                continue
            }
            cursor = skipSpaces(line, from: cursor)
            if let (second, _) = date(line, at: cursor), first <= second { return (first, second) }
            index = afterFirst
        }
        return nil
    }

    /// Where the first "http://" or "https://" on the line starts.
    private static func firstURLStart(_ line: Scalars, from: Int) -> Int? {
        var index = from
        while index + 7 <= line.count {
            if line[index] == "h" || line[index] == "H", hasURLScheme(line, at: index) { return index }
            index += 1
        }
        return nil
    }

    private static func hasURLScheme(_ line: Scalars, at index: Int) -> Bool {
        for scheme in ["https://", "http://"] {
            let target = Scalars(scheme.unicodeScalars)
            guard index + target.count <= line.count else { continue }
            var matched = true
            for (offset, expected) in target.enumerated() {
                var scalar = line[index + offset]
                if scalar.value >= 0x41 && scalar.value <= 0x5A { scalar = Unicode.Scalar(scalar.value + 0x20)! }
                if scalar != expected {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }

    /// The URL starting at `index` (after an optional `<`, `(`, `「` or quote), taken from the original text as
    /// it stands: it ends at white space, a non-ASCII character (。 ） 」), `<`, `>` or a quote, and loses trailing
    /// sentence punctuation and a `)` or `]` that it does not open itself.
    private static func url(in line: Scalars, from index: Int) -> String? {
        var start = index
        while start < line.count, ["<", "(", "「", "\"", "'", "（", "『"].contains(line[start]) { start += 1 }
        guard start < line.count, hasURLScheme(line, at: start) else { return nil }
        var end = start
        while end < line.count {
            let value = line[end].value
            if value <= 0x20 || value >= 0x7F || value == 0x3C || value == 0x3E || value == 0x22 || value == 0x60 {
                break
            }
            end += 1
        }
        var scalars = Array(line[start..<end])
        var parentheses = scalars.reduce(0) { $0 + ($1 == "(" ? 1 : $1 == ")" ? -1 : 0) }
        var brackets = scalars.reduce(0) { $0 + ($1 == "[" ? 1 : $1 == "]" ? -1 : 0) }
        while let last = scalars.last {
            if [".", ",", ";", ":", "!", "?", "'"].contains(last) {
                scalars.removeLast()
            } else if last == ")", parentheses < 0 {
                scalars.removeLast()
                parentheses += 1
            } else if last == "]", brackets < 0 {
                scalars.removeLast()
                brackets += 1
            } else {
                break
            }
        }
        // Every scalar here is ASCII (the loop above stops at anything else).
        return scalars.count > 8
            ? String(decoding: scalars.map { UInt8(truncatingIfNeeded: $0.value) }, as: UTF8.self) : nil
    }
}
