import NotifierCore

/// `--vendor CODE` and `--fiscal-year N`, as `urls`, `resend-url`, `notices` and `otp` take them.
struct VendorYearOptions: OptionGroup {
    var vendor: VendorCode?
    var fiscalYear: Int?

    static var options: [Option<Self>] {
        [
            .value(
                "--vendor", "CODE", \.vendor, "the vendor's code (業者コード, 7 digits), as in the registry",
                parse: VendorCode.init),
            .value(
                "--fiscal-year", "N", \.fiscalYear,
                "the fiscal year (年度) of the certificate, like 2027, or 令和 as R9, 令和9 or 令和9年",
                parse: fiscalYear),
        ]
    }

    /// Only `--vendor`, for the commands that take no year.
    static var vendorOnly: [Option<Self>] { options.filter { $0.flag == "--vendor" } }

    /// The vendor `--vendor` names, for the commands that declare it required (so the parser has made sure).
    func requiredVendor() throws -> VendorCode {
        guard let vendor else { throw UsageError("no --vendor given") }
        return vendor
    }

    /// A fiscal year (年度) notifier can reckon with, written as `JapaneseYear` reads it: `2027`, `R9`, `令和9`,
    /// `令和9年`, `令和9年度`, `令和元年` (2019), full-width digits too.
    static func fiscalYear(_ value: String) throws -> Int {
        guard let year = JapaneseYear(value)?.year, RenewalCalendar.supportedYears.contains(year) else {
            throw InvalidValue("takes a year like \(JapaneseYear.forms)")
        }
        return year
    }
}
