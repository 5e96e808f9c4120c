/// One subcommand: parsed and validated from its words in `init`, then run. The shape of swift-argument-parser's
/// commands, written by hand because notifier has no package dependencies.
protocol Command: SendableMetatype {
    /// The word that selects the command.
    static var name: String { get }
    /// One line for `notifier --help`.
    static var summary: String { get }
    /// The full `--help` text.
    static var help: String { get }

    init(arguments: Arguments, context: CommandContext) throws
    func run() throws -> ExitCode
}

/// A command as the root lists it. Closures rather than `any Command.Type`: opening an existential metatype in
/// the dispatcher crashes Swift 6.3.1's SIL generation.
struct CommandEntry: Sendable {
    let name: String
    let summary: String
    let help: String
    let make: @Sendable (Arguments, CommandContext) throws -> any Command

    init<C: Command>(_ type: C.Type) {
        name = C.name
        summary = C.summary
        help = C.help
        make = { try C(arguments: $0, context: $1) }
    }
}

/// What every command gets from the root: the global options and the environment.
struct CommandContext {
    /// `--db PATH`, when given.
    var databaseOverride: String?
    /// `--config PATH`, when given.
    var configOverride: String?
    var environment: [String: String]

    var paths: Paths { Paths(environment: environment) }

    /// The configuration file's settings (read when a command asks, so `--help` works with a broken file).
    func configuration() throws -> Configuration {
        try Configuration.load(override: configOverride, paths: paths)
    }

    /// The database (`--db`, `$NOTIFIER_DB`, or the XDG default), created and migrated as needed: the process's
    /// one connection to that file, however often a command asks.
    func openDatabase() throws -> Database {
        try Database.shared(path: try paths.database(override: databaseOverride))
    }
}

/// A parsed command line that prints help text.
struct HelpCommand: Command {
    static let name = "help"
    static let summary = "Show help for notifier or one of its commands"
    static let help = "Usage: notifier help [COMMAND]"

    let text: String

    init(text: String) { self.text = text }

    init(arguments: Arguments, context: CommandContext) throws {
        var arguments = arguments
        guard let word = arguments.next() else {
            text = RootCommand.help
            return
        }
        guard case .positional(let name) = word, let command = RootCommand.command(named: name) else {
            throw UsageError("help: unknown command '\(word)'")
        }
        text = command.help
    }

    func run() throws -> ExitCode {
        StandardOutput.shared.write(text.hasSuffix("\n") ? text : text + "\n")
        return .success
    }
}
