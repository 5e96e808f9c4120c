import Foundation
import NotifierCore

/// `notifier internal man DIR` and `notifier internal completion bash|zsh`: what `make install` and `make deb` put
/// beside the binary, made by the binary from its own option tables. Not listed in the help: these are for
/// packaging, not for the people who run notifier.
enum InternalCommand {
    static let entry = CommandEntry(
        group: "internal",
        summary: "Make the man pages and the shell completion (for packaging)",
        about: "Makes the man pages and the shell completion from the option tables that --help shows.",
        [
            CommandEntry(InternalManCommand.self, in: "internal"),
            CommandEntry(InternalCompletionCommand.self, in: "internal"),
        ])
}

/// `notifier internal man DIR`.
struct InternalManCommand: Command {
    static let name = "man"
    static let summary = "Write notifier(1) and a page per command into DIR"
    static let about = """
        Writes notifier.1 and one page per command and subcommand (notifier-notices-send.1 ...) into DIR,
        creating it, and prints their names. The pages are dated by $SOURCE_DATE_EPOCH when it is set (so that a
        package built twice is the same), else today (UTC).
        """
    static let footer = "Exit status: 0 written; 73 DIR or a page could not be written; 64 bad usage."
    static var options: [Option<Self>] { [Option.positional("DIR", \.directory, parse: Parse.text).required] }

    var directory: String?

    func run(_ context: CommandContext) throws -> ExitCode {
        guard let directory else { throw UsageError("internal man: no DIR given") }
        let edition = ManualPage.Edition(
            date: Self.date(sourceDateEpoch: context.environment["SOURCE_DATE_EPOCH"]),
            version: "notifier \(RootCommand.version)")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ManualWriteError(path: directory)
        }
        for page in ManualPage.all(edition) {
            let path = (directory as NSString).appendingPathComponent(page.name)
            guard FileManager.default.createFile(atPath: path, contents: Data(page.text.utf8)) else {
                throw ManualWriteError(path: path)
            }
            StandardOutput.shared.write(path + "\n")
        }
        return .success
    }

    /// `2027-01-20`: the day of `$SOURCE_DATE_EPOCH` (seconds), or today, in UTC.
    static func date(sourceDateEpoch: String?) -> String {
        let seconds = sourceDateEpoch.flatMap { Double($0) } ?? Date().timeIntervalSince1970
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

/// `notifier internal completion bash|zsh`.
struct InternalCompletionCommand: Command {
    static let name = "completion"
    static let summary = "Print the bash or zsh completion script"
    static let about = """
        Prints the completion script for SHELL (bash or zsh). Installed as
        share/bash-completion/completions/notifier and share/zsh/vendor-completions/_notifier.
        """
    static let footer = "Exit status: 0 printed; 64 a shell other than bash or zsh."
    static var options: [Option<Self>] {
        [Option.positional("SHELL", \.shell, parse: Self.shell).required]
    }

    var shell: String?

    static func shell(_ value: String) throws -> String {
        guard Completion.shells.contains(value) else {
            throw InvalidValue("takes \(Completion.shells.joined(separator: " or "))")
        }
        return value
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        guard let shell, let script = Completion.script(for: shell) else {
            throw UsageError("internal completion: give bash or zsh")
        }
        StandardOutput.shared.write(script)
        return .success
    }
}

/// A man page or its folder could not be written (EX_CANTCREAT, 73).
struct ManualWriteError: NotifierError, Equatable {
    let path: String
    var message: String { "cannot write \(path); check that its folder can be created and written" }
}
