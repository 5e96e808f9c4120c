import Foundation
import MailParse

/// The options `compose` and `send` share: which template, whom from and to, the variables, the charset.
struct MessageOptions {
    var template: TemplateName?
    var from: String?
    var to: [String] = []
    var variables: [String: String] = [:]
    var charset: OutgoingMessage.BodyCharset?
    var templates: String?

    static let help = """
          --from ADDR           the sender, 'Name <address>' or 'address' (default: the configuration's from)
          --to ADDR             a recipient (repeatable)
          --var NAME=VALUE      a template variable (repeatable): vendor_name, vendor_code, url, valid_from and
                                valid_until (2027-04-01), otp, expires_at (2027-01-28T14:35:00+09:00), ...
          --charset CHARSET     utf-8 (base64, the default) or iso-2022-jp (7bit, for older Japanese mail programs)
          --templates DIR       read the templates from DIR instead of the built-in ones (copies of Templates/)
        """

    /// Takes one word if it is one of these options; false when it is not.
    mutating func take(_ word: Arguments.Word, from arguments: inout Arguments) throws -> Bool {
        switch word {
        case .option("--from", let inline):
            from = try arguments.value(for: "--from", inlineValue: inline)
        case .option("--to", let inline):
            to.append(try arguments.value(for: "--to", inlineValue: inline))
        case .option("--var", let inline):
            let pair = try arguments.value(for: "--var", inlineValue: inline)
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw UsageError("--var takes NAME=VALUE, not '\(pair)'")
            }
            let name = String(pair[..<equals])
            guard variables[name] == nil else { throw UsageError("--var \(name) is given twice") }
            variables[name] = String(pair[pair.index(after: equals)...])
        case .option("--charset", let inline):
            charset = try Self.charset(try arguments.value(for: "--charset", inlineValue: inline))
        case .option("--templates", let inline):
            templates = try arguments.value(for: "--templates", inlineValue: inline)
        case .positional(let name) where template == nil:
            template = TemplateName(name)
        default:
            return false
        }
        return true
    }

    /// The value of `--charset`.
    static func charset(_ value: String) throws -> OutgoingMessage.BodyCharset {
        guard let parsed = OutgoingMessage.BodyCharset(rawValue: value.lowercased()) else {
            throw UsageError("--charset must be utf-8 or iso-2022-jp, not '\(value)'")
        }
        return parsed
    }

    /// Composes the message the options describe, with the configuration filling what they leave out.
    func compose(configuration: Configuration, command: String) throws -> Composer.Composed {
        guard let template else { throw UsageError("\(command): no TEMPLATE given (\(TemplateName.builtIn.map(\.rawValue).joined(separator: ", ")))") }
        guard let fromText = from ?? configuration.from else {
            throw UsageError("\(command): no --from given (or set from in the configuration)")
        }
        try Validation.checkOneLine(fromText, what: "\(command): --from")
        guard let sender = Validation.mailbox(fromText) else {
            throw UsageError("\(command): --from '\(fromText)' is not an address like 'Name <name@example.jp>'")
        }
        guard !to.isEmpty else { throw UsageError("\(command): no --to given") }
        let recipients = try to.map { text in
            try Validation.checkOneLine(text, what: "\(command): --to")
            guard let mailbox = Validation.mailbox(text) else {
                throw UsageError("\(command): --to '\(text)' is not an address like 'Name <name@example.jp>'")
            }
            return mailbox
        }
        let composer = Composer(
            store: TemplateStore(directory: templates ?? configuration.templates),
            messageIDDomain: configuration.messageIDDomain)
        return try composer.compose(
            template: template, from: sender, to: recipients, variables: variables,
            charset: charset ?? configuration.charset ?? .utf8, strict: true)
    }
}
