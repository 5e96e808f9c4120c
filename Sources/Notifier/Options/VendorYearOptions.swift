/// `--vendor CODE` and `--fiscal-year N`, as `urls`, `resend-url`, `notices` and `otp` take them.
struct VendorYearOptions: OptionGroup {
    var vendor: String?
    var fiscalYear: Int?

    static var options: [Option<Self>] {
        [
            .value("--vendor", "CODE", \.vendor, "the vendor's code (業者コード, 7 digits), as in the registry", parse: vendorCode),
            .value(
                "--fiscal-year", "N", \.fiscalYear, "the fiscal year (年度) of the certificate, like 2027",
                parse: fiscalYear),
        ]
    }

    /// Only `--vendor`, for the commands that take no year.
    static var vendorOnly: [Option<Self>] { options.filter { $0.flag == "--vendor" } }

    /// A vendor code (業者コード) of 7 ASCII digits, as the registry keeps it.
    static func vendorCode(_ value: String) throws -> String {
        guard value.utf8.count == 7, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw InvalidValue("takes a vendor code (業者コード) of 7 ASCII digits")
        }
        return value
    }

    /// A fiscal year (年度) notifier can reckon with.
    static func fiscalYear(_ value: String) throws -> Int {
        guard let year = Int(value), RenewalCalendar.supportedYears.contains(year) else {
            throw InvalidValue("takes a year like 2027")
        }
        return year
    }
}
