import Foundation
import NotifierCore

/// The entry point: parse the command line, run the command, turn every error into a message and a sysexits code.
@main
enum NotifierMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let code: ExitCode
        do {
            let run = try RootCommand.parse(arguments, environment: ProcessInfo.processInfo.environment)
            code = try run()
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
        StandardError.write(.error, "notifier: \(failure.message)")
        if code == .usage {
            // An empty command is notifier itself (after `notifier help foo`).
            let command = (error as? UsageError)?.command.flatMap { $0.isEmpty ? nil : $0 + " " } ?? ""
            StandardError.write(.error, "Try 'notifier \(command)--help' for more information.")
        }
        return code
    }
}
