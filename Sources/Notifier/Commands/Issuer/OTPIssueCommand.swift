import MailParse
import NotifierCore

/// `notifier otp issue --vendor CODE --from ADDR (--smtp URL | --outbox DIR)`: mails the vendor a new code and
/// prints until when it is valid, never the code.
struct OTPIssueCommand: Command {
    static let name = "issue"
    static let summary = "Mail the vendor a new code (after the portal has checked their login)"
    static let usage = ["issue --vendor CODE --from ADDR (--smtp URL | --outbox DIR) [OPTIONS]"]
    static let about = """
        Mails the vendor (the address in the registry) a new one-time password with the template otp_notice, and
        prints 'OTP mailed to ADDRESS; valid until 2027-01-28T14:35:00+09:00'. The code replaces the vendor's older
        one. It is valid only once the mail server has accepted the mail: a code that could not be mailed is
        discarded. A vendor gets at most one code a minute and 5 an hour; a locked vendor gets none.
        """
    static let footer = """
        Exit status: 0 mailed; 67 no such vendor, or the mail was refused for good (5xx); 75 too soon (a code a
        minute, 5 an hour: the message says when to try again), or a temporary mail failure; 69 no mail server;
        77 the vendor is locked (run 'notifier otp unlock'), or the SMTP login was refused; 78 configuration error
        (an OTP key file others can read: chmod 600 it); 65 the registry's address for the vendor is unusable;
        64 bad usage. 75 also when another notifier holds the database.
        """

    static var options: [Option<Self>] {
        VendorYearOptions.vendorOnly.lifted(\.vendor).map(\.required) + SenderOptions.options.lifted(\.sender)
            + TransportOptions.options.lifted(\.transport)
    }

    var vendor = VendorYearOptions()
    var sender = SenderOptions()
    var transport = TransportOptions()

    func validate() throws { try transport.validate() }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let vendorCode = try vendor.requiredVendor()
        let options = self.sender.filled(from: configuration.sender)
        let sender = try options.sender(command: "otp issue")
        // Everything that can be wrong with the setup fails here, before a code is made or counted.
        let mailer = OTPMailer(
            sender: sender, returnPath: options.returnPath, composer: options.composer, charset: options.bodyCharset,
            transport: try transport.filled(from: configuration.transport).transport(context: context))
        let issued = try OTPCommand.service(context: context).issue(vendorCode: vendorCode, send: mailer.send)
        StandardOutput.shared.write(
            "OTP mailed to \(issued.email); valid until \(JapanClock.iso8601(seconds: issued.expiresAt))\n")
        return .success
    }
}
