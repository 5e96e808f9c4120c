import Foundation
import MailParse
import NotifierCore

/// `notifier resend-url --vendor CODE [--fiscal-year N] (--print | --to ADDR --from ADDR (--smtp URL | --outbox DIR))`:
/// the stored download URL, printed or mailed, so it can be opened on another PC.
struct ResendURLCommand: Command {
    static let name = "resend-url"
    static let summary = "Print or mail a vendor's stored download URL (for installing on another PC)"
    static let usage = [
        "resend-url --vendor CODE [--fiscal-year N] --print",
        "resend-url --vendor CODE [--fiscal-year N] --to ADDR --from ADDR (--smtp URL | --outbox DIR)",
    ]
    static let about = """
        The URL from the newest trusted update notice for the vendor: of fiscal year N, or by default of the
        newest fiscal year stored (during the renewal months that is the coming year's certificate). --print
        writes it to standard output; --to mails it with the resend_url template. No stored URL: exit 66 with
        what to do.
        """
    static let footer = """
        Exit status: 0 printed or mailed; 66 no URL is stored for the vendor (the message says what to do); 67
        the mail was refused for good (5xx); 75 a temporary mail failure, or another notifier holds the
        database; 69 no mail server; 77 the SMTP login was refused; 64 bad usage; 78 configuration error.
        """
    static var options: [Option<Self>] {
        VendorYearOptions.options.lifted(\.filter).map { $0.flag == "--vendor" ? $0.required : $0 } + [
            .flag("--print", \.printOnly, "print the URL"),
            .list("--to", "ADDR", \.to, "mail the URL to ADDR (repeatable)", parse: Parse.mailbox),
        ] + SenderOptions.options.lifted(\.sender) + TransportOptions.options.lifted(\.transport)
    }

    var filter = VendorYearOptions()
    var printOnly = false
    var to: [Mailbox] = []
    var sender = SenderOptions()
    var transport = TransportOptions()

    func validate() throws {
        if printOnly && !to.isEmpty { throw UsageError("resend-url: give --print or --to, not both") }
        if !printOnly && to.isEmpty { throw UsageError("resend-url: give --print, or --to ADDR to mail it") }
        try transport.validate()
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let vault = VaultStore(database: try context.openDatabase())
        guard let code = filter.vendor else { throw UsageError("resend-url: give --vendor CODE") }
        let fiscalYear = filter.fiscalYear
        let stored = try vault.urls(vendorCode: code, fiscalYear: fiscalYear)
        // Newest fiscal year first, then the newest notice of that year.
        guard let entry = stored.max(by: { ($0.fiscalYear, $0.receivedAt) < ($1.fiscalYear, $1.receivedAt) }) else {
            let year = fiscalYear.map { " for fiscal year \($0)" } ?? ""
            throw NoStoredURLError(
                message: "no download URL is stored for vendor \(code)\(year). Let notifier read the mailbox the "
                    + "update notice went to (notifier watch --maildir DIR, or notifier ingest FILE with the saved "
                    + "notice), or ask the issuer to send the notice again.")
        }
        if printOnly {
            StandardOutput.shared.write(entry.url + "\n")
            return .success
        }
        let validity = RenewalCalendar.validity(of: entry.fiscalYear)
        let message = MessageOptions(
            template: .resendURL, to: to,
            variables: [
                ("vendor_code", entry.vendorCode.rawValue), ("url", entry.url),
                ("valid_from", validity.from.description),
                ("valid_until", validity.until.description),
            ])
        let configuration = try context.configuration()
        let composed = try message.compose(sender: sender.filled(from: configuration.sender), command: Self.name)
        let delivery = try transport.filled(from: configuration.transport).transport(context: context).deliver(composed)
        return SendCommand.report(delivery, line: "\(delivery.outcome.rawValue): \(delivery.reply)")
    }
}

/// Nothing stored to resend (EX_NOINPUT, 66).
struct NoStoredURLError: NotifierError {
    let message: String
}
