import Foundation
import MailParse
import NotifierCore

/// `notifier urls [--vendor CODE] [--fiscal-year N] [--json]`: the URL vault, newest first.
struct URLsCommand: Command {
    static let name = "urls"
    static let summary = "List the download URLs kept from trusted update notices"
    static let about = """
        The vault, newest first. With --json one object per line: vendor_code, fiscal_year, url, received_at
        (when notifier handled the notice; Japan time, ISO 8601), message_id, from, sent_at (the notice's own
        Date, Japan time; null when it had none that reads, or was stored before notifier kept it).
        """
    static let footer = """
        Exit status: 0 listed (also when nothing is stored yet); 75 another notifier holds the database; 64 bad
        usage; 78 configuration error (a --config file that is missing or wrong).
        """
    static var options: [Option<Self>] {
        VendorYearOptions.options.lifted(\.filter) + [.flag("--json", \.json, "one JSON object per line")]
    }

    var filter = VendorYearOptions()
    var json = false

    func run(_ context: CommandContext) throws -> ExitCode {
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
                line.add("sent_at", entry.sentAt.map(JapanClock.iso8601))
                output.write(line.line + "\n")
            } else {
                let sent = entry.sentAt.map { "sent \(JapanClock.iso8601($0)), " } ?? ""
                output.write(
                    "\(entry.vendorCode)  FY\(entry.fiscalYear)  \(entry.url)  (\(sent)received \(received) from "
                        + "\(entry.sender))\n")
            }
        }
        return .success
    }
}
