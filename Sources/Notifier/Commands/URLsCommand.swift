import Foundation
import MailParse

/// `notifier urls [--vendor CODE] [--fiscal-year N] [--json]`: the URL vault, newest first.
struct URLsCommand: Command {
    static let name = "urls"
    static let summary = "List the download URLs kept from trusted update notices"
    static let help = """
        Usage: notifier urls [--vendor CODE] [--fiscal-year N] [--json]

        The vault, newest first. With --json one object per line: vendor_code, fiscal_year, url, received_at
        (Japan time, ISO 8601), message_id, from.
        """

    var filter = VendorYearOptions()
    var json = false
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        while let word = arguments.next() {
            if try filter.take(word, from: &arguments, command: Self.name) { continue }
            switch word {
            case .option("--json", let inline):
                try Arguments.flag("--json", inlineValue: inline)
                json = true
            default:
                throw UsageError("urls: unexpected '\(word.text)'")
            }
        }
    }

    func run() throws -> ExitCode {
        let vault = VaultStore(database: try context.openDatabase())
        let output = StandardOutput.shared
        for entry in try vault.urls(vendorCode: filter.vendor, fiscalYear: filter.fiscalYear) {
            let received = JapanClock.iso8601(entry.receivedAt)
            if json {
                var line = JSONLine()
                line.add("vendor_code", entry.vendorCode.rawValue)
                line.add("fiscal_year", entry.fiscalYear)
                line.add("url", entry.url)
                line.add("received_at", received)
                line.add("message_id", entry.messageID)
                line.add("from", entry.sender)
                output.write(line.line + "\n")
            } else {
                output.write("\(entry.vendorCode)  FY\(entry.fiscalYear)  \(entry.url)  (received \(received) from \(entry.sender))\n")
            }
        }
        return .success
    }
}
