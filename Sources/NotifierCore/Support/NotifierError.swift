/// An error notifier reports to the person running it: what went wrong, where, and what to do. Error initialisers
/// do not log; the executable prints `message` once, and picks the exit code (`ExitCode(for:)`): the core says what
/// happened, never how the process ends.
package protocol NotifierError: Error {
    var message: String { get }
}

extension Error {
    /// What to tell a person: a notifier error's own message, else the error as Swift describes it.
    package var personMessage: String { (self as? NotifierError)?.message ?? "\(self)" }
}

/// An input file could not be opened or read: a message, a template, a Maildir.
package struct InputError: NotifierError, Equatable {
    let path: String
    package let reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    package var message: String { "cannot read \(path): \(reason)" }
}
