import NotifierCore

/// How `notices send` and `notices remind` end: the summary line, the refusals and deferrals with the server's
/// reply, and the exit status (0 all sent, 67 some refused for good, 75 some deferred, 69 no server or the breaker,
/// 77 login refused).
enum BatchReport {
    /// Prints `summary` as `HEADING: 3 sent, 1 deferred, 0 failed (DETAILS)` and the vendors it concerns, and
    /// returns the exit status of the run.
    static func finish(_ summary: BatchSender.Summary, heading: String, details: String) -> ExitCode {
        let output = StandardOutput.shared
        output.write(
            "\(heading): \(summary.sent) sent, \(summary.deferred) deferred, \(summary.failed) failed (\(details))\n")
        for failure in summary.failures { output.write("  failed    \(failure.vendor): \(failure.reply)\n") }
        for deferral in summary.deferrals.prefix(20) {
            output.write("  deferred  \(deferral.vendor): \(deferral.reply)\n")
        }
        if summary.deferrals.count > 20 { output.write("  ... and \(summary.deferrals.count - 20) more deferred\n") }
        switch summary.outcome {
        case .stopped(let stop):
            Diagnostics.standardError.error("stopped early: \(stop.reply)")
            return ExitCode(for: stop)
        case .someFailed: return .noUser
        case .someDeferred: return .temporaryFailure
        case .allSent: return .success
        }
    }
}
