/// Amazon SES notifications as Amazon SNS mails them: a JSON object in a text/plain body (subject "AWS Notification
/// Message"). `"notificationType":"Bounce"` is a bounce; "Complaint" (a feedback report) and "Delivery" (a success)
/// are not. Read by scanning for the few keys needed rather than as JSON: SNS breaks long lines with "!" and a line
/// end inside the object (seen in practice), which no JSON parser accepts.
/// - SeeAlso: Amazon SES Developer Guide, "Amazon SNS notification contents" (bounce object)
extension BounceReader {
    enum SESNotification {
        case bounce(Bounce)
        case notBounce
    }

    /// The SES notification in a report's text, or nil when the text is not one.
    static func amazonSESNotification(_ text: [UInt8]) -> SESNotification? {
        let scanned = text[..<min(text.count, BounceText.maxScannedBytes)]
        guard let type = jsonString(after: "\"notificationtype\"", in: scanned) else { return nil }
        guard type.lowercased() == "bounce" else { return .notBounce }
        var bounce = Bounce(format: "amazonses")
        bounce.permanent = jsonString(after: "\"bouncetype\"", in: scanned)?.lowercased() != "transient"
        if let list = BounceText.firstRange(of: "\"bouncedrecipients\"", in: scanned) {
            var rest = scanned[list.upperBound...]
            let end = rest.firstIndex(of: 0x5D) ?? rest.endIndex  // the array's "]"
            rest = rest[..<end]
            while let key = BounceText.firstRange(of: "\"emailaddress\"", in: rest) {
                if let value = jsonString(after: "\"emailaddress\"", in: rest),
                    let found = BounceText.addresses(in: Array(value.utf8)[...]).first
                {
                    bounce.add(recipient: found.address)
                }
                rest = rest[key.upperBound...]
            }
            bounce.status = jsonString(after: "\"status\"", in: scanned[list.upperBound..<end]).flatMap {
                BounceText.statusCode(in: Array($0.utf8)[...])
            }
            bounce.diagnostic = jsonString(after: "\"diagnosticcode\"", in: scanned[list.upperBound..<end]).map {
                diagnosticText($0)
            }
        }
        if let status = bounce.status { bounce.permanent = !status.hasPrefix("4") }
        return .bounce(bounce)
    }

    /// The string value after a JSON key (lower-case, quoted), `"key" : "value"`, with the escapes `\"` and `\\`
    /// undone; nil when the key is missing or its value is not a string.
    static func jsonString(after key: String, in bytes: ArraySlice<UInt8>) -> String? {
        guard let range = BounceText.firstRange(of: key, in: bytes) else { return nil }
        var index = range.upperBound
        while index < bytes.endIndex, ASCII.isWhitespace(bytes[index]) || bytes[index] == ASCII.colon { index += 1 }
        guard index < bytes.endIndex, bytes[index] == ASCII.quote else { return nil }
        index += 1
        var value: [UInt8] = []
        while index < bytes.endIndex, bytes[index] != ASCII.quote, value.count < 2_000 {
            if bytes[index] == ASCII.backslash, index + 1 < bytes.endIndex { index += 1 }
            value.append(bytes[index])
            index += 1
        }
        return String(decoding: value, as: UTF8.self)
    }
}
