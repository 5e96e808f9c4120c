import Foundation

/// The entry point: parse the command line, run the command, turn every error into a message and a sysexits code.
@main
enum NotifierMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let code: ExitCode
        do {
            let command = try RootCommand.parse(arguments, environment: ProcessInfo.processInfo.environment)
            code = try command.run()
        } catch {
            code = report(error)
        }
        StandardOutput.shared.flush()
        Database.closeShared()
        exit(code.rawValue)
    }

    /// Prints an error to standard error the way a person can act on it, and picks its exit code.
    static func report(_ error: Error) -> ExitCode {
        let failure = error as? NotifierError ?? InternalError(underlying: error)
        let code = ExitCode(for: error)
        StandardOutput.shared.flush()
        FileHandle.standardError.write(Data("notifier: \(failure.message)\n".utf8))
        if code == .usage {
            FileHandle.standardError.write(Data("Try 'notifier --help' for more information.\n".utf8))
        }
        return code
    }
}
