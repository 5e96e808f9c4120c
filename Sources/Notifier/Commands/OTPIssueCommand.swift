import MailParse

/// `notifier otp issue --vendor CODE --from ADDR (--smtp URL | --outbox DIR)`: mails the vendor a new code and
/// prints until when it is valid, never the code.
struct OTPIssueCommand: Command {
    static let name = "issue"
    static let summary = "Mail the vendor a new code (after the portal has checked their login)"
    static let help = """
        Usage: notifier otp issue --vendor CODE --from ADDR (--smtp URL | --outbox DIR) [OPTIONS]

        Mails the vendor (the address in the registry) a new one-time password with the template otp_notice, and
        prints 'OTP mailed to ADDRESS; valid until 2027-01-28T14:35:00+09:00'. The code replaces the vendor's older
        one. It is valid only once the mail server has accepted the mail: a code that could not be mailed is
        discarded. A vendor gets at most one code a minute and 5 an hour; a locked vendor gets none.

        Options:
          --vendor CODE         the vendor's code (7 digits), as in the registry
          --from ADDR           the sender, 'Name <address>' or 'address' (default: the configuration's from)
        \(TransportOptions.help)

        The charset (charset), Message-ID domain and templates come from the configuration.

        Exit status: 0 mailed; 67 no such vendor, or the mail was refused for good (5xx); 75 too soon (a code a
        minute, 5 an hour: the message says when to try again), or a temporary mail failure; 69 no mail server;
        77 the vendor is locked (run 'notifier otp unlock'), or the SMTP login was refused; 78 configuration error
        (an OTP key file others can read: chmod 600 it); 65 the registry's address for the vendor is unusable;
        64 bad usage. 75 also when another notifier holds the database.
        """

    let vendorCode: String
    let from: String?
    let transport: TransportOptions
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        var vendorCode: String?
        var from: String?
        var transport = TransportOptions()
        while let word = arguments.next() {
            switch word {
            case .option("--vendor", let inline):
                vendorCode = try OTPCommand.vendorCode(try arguments.value(for: "--vendor", inlineValue: inline), command: Self.name)
            case .option("--from", let inline):
                from = try arguments.value(for: "--from", inlineValue: inline)
            default:
                if try transport.take(word, from: &arguments) { continue }
                throw UsageError("otp issue: unexpected '\(word.text)'")
            }
        }
        guard let vendorCode else { throw UsageError("otp issue: no --vendor given") }
        try transport.validate()
        self.vendorCode = vendorCode
        self.from = from
        self.transport = transport
    }

    func run() throws -> ExitCode {
        let configuration = try context.configuration()
        guard let fromText = from ?? configuration.from else {
            throw UsageError("otp issue: no --from given (or set from in the configuration)")
        }
        try Validation.checkOneLine(fromText, what: "otp issue: --from")
        guard let sender = Validation.mailbox(fromText) else {
            throw UsageError("otp issue: --from '\(fromText)' is not an address like 'Name <name@example.jp>'")
        }
        // Everything that can be wrong with the setup fails here, before a code is made or counted.
        let mailer = OTPMailer(
            sender: sender,
            composer: Composer(store: TemplateStore(directory: configuration.templates), messageIDDomain: configuration.messageIDDomain),
            charset: configuration.charset ?? .utf8, transport: try transport.transport(configuration: configuration, context: context))
        let issued = try OTPCommand.service(context: context).issue(vendorCode: vendorCode, send: mailer.send)
        StandardOutput.shared.write("OTP mailed to \(issued.email); valid until \(JapanClock.iso8601(seconds: issued.expiresAt))\n")
        return .success
    }
}
