import MailParse
import NotifierCore

/// `notifier otp unlock --vendor CODE`: clears a lock set by wrong codes, for the issuer once they have checked
/// with the vendor.
struct OTPUnlockCommand: Command {
    static let name = "unlock"
    static let summary = "Clear a vendor's lock and wrong-code count"
    static let usage = ["unlock --vendor CODE"]
    static let about = """
        Clears the lock that five wrong codes in a row set, and the count of wrong codes, so that the vendor can
        ask for a new code and use it. Check with the vendor first: someone else may have been guessing.
        """
    static let footer = """
        Exit status: 0 unlocked (also when the vendor was not locked); 67 no such vendor; 64 bad usage.
        """

    static var options: [Option<Self>] { VendorYearOptions.vendorOnly.lifted(\.vendor).map(\.required) }

    var vendor = VendorYearOptions()

    func run(_ context: CommandContext) throws -> ExitCode {
        let vendorCode = try vendor.requiredVendor()
        let unlocked = try OTPCommand.service(context: context).unlock(vendorCode: vendorCode)
        let was = unlocked.lockedAt.map { "was locked since \(JapanClock.iso8601(seconds: $0))" } ?? "was not locked"
        StandardOutput.shared.write(
            "vendor \(vendorCode) unlocked (\(was); \(counted(unlocked.wrongInARow, "wrong code")) in a row cleared)\n")
        return .success
    }
}
