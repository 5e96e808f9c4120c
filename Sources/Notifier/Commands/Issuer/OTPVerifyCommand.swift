import Foundation
import MailParse
import NotifierCore

/// `notifier otp verify --vendor CODE`, the code on standard input: exit 0 valid (and now used), 1 not valid,
/// 77 locked.
struct OTPVerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check the code a vendor typed (read from standard input)"
    static let usage = ["verify --vendor CODE   (the code on standard input)"]
    static let about = """
        Reads the code the vendor typed from standard input (spaces and line ends around it are ignored,
        full-width letters and digits are read as ASCII, small letters as capitals; never pass it as an argument,
        which every user of the machine can read) and checks it against the vendor's code. A code is accepted
        once: from then on it is used. Five wrong codes in a row lock the vendor until 'notifier otp unlock', or
        for otp_lock_minutes when the configuration sets it; the vendor's own code that expired or was used
        already, and input that cannot be a code at all (standard error names the characters no code has), do not
        count. An accepted code clears the count.
        """
    static let footer = """
        Exit status: 0 valid (and now used); 1 wrong, expired or already used (standard error says which);
        77 locked; 67 no such vendor; 75 another notifier holds the database (try again); 78 configuration
        error (the OTP key file); 64 bad usage.
        """

    /// More than this on standard input is not a code; the rest is not read.
    static let inputLimit = 1024

    static var options: [Option<Self>] {
        VendorYearOptions.vendorOnly.lifted(\.vendor).map(\.required) + [.positionals("CODE", \.typed)]
    }

    var vendor = VendorYearOptions()
    /// A code given as an argument, refused: every user of the machine can read argv.
    var typed: [String] = []

    func validate() throws {
        if !typed.isEmpty {
            throw UsageError("otp verify: the code is read from standard input, not taken as an argument")
        }
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let vendorCode = try vendor.requiredVendor()
        let data = FileHandle.standardInput.readData(ofLength: Self.inputLimit + 1)
        // Too much input becomes an impossible code: refused, and not counted toward the lock.
        let input = data.count > Self.inputLimit ? "" : String(decoding: data, as: UTF8.self)
        let service = try OTPCommand.service(context: context)
        switch try service.verify(vendorCode: vendorCode, input: input) {
        case .valid:
            StandardOutput.shared.write("OTP accepted for vendor \(vendorCode); it is now used\n")
            return .success
        case .rejected(let rejection):
            Diagnostics.standardError.error(Self.explain(rejection, vendorCode: vendorCode, policy: service.policy))
            return .failure
        case .locked(let error):
            throw error
        case .unknownVendor:
            throw UnknownVendorError(vendorCode: vendorCode, database: service.store.database.path)
        }
    }

    /// What the portal (and the person reading its log) is told about a code that was not accepted.
    static func explain(_ rejection: OTPService.Rejection, vendorCode: VendorCode, policy: OTPPolicy) -> String {
        switch rejection {
        case .wrong(let count, let locked):
            let unlock = "'notifier otp unlock --vendor \(vendorCode)'"
            let until = policy.lockMinutes > 0 ? "for \(policy.lockLength), or until \(unlock)" : "until \(unlock)"
            return locked
                ? "wrong code for vendor \(vendorCode); that was \(count) wrong in a row, so the vendor is now locked "
                    + until
                : "wrong code for vendor \(vendorCode) (\(count) of \(policy.wrongCodesBeforeLock) wrong in a row "
                    + "before the vendor is locked)"
        case .expired(let at):
            return "the code for vendor \(vendorCode) expired at \(JapanClock.iso8601(seconds: at)); ask for a new one"
        case .used(let at):
            return
                "the code for vendor \(vendorCode) was already used at \(JapanClock.iso8601(seconds: at)); ask for a new one"
        case .malformed(let why):
            return "that is not a code for vendor \(vendorCode): \(why); nothing was counted"
        }
    }
}
