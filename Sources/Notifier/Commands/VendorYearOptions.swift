/// `--vendor CODE` and `--fiscal-year N`, as `urls`, `resend-url` and `notices` take them.
struct VendorYearOptions {
    var vendor: VendorCode?
    var fiscalYear: Int?

    mutating func take(_ word: Arguments.Word, from arguments: inout Arguments, command: String) throws -> Bool {
        switch word {
        case .option("--vendor", let inline):
            vendor = try OTPCommand.vendorCode(try arguments.value(for: "--vendor", inlineValue: inline), command: command)
        case .option("--fiscal-year", let inline):
            fiscalYear = try Self.fiscalYear(try arguments.value(for: "--fiscal-year", inlineValue: inline))
        default:
            return false
        }
        return true
    }

    /// A fiscal year (年度) notifier can reckon with.
    static func fiscalYear(_ value: String) throws -> Int {
        guard let year = Int(value), RenewalCalendar.supportedYears.contains(year) else {
            throw UsageError("--fiscal-year takes a year like 2027, not '\(value)'")
        }
        return year
    }
}
