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

    var vendor: String?
    var fiscalYear: Int?
    var json = false
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        while let word = arguments.next() {
            switch word {
            case .option("--vendor", let inline):
                vendor = try OTPCommand.vendorCode(try arguments.value(for: "--vendor", inlineValue: inline), command: Self.name)
            case .option("--fiscal-year", let inline):
                fiscalYear = try Self.fiscalYear(try arguments.value(for: "--fiscal-year", inlineValue: inline))
            case .option("--json", let inline):
                try Arguments.flag("--json", inlineValue: inline)
                json = true
            default:
                throw UsageError("urls: unexpected '\(word.text)'")
            }
        }
    }

    static func fiscalYear(_ value: String) throws -> Int {
        guard let year = Int(value), RenewalCalendar.supportedYears.contains(year) else {
            throw UsageError("--fiscal-year takes a year like 2027, not '\(value)'")
        }
        return year
    }

    func run() throws -> ExitCode {
        let vault = VaultStore(database: try context.openDatabase())
        let output = StandardOutput.shared
        for entry in try vault.urls(vendorCode: vendor, fiscalYear: fiscalYear) {
            let received = Self.japanTimestamp(entry.receivedAt)
            if json {
                var line = JSONLine()
                line.add("vendor_code", entry.vendorCode)
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

    /// `YYYY-MM-DDTHH:MM:SS+09:00`.
    static func japanTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 9 * 3600)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(c.year ?? 0)-\(twoDigits(c.month ?? 0))-\(twoDigits(c.day ?? 0))T\(twoDigits(c.hour ?? 0)):"
            + "\(twoDigits(c.minute ?? 0)):\(twoDigits(c.second ?? 0))+09:00"
    }
}
