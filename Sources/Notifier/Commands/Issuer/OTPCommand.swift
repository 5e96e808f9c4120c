import NotifierCore

/// `notifier otp issue|verify|unlock ...`: one-time passwords for the certificate download portal. A contract
/// other tools depend on: the subcommand names, flags and exit codes stay as they are.
enum OTPCommand {
    static let entry = CommandEntry(
        group: "otp", summary: "Mail, check and unlock one-time passwords for the download portal",
        about: """
            One-time passwords for downloading a client certificate: the portal has notifier mail a code once the
            vendor has logged in, then checks what the vendor typed. Codes are 8 capitals and digits without
            look-alikes (no 0, O, 1, I), read in either case, valid for 30 minutes, and stored only as HMAC-SHA-256
            under a key in $NOTIFIER_OTP_KEY_FILE, else otp.key beside the database (made on first use, mode 0600).
            No command ever prints a code or writes one anywhere but into the mail. Everything is recorded in the
            audit table.
            """,
        [
            CommandEntry(OTPIssueCommand.self, in: "otp"), CommandEntry(OTPVerifyCommand.self, in: "otp"),
            CommandEntry(OTPUnlockCommand.self, in: "otp"),
        ])

    /// The service on the database the global options name, with the key file from `$NOTIFIER_OTP_KEY_FILE`, else
    /// the configuration's `otp_key_file`, else beside the database; the lock's length from `otp_lock_minutes`; on
    /// the real clock.
    static func service(context: CommandContext) throws -> OTPService {
        let database = try context.openDatabase()
        var environment = context.environment
        let configuration = try context.configuration()
        if environment["NOTIFIER_OTP_KEY_FILE"]?.isEmpty != false, let file = configuration.otpKeyFile {
            environment["NOTIFIER_OTP_KEY_FILE"] = file
        }
        return OTPService(
            database: database, keyFile: OTPKey.path(environment: environment, databasePath: database.path),
            policy: OTPPolicy(lockMinutes: configuration.otpLockMinutes ?? 0))
    }
}
