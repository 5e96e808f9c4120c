import Foundation
import MailParse
import NotifierCore

/// `notifier notices remind --fiscal-year N --wave NAME [--not-downloaded-by DATE]`: one wave of reminders to the
/// vendors who were sent a notice and have not downloaded the certificate.
struct NoticesRemindCommand: Command {
    static let name = "remind"
    static let summary = "Remind every vendor sent a notice who has not downloaded, once per wave"
    static let usage = [
        "remind [--fiscal-year N] --wave NAME [--not-downloaded-by DATE] --from ADDR (--smtp URL | --outbox DIR)",
        "     [--connections N] [--rate N/min] [--dry-run] [--force] [--retry-deferred]",
    ]
    static let about = """
        Sends the template reminder, once per wave (--wave 03-01: a name of 1 to 32 letters, digits, - and _), to
        every vendor whose notice for fiscal year N (default: the coming one) was sent and who has not downloaded
        the certificate: no download recorded by a verified OTP, or none before the end of DATE (Japan time) with
        --not-downloaded-by. The reminder repeats the notice's personal URL under a Message-ID of its own, and says
        that the certificate in use ends on 03-31. A vendor whose notice is pending, failed or bounced gets none; a
        reminder planned on an earlier run whose vendor has downloaded since is not sent. Sent like 'notices send',
        one batch at a time per database: each reminder's state is committed before and after its SMTP exchange (a
        run killed and run again skips nobody and repeats only the message in flight), deferred ones are retried
        on later runs with the same backoff, a server refusing everyone stops the run. Reminders go out only in the
        renewal window unless --force. Ends with a summary.
        """
    static let footer = """
        The summary ends with what is outstanding for the wave: failed, bounced and deferred reminders from this
        run or earlier ones. A dry run sends nothing, also outside the window, and says when the window opens or
        closed.

        Exit status: 0 all sent and nothing outstanding for the wave; 67 some refused for good or bounced (this
        run or before); 75 some deferred and none refused (or another run holds the batch); 69 no server (or the
        server refused everyone); 77 login refused; 64 outside the renewal window without --force, or bad usage.
        """
    static var options: [Option<Self>] {
        VendorYearOptions.options.filter { $0.flag == "--fiscal-year" }.lifted(\.year) + [
            Option.value(
                "--wave", "NAME", \.wave,
                "the wave: 1 to 32 letters, digits, - and _ (03-01); each vendor gets one reminder per wave",
                parse: ReminderWave.init
            ).required,
            .value(
                "--not-downloaded-by", "DATE", \.notDownloadedBy,
                "count only downloads recorded before the end of this day, YYYY-MM-DD (Japan time)",
                parse: Self.day),
        ] + SenderOptions.options.lifted(\.sender) + TransportOptions.options.lifted(\.transport)
            + BatchOptions.options.lifted(\.batch)
    }

    var year = VendorYearOptions()
    var wave: ReminderWave?
    var notDownloadedBy: CalendarDate?
    var sender = SenderOptions()
    var transport = TransportOptions()
    var batch = BatchOptions()

    func validate() throws { try transport.validate() }

    /// A day written `YYYY-MM-DD`, that is in the calendar.
    static func day(_ value: String) throws -> CalendarDate {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let date = CalendarDate(year: year, month: month, day: day)
        else { throw InvalidValue("takes a day of the calendar like 2027-02-28 (YYYY-MM-DD, Japan time)") }
        return date
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let now = Date()
        let year = self.year.fiscalYear ?? RenewalCalendar.comingFiscalYear(at: now)
        guard let wave else { throw UsageError("notices remind: give --wave NAME") }
        // A dry run sends nothing, so it runs outside the window too, and says when the window is.
        if !batch.dryRun { try batch.checkWindow(fiscalYear: year, at: now) }
        let options = self.sender.filled(from: configuration.sender)
        let sender = try options.sender(command: "notices remind")
        // The end of the day in Japan: 00:00 of the next one (Japan has no daylight saving time).
        let cutoff = notDownloadedBy.flatMap { JapanTime(date: $0, hour: 0, minute: 0)?.instant }
            .map { $0.addingTimeInterval(86_400) }
        let database = try context.openDatabase()
        let output = StandardOutput.shared
        let lock = try RunLock(path: database.path + ".send-lock")
        defer { lock.release() }

        let round = ReminderRound(fiscalYear: year, wave: wave, now: now, downloadedBefore: cutoff)
        let heading = "fiscal year \(year), wave \(wave)"
        let registry = Dictionary(
            try VendorStore(database: database).all().map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        if batch.dryRun {
            let plan = try round.dryRun(retryDeferred: batch.retryDeferred, in: database)
            output.write(
                "dry run, \(heading): \(counted(plan.new.count, "new reminder")) and \(plan.due.count) due again "
                    + "would be sent; \(counted(plan.downloaded, "vendor")) not reminded (downloaded already)\n")
            output.write(Campaign.windowText(fiscalYear: year, at: now, forced: batch.force) + "\n")
            for recipient in plan.new {
                output.write("  new  \(BatchReport.shown(recipient.vendorCode, in: registry))\n")
            }
            for reminder in plan.due {
                output.write("  \(reminder.state.rawValue)  \(BatchReport.shown(reminder.vendorCode, in: registry))\n")
            }
            return .success
        }
        let sending = batch.sending(
            sender: sender, options: options, transport: self.transport.filled(from: configuration.transport),
            noun: "reminders", context: context)
        let result = try round.run(sending: sending, in: database)
        // The run is over and handed its connection back: the process's one connection to the file, asked again.
        // A reminder whose vendor has downloaded since is not outstanding: it will not be sent.
        let afterwards = try context.openDatabase()
        let outstanding = try BatchReport.Outstanding(
            NoticeStore(database: afterwards, mailing: .reminders(wave: wave)), fiscalYear: year,
            only: try round.stillToRemind(in: afterwards), scope: heading,
            listedBy: "notifier notices report --fiscal-year \(year)")
        return BatchReport.finish(
            result.summary, heading: heading,
            details: "of \(result.due) due; \(result.planned) new this run; "
                + "\(counted(result.downloaded, "vendor")) not reminded (downloaded already)", registry: registry,
            outstanding: outstanding)
    }
}
