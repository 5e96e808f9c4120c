import Foundation
import MailParse
import NotifierCore

/// The message `compose` and `send` write: which template, to whom, with which variables.
struct MessageOptions: OptionGroup {
    var template: TemplateName?
    var to: [Mailbox] = []
    var variables: [(name: String, value: String)] = []

    static var options: [Option<Self>] {
        [
            .list("--to", "ADDR", \.to, "a recipient (repeatable)", parse: Parse.mailbox),
            .list(
                "--var", "NAME=VALUE", \.variables,
                "a template variable (repeatable): vendor_name, vendor_code, url, valid_from and valid_until "
                    + "(2027-04-01), otp, expires_at (2027-01-28T14:35:00+09:00), ...", parse: Parse.variable),
            Option.positional("TEMPLATE", \.template, parse: { TemplateName($0) }).required,
        ]
    }

    /// The message these options and the sender's describe.
    func compose(sender options: SenderOptions, command: String) throws -> Composer.Composed {
        var values: [String: String] = [:]
        for (name, value) in variables {
            guard values.updateValue(value, forKey: name) == nil else {
                throw UsageError("--var \(name) is given twice")
            }
        }
        guard !to.isEmpty else { throw UsageError("\(command): no --to given") }
        return try options.composer.compose(
            template: template ?? .updateNotice, from: try options.sender(command: command),
            to: to,
            variables: values, charset: options.bodyCharset, strict: true)
    }
}
