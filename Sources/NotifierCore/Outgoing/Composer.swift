import Foundation
import MailParse

/// Makes a message from a template: fills it, checks every value, stamps Date and Message-ID, and writes the bytes.
/// Clock and random source are injected, so tests can compare composed messages byte for byte.
package struct Composer {
    let store: TemplateStore
    /// The domain of Message-IDs (the From domain when nil).
    let messageIDDomain: String?
    var clock: @Sendable () -> Date = { Date() }
    var random: @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) }

    package init(
        store: TemplateStore,
        messageIDDomain: String?,
        clock: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) }
    ) {
        self.store = store
        self.messageIDDomain = messageIDDomain
        self.clock = clock
        self.random = random
    }

    package struct Composed {
        package let message: OutgoingMessage
        package let bytes: [UInt8]
    }

    /// - Parameter strict: every given variable must be used by the template (the `compose` and `send` commands);
    ///   programs that pass a fixed set to every template use `false`.
    /// - Parameter messageID: a Message-ID decided earlier (the batch sender's, so a resent notice can be recognised).
    package func compose(
        template name: TemplateName, from: Mailbox, to: [Mailbox], variables: [String: String],
        charset: OutgoingMessage.BodyCharset, strict: Bool, messageID fixedMessageID: String? = nil
    ) throws -> Composed {
        let template = try store.template(named: name)
        let placeholders = template.placeholders
        if strict, let unused = variables.keys.sorted().first(where: { !placeholders.contains($0) }) {
            throw TemplateError(
                template: name, variable: unused,
                reason: "is not used by this template (it uses: \(placeholders.sorted().joined(separator: ", ")))")
        }
        let now = clock()
        let values = try TemplateValues.format(variables, template: name, now: now)
        let filled = try template.render(values)
        let subject = filled.headers.first { $0.name.lowercased() == "subject" }?.value ?? ""
        let others = filled.headers.filter { $0.name.lowercased() != "subject" }
        let message = OutgoingMessage(
            from: from, to: to, subject: subject, date: now,
            messageID: fixedMessageID ?? messageID(from: from, now: now),
            extraHeaders: others, body: filled.body, charset: charset)
        do {
            return Composed(message: message, bytes: try MessageWriter().write(message))
        } catch let error as MessageWriterError {
            throw TemplateError(template: name, reason: error.description)
        }
    }

    /// `<seconds in base 36>.<64 random bits in hex>@domain`: unique without coordination (RFC 5322 §3.6.4).
    func messageID(from: Mailbox, now: Date) -> String {
        let seconds = String(Int(now.timeIntervalSince1970), radix: 36)
        let noise = String(random(), radix: 16)
        return "\(seconds).\(String(repeating: "0", count: 16 - noise.count))\(noise)@\(messageIDDomain ?? from.domain)"
    }
}
