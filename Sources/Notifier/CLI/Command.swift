import NotifierCore

/// One command: its values are parsed from its words by its option table (`OptionGroup`), checked together by
/// `validate()`, then it runs. The shape of swift-argument-parser's `ParsableCommand`, written by hand because
/// notifier has no package dependencies.
protocol Command: OptionGroup, SendableMetatype {
    /// The word that selects the command.
    static var name: String { get }
    /// One line for the list of commands.
    static var summary: String { get }
    /// What comes after `Usage: notifier`, one line per form; by default `NAME [OPTIONS] POSITIONALS`.
    static var usage: [String] { get }
    /// What the command does, for `--help`.
    static var about: String { get }
    /// What follows the options in `--help`: exit statuses, notes.
    static var footer: String { get }
    /// Whether the command reads the configuration itself and answers a missing or bad file its own way (a mail
    /// server's delivery pipe keeps the message and says 75); every other command has the file read before it
    /// runs, so a `--config` that does not exist fails it with 78 whether it needs a setting or not.
    static var handlesConfigurationErrors: Bool { get }

    /// Checks the options together (`--smtp` and `--outbox` not both); single options are checked by their parse.
    mutating func validate() throws
    func run(_ context: CommandContext) throws -> ExitCode
}

extension Command {
    static var usage: [String] {
        let positionals = options.compactMap { option -> String? in
            guard case .positional(let list) = option.kind, let name = option.valueName else { return nil }
            return list ? "\(name)..." : name
        }
        return [([name, "[OPTIONS]"] + positionals).joined(separator: " ")]
    }

    static var footer: String { "" }

    static var handlesConfigurationErrors: Bool { false }

    mutating func validate() throws {}

    /// The `--help` text; `parent` is the command group's name (`otp`), when there is one.
    static func help(parent: String?) -> String {
        let prefix = "notifier " + (parent.map { $0 + " " } ?? "")
        let forms = usage.enumerated().map { ($0.offset == 0 ? "Usage: " : "       ") + prefix + $0.element }
        var parts = [forms.joined(separator: "\n"), about]
        let table = Help.options(options)
        if !table.isEmpty { parts.append("Options:\n" + table) }
        if !footer.isEmpty { parts.append(footer) }
        return parts.joined(separator: "\n\n")
    }
}

/// A command, or a group of them (`otp issue`, `otp verify`), as its parent lists it. Closures rather than
/// `any Command.Type`: opening an existential metatype in the dispatcher crashes Swift 6.3.1's SIL generation.
struct CommandEntry: Sendable {
    let name: String
    let summary: String
    /// The full name in messages (`otp issue`).
    let path: String
    let help: @Sendable () -> String
    /// The help in parts, for the man pages and the shell completion.
    let page: @Sendable () -> CommandPage
    let subcommands: [CommandEntry]
    private let make: (@Sendable (Arguments, CommandContext) throws -> Running)?

    /// What a parsed command line does when run.
    typealias Running = () throws -> ExitCode

    init<C: Command>(_ type: C.Type, in parent: String? = nil) {
        let path = parent.map { "\($0) \(C.name)" } ?? C.name
        name = C.name
        summary = C.summary
        self.path = path
        help = { C.help(parent: parent) }
        page = { C.page(parent: parent) }
        subcommands = []
        make = { arguments, context in
            do {
                var command: C = try OptionParser.parse(arguments, command: path)
                try command.validate()
                return { [command] in
                    try Self.naming(path) {
                        // The configuration is read first, whether the command needs a setting or not: a --config
                        // or $NOTIFIER_CONFIG that is missing, or a bad line, is an error everywhere.
                        if !C.handlesConfigurationErrors { _ = try context.configuration() }
                        return try command.run(context)
                    }
                }
            } catch let error as UsageError {
                throw Self.naming(path, error)
            }
        }
    }

    /// A group of subcommands under one word, each made with `in: name`.
    init(group name: String, summary: String, about: String, _ subcommands: [CommandEntry]) {
        self.name = name
        self.summary = summary
        path = name
        for entry in subcommands {
            precondition(entry.path == "\(name) \(entry.name)", "\(entry.path) is not made in \(name)")
        }
        help = {
            """
            Usage: notifier \(name) SUBCOMMAND [OPTIONS]

            \(about)

            Subcommands:
            \(Help.list(subcommands.map { ($0.name, $0.summary) }))

            'notifier \(name) SUBCOMMAND --help' shows a subcommand's options.
            """
        }
        page = {
            CommandPage(
                path: name, summary: summary, usage: ["\(name) SUBCOMMAND [OPTIONS]"], about: about, options: [],
                footer: "", subcommands: subcommands)
        }
        self.subcommands = subcommands
        make = nil
    }

    /// Parses the words after this entry's name: a subcommand's name and its words for a group, the options for a
    /// command. `--help` (or `-h`) shows the help of the innermost command named before it.
    func parse(_ arguments: Arguments, context: CommandContext) throws -> Running {
        guard let make else {
            var arguments = arguments
            let names = subcommands.map(\.name).joined(separator: ", ")
            guard let word = arguments.next() else {
                throw Self.naming(path, UsageError("\(path): no subcommand given (\(names))"))
            }
            if word == .option(name: "--help", inlineValue: nil) || word == .option(name: "-h", inlineValue: nil) {
                return HelpCommand.show(help())
            }
            guard case .positional(let name) = word, let entry = subcommands.first(where: { $0.name == name }) else {
                let given = word.text
                throw Self.naming(
                    path,
                    UsageError(
                        "\(path): unknown subcommand '\(given.replacingControlCharacters())'"
                            + Suggestion.or(given, among: subcommands.map(\.name), list: "subcommands")))
            }
            return try entry.parse(Arguments(arguments.remaining), context: context)
        }
        if arguments.wantsHelp { return HelpCommand.show(help()) }
        return try make(arguments, context)
    }

    /// Runs `body`; a usage error from it names the command whose help to read.
    private static func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as UsageError { throw naming(path, error) }
    }

    private static func naming(_ path: String, _ error: UsageError) -> UsageError {
        var error = error
        error.command = error.command ?? path
        return error
    }

    /// The entry a list of names leads to (`["otp", "issue"]`), for `notifier help otp issue`.
    func entry(at names: ArraySlice<String>) -> CommandEntry? {
        guard let name = names.first else { return self }
        return subcommands.first { $0.name == name }?.entry(at: names.dropFirst())
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

/// `notifier help [COMMAND [SUBCOMMAND]]`.
struct HelpCommand: Command {
    static let name = "help"
    static let summary = "Show help for notifier or one of its commands"
    static let about = "Shows the help of notifier, or of the command named."
    /// Help never reads the configuration: it works with a broken file.
    static let handlesConfigurationErrors = true
    static var options: [Option<Self>] { [.positionals("COMMAND", \.names)] }

    var names: [String] = []

    func run(_ context: CommandContext) throws -> ExitCode {
        guard let name = names.first else { return try Self.show(RootCommand.help)() }
        guard let entry = RootCommand.command(named: name)?.entry(at: names.dropFirst()) else {
            throw Self.unknown(names)
        }
        return try Self.show(entry.help())()
    }

    /// `help notice` or `help notices sned`: names the words that lead nowhere, suggests the closest command
    /// among those at that level, and points at the help of the last command that exists ('notifier notices
    /// --help'), or notifier's own.
    static func unknown(_ names: [String]) -> UsageError {
        var found: CommandEntry?
        var choices = RootCommand.commands
        var known: [String] = []
        for name in names {
            guard let next = choices.first(where: { $0.name == name }) else { break }
            found = next
            known.append(name)
            choices = next.subcommands
        }
        let typed = names.prefix(known.count + 1).joined(separator: " ")
        let word = names[known.count]
        let leading = known.map { $0 + " " }.joined()
        var message = "help: unknown command '\(typed.replacingControlCharacters())'"
        if choices.isEmpty {
            message = "help: '\(leading.dropLast())' has no subcommands"
        } else if let closest = Suggestion.closest(to: word, among: choices.map(\.name)) {
            message += "; did you mean '\(leading)\(closest)'?"
        } else {
            let what = known.isEmpty ? "commands" : "subcommands of \(leading.dropLast())"
            message += " (\(what): \(choices.map(\.name).joined(separator: ", ")))"
        }
        var error = UsageError(message)
        error.command = found?.path ?? ""
        return error
    }

    /// Prints `text` when run.
    static func show(_ text: String) -> CommandEntry.Running {
        {
            StandardOutput.shared.write(text.hasSuffix("\n") ? text : text + "\n")
            return .success
        }
    }
}
