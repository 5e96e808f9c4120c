/// A setting's value that the core refuses, with the reason as a predicate ("must be auto, required or none"). The
/// executable names the place: `--smtp-tls must be ...` on the command line, `config:3: smtp_tls must be ...` in the
/// configuration file. The value itself is left out of `reason`: it may be a secret typed into the wrong place.
package struct InvalidValue: Error, Equatable, Sendable {
    package let reason: String
    /// Whether the value may hold a secret (a password in a URL): then no message repeats it.
    package var mayHoldSecret = false

    package init(_ reason: String, mayHoldSecret: Bool = false) {
        self.reason = reason
        self.mayHoldSecret = mayHoldSecret
    }
}

extension InvalidValue: NotifierError {
    /// The reason alone, for a refusal no caller put a name to (the executable ends it as bad usage, 64).
    package var message: String { reason }
}
