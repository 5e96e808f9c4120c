import NotifierCore

/// `notifier notices report --fiscal-year N [--csv|--json] [--encoding utf-8|cp932]`: one row per vendor of the
/// registry, for the contract section's spreadsheet.
struct NoticesReportCommand: Command {
    static let name = "report"
    static let summary = "One row per vendor: notice, bounce, reminders, OTP, download, what to do (CSV for Excel)"
    static let usage = ["report --fiscal-year N [--csv|--json] [--encoding utf-8|cp932]"]
    static let about = """
        Prints one row per vendor of the registry, ordered by vendor code, with what is known of its renewal
        for fiscal year N, read as one consistent snapshot (a send running beside it neither waits nor is
        waited for). The columns:
          vendor_code, name, email, kind  the registry's
          state              the year's notice: pending, sending, sent, deferred, failed or bounced; empty
                             when the vendor has none yet (it waits for its notify_after day)
          sent_at            when the mail server took the notice
          bounce_status      the notice's bounce when it bounced, else a bounced reminder's, else the
          bounce_diagnostic  latest delay (a 4.x.x status: recorded only, still being tried)
          reminded           the reminder waves sent, in order (03-01 03-20)
          otp_issued_at      the last one-time password mailed to the vendor in calendar year N
          downloaded_at      when the portal confirmed the vendor's download
          needs_action       empty once downloaded; else bounced (the notice or a reminder came back: fix the
                             address, re-import, requeue), failed (refused for good: the same), or
                             not_downloaded (a notice went and nothing since: call the vendor); empty for a
                             vendor without a notice
        """
    static let footer = """
        CSV (the default) opens in Excel as it is: a header line, CRLF line ends, times as YYYY-MM-DD HH:MM
        in Japan time, fields quoted as RFC 4180 says. It is UTF-8 with a byte order mark, or with
        --encoding cp932 Shift_JIS as Windows writes it (Windows-31J), without one; a character cp932 cannot
        hold is written as ? with a warning naming the vendor and column. Names, addresses, bounce status and
        diagnostics and wave names come from outside: one that starts with =, +, -, @, TAB or CR (or a
        full-width ＝＋－＠) gets a leading apostrophe (') so that Excel shows it instead of running it as a
        formula (OWASP's advice against CSV injection).
        --json writes JSON Lines: one object per vendor with the same keys in the same order, UTF-8, times
        in ISO 8601 at +09:00, reminded an array of wave names, every other empty value null; unchanged text.

        Exit status: 0 written (also with ? substitutions); 64 bad usage.
        """
    static var options: [Option<Self>] {
        VendorYearOptions.options.filter { $0.flag == "--fiscal-year" }.lifted(\.year).map(\.required) + [
            .flag("--csv", \.csv, "CSV for Excel (the default)"),
            .flag("--json", \.json, "JSON Lines: one object per vendor"),
            .value(
                "--encoding", "ENC", \.encoding, "the CSV's encoding: utf-8 (with a BOM, the default) or cp932",
                parse: Self.encoding),
        ]
    }

    var year = VendorYearOptions()
    var csv = false
    var json = false
    var encoding: NoticeReportWriter.CSVEncoding?

    func validate() throws {
        if csv && json { throw UsageError("notices report: give --csv or --json, not both") }
        if json && encoding != nil {
            throw UsageError("notices report: --encoding is for the CSV; JSON Lines are always UTF-8")
        }
    }

    /// `utf-8` or `cp932` (also spelled `utf8`, `windows-31j`), in any case.
    static func encoding(_ value: String) throws -> NoticeReportWriter.CSVEncoding {
        switch value.lowercased() {
        case "utf-8", "utf8": return .utf8
        case "cp932", "windows-31j": return .cp932
        default: throw InvalidValue("must be utf-8 or cp932")
        }
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let writer = try NoticeReportWriter(format: json ? .json : .csv(encoding ?? .utf8))
        let database = try context.openDatabase()
        let output = StandardOutput.shared
        output.write(bytes: writer.header)
        try NoticeReportStore(database: database).rows(fiscalYear: year.fiscalYear ?? 0) { row in
            let line = writer.line(row)
            output.write(bytes: line.bytes)
            if !line.replacedColumns.isEmpty {
                Diagnostics.standardError.warning(
                    "vendor \(row.vendorCode): cp932 cannot hold some characters of "
                        + "\(line.replacedColumns.joined(separator: ", ")); they are written as ?")
            }
        }
        return .success
    }
}
