/// One option as `--help`, the man pages and the shell completion show it: the table's declaration less its parse.
struct OptionDoc: Equatable, Sendable {
    /// `--smtp`; nil for a positional word.
    let flag: String?
    /// `smtp_url`, when the configuration file has the setting too.
    let key: String?
    /// `URL`; nil for a flag.
    let valueName: String?
    let help: String
    let kind: OptionKind
    let isRequired: Bool

    /// Whether the option is shown at all: a refused option (a password on the command line) is not.
    var isShown: Bool { kind != .refused }

    /// Whether the word after the flag is its value.
    var takesValue: Bool { kind == .value || kind == .list }
}

extension Option {
    /// This option as the help, the man pages and the completion show it.
    var doc: OptionDoc {
        OptionDoc(flag: flag, key: key, valueName: valueName, help: help, kind: kind, isRequired: isRequired)
    }
}

/// Everything `--help` says of a command or a group, in parts, so that the man page and the completion are made
/// from the same text: the usage forms, what it does, the option table, and the footer (exit status, notes).
struct CommandPage: Sendable {
    /// `notices send`; empty for notifier itself.
    let path: String
    let summary: String
    /// The forms after `notifier`, the path included (`notices send [OPTIONS]`); a form that starts with a space
    /// goes on from the one above.
    let usage: [String]
    let about: String
    let options: [OptionDoc]
    /// What follows the options: paragraphs separated by a blank line; one starting "Exit status" is the exit status.
    let footer: String
    /// A group's subcommands, or notifier's commands.
    let subcommands: [CommandEntry]
}

extension Command {
    /// This command's help in parts; `parent` is the command group's name (`otp`), when there is one.
    static func page(parent: String?) -> CommandPage {
        let path = (parent.map { $0 + " " } ?? "") + name
        let prefix = parent.map { $0 + " " } ?? ""
        return CommandPage(
            path: path, summary: summary, usage: usage.map { $0.hasPrefix(" ") ? $0 : prefix + $0 }, about: about,
            options: options.map(\.doc), footer: footer, subcommands: [])
    }
}

extension CommandEntry {
    /// Every entry of this tree, this one first, then its subcommands depth first.
    var allEntries: [CommandEntry] { [self] + subcommands.flatMap(\.allEntries) }
}
