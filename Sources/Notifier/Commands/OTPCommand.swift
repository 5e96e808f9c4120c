/// `notifier otp issue|verify|unlock ...`: one-time passwords for the certificate download portal. A contract
/// other tools depend on: the subcommand names, flags and exit codes stay as they are.
struct OTPCommand: Command {
    static let name = "otp"
    static let summary = "Mail, check and unlock one-time passwords for the download portal"

    static let subcommands = [
        CommandEntry(OTPIssueCommand.self), CommandEntry(OTPVerifyCommand.self), CommandEntry(OTPUnlockCommand.self),
    ]

    /// Every subcommand's help in one text: `notifier otp issue --help` reaches the root first, which shows this.
    static var help: String {
        """
        Usage: notifier otp issue --vendor CODE --from ADDR (--smtp URL | --outbox DIR) [OPTIONS]
               notifier otp verify --vendor CODE   (the code on standard input)
               notifier otp unlock --vendor CODE

        One-time passwords for downloading a client certificate: the portal has notifier mail a code once the
        vendor has logged in, then checks what the vendor typed. Codes are 8 letters and digits without
        look-alikes (no 0, O, 1, I, l), valid for 30 minutes, and stored only as HMAC-SHA-256 under a key in
        $NOTIFIER_OTP_KEY_FILE, else otp.key beside the database (made on first use, mode 0600). No command ever
        prints a code or writes one anywhere but into the mail. Everything is recorded in the audit table.

        Subcommands:
        \(subcommands.map { "  \($0.name.padding(toLength: 8, withPad: " ", startingAt: 0))\($0.summary)" }.joined(separator: "\n"))

        \(subcommands.map(\.help).joined(separator: "\n\n"))
        """
    }

    let subcommand: any Command

    init(arguments: Arguments, context: CommandContext) throws {
        var arguments = arguments
        let names = Self.subcommands.map(\.name).joined(separator: ", ")
        guard let word = arguments.next() else { throw UsageError("otp: no subcommand given (\(names))") }
        guard case .positional(let name) = word, let entry = Self.subcommands.first(where: { $0.name == name }) else {
            throw UsageError("otp: unknown subcommand '\(word.text)' (subcommands: \(names))")
        }
        let rest = Arguments(arguments.remaining)
        subcommand = rest.wantsHelp ? HelpCommand(text: entry.help) : try entry.make(rest, context)
    }

    func run() throws -> ExitCode {
        try subcommand.run()
    }

    /// The value of `--vendor`: a 業者コード of 7 ASCII digits, as the registry keeps it.
    static func vendorCode(_ value: String, command: String) throws -> VendorCode {
        guard let code = VendorCode(rawValue: value) else {
            throw UsageError("\(command): --vendor takes a vendor code (業者コード) of 7 ASCII digits, not '\(value)'")
        }
        return code
    }

    /// The service on the database the global options name, with the key file from `$NOTIFIER_OTP_KEY_FILE`, else
    /// the configuration's `otp_key_file`, else beside the database; on the real clock.
    static func service(context: CommandContext) throws -> OTPService {
        let database = try context.openDatabase()
        var environment = context.environment
        if environment["NOTIFIER_OTP_KEY_FILE"]?.isEmpty != false, let file = try context.configuration().otpKeyFile {
            environment["NOTIFIER_OTP_KEY_FILE"] = file
        }
        return OTPService(database: database, keyFile: OTPKey.path(environment: environment, databasePath: database.path))
    }
}
