import Foundation

/// The installer's own relay program (`--relay-command`), run with `/bin/sh -c` and the OTP as one JSON line on its
/// standard input (`ShellCommand`: a process group of its own and a time limit, after which the whole group is
/// killed), with a clean environment. What it prints goes to notifier's standard error.
struct RelayCommand {
    let command: String
    /// Seconds the command may take.
    let timeout: Double
    /// The only variables the command sees: never notifier's secrets (`NOTIFIER_SMTP_PASSWORD`, ...).
    package let environment: [String: String]

    /// The variables passed on from notifier's environment; everything else, secrets included, stays behind.
    static let passedVariables = ["PATH", "HOME", "LANG", "TZ"]

    init(command: String, timeout: Double, environment: [String: String]) {
        self.command = command
        self.timeout = timeout
        var clean: [String: String] = [:]
        for name in Self.passedVariables { clean[name] = environment[name] }
        clean["PATH"] = clean["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        self.environment = clean
    }

    /// Runs the command with `input` on its standard input; its standard output goes to notifier's standard
    /// error (ingest's standard output belongs to the mail server). Throws `RelayError` unless it exits 0 in time.
    func run(input: String) throws {
        let shell = ShellCommand(command: command, timeout: timeout, environment: environment)
        do {
            _ = try shell.run(input: Array((input + "\n").utf8), output: .standardError)
        } catch {
            let message: String
            switch error {
            case .cannotStart(let reason): message = "cannot run the relay command: \(reason)"
            case .timedOut:
                message = "the relay command did not finish within \(ShellCommand.seconds(timeout)) s and was killed"
            case .exited(let status, _): message = "the relay command exited with status \(status)"
            case .signalled(let signal, _): message = "the relay command was killed by signal \(signal)"
            case .tooMuchOutput: message = "the relay command printed too much"
            }
            throw OTPRelay.RelayError(message: message)
        }
    }
}
