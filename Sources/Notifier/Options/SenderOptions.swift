import Foundation
import MailParse
import NotifierCore

/// Who sends and how messages are written: `--from`, `--charset`, `--templates`, and the Message-ID domain. Every
/// command that writes mail takes these, and resolves them here once.
struct SenderOptions: OptionGroup {
    var from: Mailbox?
    var charset: OutgoingMessage.BodyCharset?
    var templates: String?
    var messageIDDomain: String?
    var returnPath: ReturnPath?

    static var options: [Option<Self>] {
        [
            .value(
                "--from", key: "from", "ADDR", \.from, "the sender, 'Name <address>' or 'address'",
                parse: Parse.mailbox),
            .value(
                "--charset", key: "charset", "CHARSET", \.charset,
                "utf-8 (base64, the default) or iso-2022-jp (7bit, for older Japanese mail programs)",
                parse: Parse.choice),
            .value(
                "--templates", key: "templates", "DIR",
                \.templates, "read the templates from DIR instead of the built-in ones (copies of Templates/)",
                parse: Parse.text),
            .value(
                nil, key: "message_id_domain", "DOMAIN", \.messageIDDomain,
                "the domain of the Message-IDs notifier writes (default: the sender's)",
                parse: Parse.host(like: "to-kousya.example")),
            .value(
                "--return-path", key: "return_path", "ADDR", \.returnPath,
                "the envelope sender of notices, reminders and OTP mails, whose mailbox 'notifier bounces watch' "
                    + "reads (default: the --from address); {token} in its local part gives each message its own "
                    + "address (VERP), e.g. bounces+{token}@to-kousya.example", parse: Parse.returnPath),
        ]
    }

    /// The sender (these options already filled from the configuration); `command` names the command in the error.
    func sender(command: String) throws -> Mailbox {
        guard let from else { throw UsageError("\(command): no --from given (or set from in the configuration)") }
        return from
    }

    /// The composer for these templates and Message-ID domain.
    var composer: Composer { Composer(store: TemplateStore(directory: templates), messageIDDomain: messageIDDomain) }

    var bodyCharset: OutgoingMessage.BodyCharset { charset ?? .utf8 }
}
