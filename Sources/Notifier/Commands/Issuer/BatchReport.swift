import NotifierCore

/// How `notices send` and `notices remind` end: the summary line, the refusals and deferrals with the vendor (code,
/// name, address) and the server's reply, what is still outstanding, and the exit status: 0 all sent and nothing
/// outstanding, 67 some refused for good or bounced (this run or an earlier one), 75 some deferred and none
/// refused, 69 no server or the breaker, 77 login refused.
enum BatchReport {
    /// What the year (or the wave, or the vendors named) still lacks after a run, read from the store: failed,
    /// bounced and deferred messages of this run and of earlier ones. A rerun that sends nothing must not look like
    /// success while any is.
    struct Outstanding {
        /// `fiscal year 2027`, `fiscal year 2027, wave 03-01`, `the vendors named`.
        let scope: String
        /// The command that lists them (`notifier notices status --fiscal-year 2027`).
        let listedBy: String
        let failed: Int
        let bounced: Int
        let deferred: Int

        /// Counted in `store` (the notices, or one wave's reminders) for `fiscalYear`; only the vendors in `only`
        /// when it is given.
        init(_ store: NoticeStore, fiscalYear: Int, only: Set<VendorCode>?, scope: String, listedBy: String) throws {
            let open = try store.notices(fiscalYear: fiscalYear, states: NoticeState.allCases.filter(\.needsAttention))
                .filter { only?.contains($0.vendorCode) ?? true }
            let count = { (state: NoticeState) in open.filter { $0.state == state }.count }
            self.scope = scope
            self.listedBy = listedBy
            failed = count(.failed)
            bounced = count(.bounced)
            deferred = count(.deferred)
        }

        /// `outstanding for fiscal year 2027: 1 failed, 0 bounced, 2 deferred; 'notifier notices status ...' lists
        /// them`, or `... : nothing`.
        var line: String {
            guard failed + bounced + deferred > 0 else { return "outstanding for \(scope): nothing" }
            return "outstanding for \(scope): \(failed) failed, \(bounced) bounced, \(deferred) deferred; "
                + "'\(listedBy)' lists them"
        }
    }

    /// Prints `summary` as `HEADING: 3 sent, 1 deferred, 0 failed (DETAILS)`, the vendors it concerns (from
    /// `registry`) and what is outstanding, and returns the exit status of the run.
    static func finish(
        _ summary: BatchSender.Summary, heading: String, details: String, registry: [VendorCode: VendorRecord],
        outstanding: Outstanding
    ) -> ExitCode {
        let output = StandardOutput.shared
        output.write(
            "\(heading): \(summary.sent) sent, \(summary.deferred) deferred, \(summary.failed) failed (\(details))\n")
        for failure in summary.failures {
            output.write(
                "  failed    \(shown(failure.vendor, in: registry)): \(failure.reply.replacingControlCharacters())\n")
        }
        for deferral in summary.deferrals.prefix(20) {
            output.write(
                "  deferred  \(shown(deferral.vendor, in: registry)): \(deferral.reply.replacingControlCharacters())\n"
            )
        }
        if summary.deferrals.count > 20 { output.write("  ... and \(summary.deferrals.count - 20) more deferred\n") }
        output.write(outstanding.line + "\n")
        switch summary.outcome {
        case .stopped(let stop):
            Diagnostics.standardError.error("stopped early: \(stop.reply)")
            return ExitCode(for: stop)
        case .someFailed: return .noUser
        case .someDeferred, .allSent:
            if outstanding.failed + outstanding.bounced > 0 { return .noUser }
            if outstanding.deferred > 0 || summary.outcome == .someDeferred { return .temporaryFailure }
            return .success
        }
    }

    /// A vendor as a report names it: code, name and address from the registry, or the code alone when the
    /// vendor is no longer there.
    static func shown(_ code: VendorCode, in registry: [VendorCode: VendorRecord]) -> String {
        registry[code]?.shown ?? "\(code)"
    }
}

extension VendorRecord {
    /// `1000001 株式会社テスト <info@example.jp>`: how a report names a vendor, control characters shown as U+FFFD.
    var shown: String { "\(code) \(name.replacingControlCharacters()) <\(email.replacingControlCharacters())>" }
}
