import Foundation
import MailParse

/// `notifier resend-url --vendor CODE [--fiscal-year N] (--print | --to ADDR --from ADDR (--smtp URL | --outbox DIR))`:
/// the stored download URL, printed or mailed, so it can be opened on another PC.
struct ResendURLCommand: Command {
    static let name = "resend-url"
    static let summary = "Print or mail a vendor's stored download URL (for installing on another PC)"
    static let help = """
        Usage: notifier resend-url --vendor CODE [--fiscal-year N] --print
               notifier resend-url --vendor CODE [--fiscal-year N] --to ADDR --from ADDR (--smtp URL | --outbox DIR)

        The URL from the newest trusted update notice for the vendor: of fiscal year N, or by default of the
        newest fiscal year stored (during the renewal months that is the coming year's certificate). --print
        writes it to standard output; --to mails it with the resend_url template. No stored URL: exit 66 with
        what to do.

        Options: --templates DIR, --charset, and the transport options of 'notifier send'.
        """

    var filter = VendorYearOptions()
    var printOnly = false
    var message = MessageOptions()
    var transport = TransportOptions()
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        while let word = arguments.next() {
            if try filter.take(word, from: &arguments, command: Self.name) { continue }
            switch word {
            case .option("--print", let inline):
                try Arguments.flag("--print", inlineValue: inline)
                printOnly = true
            case .option("--var", _), .positional:
                throw UsageError("resend-url: unexpected '\(word.text)'")
            default:
                if try message.take(word, from: &arguments) { continue }
                if try transport.take(word, from: &arguments) { continue }
                throw UsageError("resend-url: unexpected '\(word.text)'")
            }
        }
        guard filter.vendor != nil else { throw UsageError("resend-url: give --vendor CODE") }
        if printOnly && !message.to.isEmpty { throw UsageError("resend-url: give --print or --to, not both") }
        if !printOnly && message.to.isEmpty { throw UsageError("resend-url: give --print, or --to ADDR to mail it") }
        try transport.validate()
    }

    func run() throws -> ExitCode {
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
        var options = message
        options.template = .resendURL
        let validity = RenewalCalendar.validity(of: entry.fiscalYear)
        options.variables = ["vendor_code": entry.vendorCode.rawValue, "url": entry.url, "valid_from": validity.from.description,
                             "valid_until": validity.until.description]
        let configuration = try context.configuration()
        let composed = try options.compose(configuration: configuration, command: Self.name)
        let delivery = try transport.transport(configuration: configuration, context: context).deliver(
            composed.bytes, sender: composed.message.from.addrSpec, recipients: composed.message.to.map(\.addrSpec))
        let line = "\(delivery.outcome.rawValue): \(delivery.reply)\n"
        if delivery.outcome == .sent { StandardOutput.shared.write(line) } else {
            FileHandle.standardError.write(Data("notifier: \(line)".utf8))
        }
        return delivery.exitCode
    }
}

/// Nothing stored to resend (EX_NOINPUT, 66).
struct NoStoredURLError: NotifierError {
    let message: String
    var exitCode: ExitCode { .noInput }
}
