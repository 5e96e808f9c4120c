import NotifierCore

/// The command line was used wrongly (EX_USAGE, 64).
struct UsageError: NotifierError, Equatable {
    let message: String
    /// The command whose help the person should read (`otp issue`), once known.
    var command: String?

    init(_ message: String) { self.message = message }
}

/// A value that notifier refuses to put into a message: a control character or a line break of any kind in a
/// name or address given on the command line (EX_DATAERR, 65).
struct DataError: NotifierError, Equatable {
    let message: String

    init(_ message: String) { self.message = message }
}

/// The configuration file or environment is wrong (EX_CONFIG, 78).
struct ConfigurationError: NotifierError, Equatable {
    let message: String

    init(_ message: String) { self.message = message }
}

/// Anything that is not one of notifier's own errors (EX_SOFTWARE, 70).
struct InternalError: NotifierError {
    let underlying: Error
    var message: String { "internal error: \(underlying)" }
}
