/// Where the core tells the person running notifier what it met and dealt with: a message skipped, a relay to be
/// tried again, a notice that is not trusted. The executable chooses where it goes (standard error, each line with
/// its priority when that is the journal); the core only says how much it matters.
package struct Diagnostics: Sendable {
    /// How much a line matters, as syslog(3) priorities number it.
    package enum Level: Int, Sendable, Comparable {
        case error = 3
        case warning = 4
        case notice = 5
        case info = 6

        package static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let sink: @Sendable (Level, String) -> Void

    package init(_ sink: @escaping @Sendable (Level, String) -> Void) { self.sink = sink }

    package func error(_ text: String) { sink(.error, text) }
    package func warning(_ text: String) { sink(.warning, text) }
    package func notice(_ text: String) { sink(.notice, text) }
    func info(_ text: String) { sink(.info, text) }

    /// Says nothing (tests, and callers that report through their result instead).
    static let silent = Diagnostics { _, _ in }
}
