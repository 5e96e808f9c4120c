import Foundation
import MailParse

/// `notifier otp verify --vendor CODE`, the code on standard input: exit 0 valid (and now used), 1 not valid,
/// 77 locked.
struct OTPVerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check the code a vendor typed (read from standard input)"
    static let help = """
        Usage: notifier otp verify --vendor CODE   (the code on standard input)

        Reads the code the vendor typed from standard input (spaces and line ends around it are ignored,
        full-width letters and digits are read as ASCII; never pass it as an argument, which every user of the
        machine can read) and checks it against the vendor's code. A code is accepted once: from then on it is
        used. Five wrong codes in a row lock the vendor until 'notifier otp unlock'; the vendor's own code that
        expired or was used already, and input that cannot be a code at all, do not count. An accepted code
        clears the count.

        Options:
          --vendor CODE         the vendor's code (7 digits), as in the registry

        Exit status: 0 valid (and now used); 1 wrong, expired or already used (standard error says which);
        77 locked; 67 no such vendor; 75 another notifier holds the database (try again); 78 configuration
        error (the OTP key file); 64 bad usage.
        """

    /// More than this on standard input is not a code; the rest is not read.
    static let inputLimit = 1024

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
            case .positional:
                throw UsageError("otp verify: the code is read from standard input, not taken as an argument")
            default:
                throw UsageError("otp verify: unexpected '\(word.text)'")
            }
        }
        guard let vendorCode else { throw UsageError("otp verify: no --vendor given") }
        self.vendorCode = vendorCode
    }

    func run() throws -> ExitCode {
        let data = FileHandle.standardInput.readData(ofLength: Self.inputLimit + 1)
        // Too much input becomes an impossible code: refused, and not counted toward the lock.
        let input = data.count > Self.inputLimit ? "" : String(decoding: data, as: UTF8.self)
        let service = try OTPCommand.service(context: context)
        switch try service.verify(vendorCode: vendorCode, input: input) {
        case .valid:
            StandardOutput.shared.write("OTP accepted for vendor \(vendorCode); it is now used\n")
            return .success
        case .rejected(let rejection):
            StandardOutput.shared.flush()
            FileHandle.standardError.write(Data("notifier: \(Self.explain(rejection, vendorCode: vendorCode))\n".utf8))
            return .failure
        case .locked(let error):
            throw error
        case .unknownVendor:
            throw UnknownVendorError(vendorCode: vendorCode, database: service.store.database.path)
        }
    }

    /// What the portal (and the person reading its log) is told about a code that was not accepted.
    static func explain(_ rejection: OTPService.Rejection, vendorCode: VendorCode) -> String {
        switch rejection {
        case .wrong(let count, let locked):
            let policy = OTPPolicy.standard
            return locked
                ? "wrong code for vendor \(vendorCode); that was \(count) wrong in a row, so the vendor is now locked "
                    + "until 'notifier otp unlock --vendor \(vendorCode)'"
                : "wrong code for vendor \(vendorCode) (\(count) of \(policy.wrongCodesBeforeLock) wrong in a row "
                    + "before the vendor is locked)"
        case .expired(let at):
            return "the code for vendor \(vendorCode) expired at \(JapanClock.iso8601(seconds: at)); ask for a new one"
        case .used(let at):
            return "the code for vendor \(vendorCode) was already used at \(JapanClock.iso8601(seconds: at)); ask for a new one"
        case .malformed:
            return "that is not a code (\(OTPCode.length) letters and digits); nothing was counted"
        }
    }
}
