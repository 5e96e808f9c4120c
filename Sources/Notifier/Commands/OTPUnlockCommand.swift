import MailParse

/// `notifier otp unlock --vendor CODE`: clears a lock set by wrong codes, for the issuer once they have checked
/// with the vendor.
struct OTPUnlockCommand: Command {
    static let name = "unlock"
    static let summary = "Clear a vendor's lock and wrong-code count"
    static let help = """
        Usage: notifier otp unlock --vendor CODE

        Clears the lock that five wrong codes in a row set, and the count of wrong codes, so that the vendor can
        ask for a new code and use it. Check with the vendor first: someone else may have been guessing.

        Options:
          --vendor CODE         the vendor's code (7 digits), as in the registry

        Exit status: 0 unlocked (also when the vendor was not locked); 67 no such vendor; 64 bad usage.
        """

    let vendorCode: VendorCode
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        var vendorCode: VendorCode?
        while let word = arguments.next() {
            switch word {
            case .option("--vendor", let inline):
                vendorCode = try OTPCommand.vendorCode(try arguments.value(for: "--vendor", inlineValue: inline), command: Self.name)
            default:
                throw UsageError("otp unlock: unexpected '\(word.text)'")
            }
        }
        guard let vendorCode else { throw UsageError("otp unlock: no --vendor given") }
        self.vendorCode = vendorCode
    }

    func run() throws -> ExitCode {
        let unlocked = try OTPCommand.service(context: context).unlock(vendorCode: vendorCode)
        let was = unlocked.lockedAt.map { "was locked since \(JapanClock.iso8601(seconds: $0))" } ?? "was not locked"
        StandardOutput.shared.write(
            "vendor \(vendorCode) unlocked (\(was); \(unlocked.wrongInARow) wrong codes in a row cleared)\n")
        return .success
    }
}
