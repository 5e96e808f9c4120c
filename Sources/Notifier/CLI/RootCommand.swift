import Foundation
import NotifierCore

/// `notifier [--db PATH] [--config PATH] SUBCOMMAND ...`: reads the global options and hands the rest to the
/// subcommand.
enum RootCommand {
    static let commands = [
        CommandEntry(ParseCommand.self), CommandEntry(ComposeCommand.self), CommandEntry(SendCommand.self),
        VendorsCommand.entry, NoticesCommand.entry, OTPCommand.entry, BouncesCommand.entry,
        CommandEntry(IngestCommand.self), CommandEntry(WatchCommand.self), CommandEntry(URLsCommand.self),
        CommandEntry(ResendURLCommand.self),
        CommandEntry(HelpCommand.self),
    ]

    /// Commands that work but are not listed: `internal` makes the man pages and the shell completion.
    static let hidden = [InternalCommand.entry]

    static func command(named name: String) -> CommandEntry? {
        (commands + hidden).first { $0.name == name }
    }

    static let about = """
        notifier: keeps the yearly client-certificate renewal of JKK東京's e-bidding system (電子入札システム) \
        from getting lost.
        """

    /// The options before the command. The parse loop below reads them; this table is what the help, the man page
    /// and the completion show.
    static let globalOptions = [
        OptionDoc(
            flag: "--db", key: nil, valueName: "PATH",
            help: "the SQLite database (default: $NOTIFIER_DB, else $XDG_DATA_HOME/notifier/notifier.sqlite3, "
                + "i.e. ~/.local/share/...)", kind: .value, isRequired: false),
        OptionDoc(
            flag: "--config", key: nil, valueName: "PATH",
            help: "the configuration file (default: $NOTIFIER_CONFIG, else $XDG_CONFIG_HOME/notifier/config when it "
                + "exists)", kind: .value, isRequired: false),
        OptionDoc(
            flag: "--help", key: nil, valueName: nil, help: "this text; 'notifier COMMAND --help' for a command",
            kind: .flag, isRequired: false),
        OptionDoc(
            flag: "--version", key: nil, valueName: nil,
            help: "versions of notifier and the libcurl and SQLite it runs with", kind: .flag, isRequired: false),
    ]

    static let footer = """
        Exit codes (sysexits(3) from 64 on; each command's --help says which it uses):
          0   success
          1   a check said no: otp verify's code is wrong, expired or already used
          64  usage: the command line is wrong
          65  bad data: a CSV row, a name or address, a template
          66  no input: a file cannot be read, or nothing matches (no stored URL, no such token)
          67  refused for good: the mail server rejected an address (5xx), notices failed or bounced, no such vendor
          69  service unavailable: no mail server, or it refuses TLS or the run
          70  internal error
          73  cannot create an output file (the outbox, a lock file)
          75  temporary failure, retry later: deferred notices, a busy database, a relay not yet through
          77  not permitted: a login refused, a locked vendor
          78  configuration error: the configuration file, a key or password file
        """

    static var help: String {
        """
        \(about)

        Usage: notifier [--db PATH] [--config PATH] COMMAND [OPTIONS] ...

        Commands:
        \(Help.list(commands.map { ($0.name, $0.summary) }))

        Global options:
        \(Help.options(globalOptions))

        \(footer)
        """
    }

    /// notifier's own help in parts, for notifier(1) and the completion.
    static var page: CommandPage {
        CommandPage(
            path: "", summary: "keeps the yearly client-certificate renewal from getting lost",
            usage: ["[--db PATH] [--config PATH] COMMAND [OPTIONS] ..."], about: about, options: globalOptions,
            footer: footer, subcommands: commands)
    }

    static let version = "0.1.0"

    static func parse(_ words: [String], environment: [String: String]) throws -> CommandEntry.Running {
        var arguments = Arguments(words)
        var context = CommandContext(environment: environment)
        while let word = arguments.next() {
            switch word {
            case .option("--help", _), .option("-h", _):
                return HelpCommand.show(help)
            case .option("--version", _):
                let sqlite = Database.sqliteVersion
                let curl = Curl.version
                return HelpCommand.show("notifier \(version)\n\(curl)\nSQLite/\(sqlite)")
            case .option("--db", let inline):
                context.databaseOverride = try arguments.value(for: "--db", inlineValue: inline)
            case .option("--config", let inline):
                context.configOverride = try arguments.value(for: "--config", inlineValue: inline)
            case .option(let name, _):
                let global = ["--db", "--config", "--help", "--version"]
                throw UsageError(
                    "unknown option '\(name.replacingControlCharacters())'"
                        + Suggestion.or(name, among: global, list: "global options"))
            case .positional(let name):
                guard let command = command(named: name) else {
                    throw UsageError(
                        "unknown command '\(name.replacingControlCharacters())'"
                            + Suggestion.or(name, among: commands.map(\.name), list: "commands"))
                }
                return try command.parse(Arguments(arguments.remaining), context: context)
            }
        }
        throw UsageError("no command given")
    }
}
