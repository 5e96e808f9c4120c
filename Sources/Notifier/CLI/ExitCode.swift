/// Exit codes, from sysexits(3) where one fits, so that mail servers and timers can tell what to do.
struct ExitCode: RawRepresentable, Equatable, Sendable {
    let rawValue: Int32

    static let success = ExitCode(rawValue: 0)
    /// A check answered "no" (for example an OTP that does not verify).
    static let failure = ExitCode(rawValue: 1)
    /// EX_USAGE: the command was used wrongly.
    static let usage = ExitCode(rawValue: 64)
    /// EX_DATAERR: the input data was bad.
    static let dataError = ExitCode(rawValue: 65)
    /// EX_NOINPUT: an input file did not exist or was not readable.
    static let noInput = ExitCode(rawValue: 66)
    /// EX_NOUSER: the addressee was rejected for good.
    static let noUser = ExitCode(rawValue: 67)
    /// EX_UNAVAILABLE: a service was unavailable.
    static let unavailable = ExitCode(rawValue: 69)
    /// EX_SOFTWARE: an internal error.
    static let software = ExitCode(rawValue: 70)
    /// EX_CANTCREAT: an output file could not be created.
    static let cannotCreate = ExitCode(rawValue: 73)
    /// EX_TEMPFAIL: try again later (a mail server retries the delivery).
    static let temporaryFailure = ExitCode(rawValue: 75)
    /// EX_NOPERM: not permitted.
    static let noPermission = ExitCode(rawValue: 77)
    /// EX_CONFIG: the configuration was wrong.
    static let configuration = ExitCode(rawValue: 78)
}
