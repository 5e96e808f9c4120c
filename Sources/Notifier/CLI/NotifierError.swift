/// An error notifier reports to the person running it: what went wrong, where, and what to do, with its exit code.
/// Error initialisers do not log; the entry point prints `message` once.
protocol NotifierError: Error {
    var message: String { get }
    var exitCode: ExitCode { get }
}

extension Error {
    /// What to tell a person: a notifier error's own message, else the error as Swift describes it.
    var personMessage: String { (self as? NotifierError)?.message ?? "\(self)" }
}

/// The command line was used wrongly (EX_USAGE, 64).
struct UsageError: NotifierError, Equatable {
    let message: String
    var exitCode: ExitCode { .usage }
    /// The command whose help the person should read (`otp issue`), once known.
    var command: String?

    init(_ message: String) { self.message = message }
}

/// An input file could not be opened or read (EX_NOINPUT, 66).
struct InputError: NotifierError, Equatable {
    let path: String
    let reason: String
    var message: String { "cannot read \(path): \(reason)" }
    var exitCode: ExitCode { .noInput }
}

/// A value that notifier refuses to put into a message: a control character or a line break of any kind in a
/// name or address given on the command line (EX_DATAERR, 65).
struct DataError: NotifierError, Equatable {
    let message: String
    var exitCode: ExitCode { .dataError }

    init(_ message: String) { self.message = message }
}

/// The configuration file or environment is wrong (EX_CONFIG, 78).
struct ConfigurationError: NotifierError, Equatable {
    let message: String
    var exitCode: ExitCode { .configuration }

    init(_ message: String) { self.message = message }
}

/// Anything that is not one of notifier's own errors (EX_SOFTWARE, 70).
struct InternalError: NotifierError {
    let underlying: Error
    var message: String { "internal error: \(underlying)" }
    var exitCode: ExitCode { .software }
}
