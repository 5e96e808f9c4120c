import Foundation

/// One wave of reminders for a fiscal year (`notices remind --wave 03-01`): one reminder per vendor and wave, to
/// every vendor whose notice of the year was sent and who has not downloaded the new certificate. A reminder is a
/// row of the reminders table, sent by the same batch sender through the same states as the notices (crash-safe,
/// the same backoff and breaker); it repeats the notice's personal URL under a Message-ID of its own. Like
/// `Campaign`, the round is given the database and hands it to the batch sender's threads; the command holds the run
/// lock, prints and picks the exit status.
package struct ReminderRound {
    let fiscalYear: Int
    let wave: ReminderWave
    /// The run's instant: the retry times are judged at it.
    let now: Date
    /// Only downloads recorded before this instant count (`--not-downloaded-by`: the end of that day, Japan time);
    /// nil counts every download.
    let downloadedBefore: Date?

    package init(fiscalYear: Int, wave: ReminderWave, now: Date, downloadedBefore: Date? = nil) {
        self.fiscalYear = fiscalYear
        self.wave = wave
        self.now = now
        self.downloadedBefore = downloadedBefore
    }

    var mailing: NoticeStore.Mailing { .reminders(wave: wave) }

    /// Who is to be reminded now, and who was not because they downloaded.
    private struct Audience {
        let recipients: [NoticeStore.ReminderRecipient]
        /// Vendors whose notice was sent but who downloaded (before the cutoff): no reminder.
        let downloaded: Int

        init(fiscalYear: Int, downloadedBefore: Date?, in database: Database) throws {
            let notices = NoticeStore(database: database)
            recipients = try notices.reminderRecipients(fiscalYear: fiscalYear, downloadedBefore: downloadedBefore)
            downloaded = (try notices.counts(fiscalYear: fiscalYear)[.sent] ?? 0) - recipients.count
        }
    }

    /// The wave's reminders due now whose vendor is still to be reminded: one planned on an earlier run whose vendor
    /// has downloaded since (or whose notice bounced since) is left as it is, unsent.
    private func due(in store: NoticeStore, for audience: Audience, retryDeferred: Bool) throws
        -> [NoticeStore.Notice]
    {
        let vendors = Set(audience.recipients.map(\.vendorCode))
        return try store.due(fiscalYear: fiscalYear, now: now, retryDeferred: retryDeferred)
            .filter { vendors.contains($0.vendorCode) }
    }

    /// The vendors still to be reminded now (notice sent, no download before the cutoff): a reminder of another
    /// vendor is no longer outstanding, whatever its state, since it will not be sent.
    package func stillToRemind(in database: Database) throws -> Set<VendorCode> {
        let audience = try Audience(fiscalYear: fiscalYear, downloadedBefore: downloadedBefore, in: database)
        return Set(audience.recipients.map(\.vendorCode))
    }

    /// What a run would send, without changing anything.
    package struct DryRun {
        /// Vendors to be reminded who have no reminder of this wave yet: they would get a new one.
        package let new: [NoticeStore.ReminderRecipient]
        /// Reminders of this wave planned before and due now (pending, interrupted, deferred whose time has come).
        package let due: [NoticeStore.Notice]
        /// Vendors whose notice was sent and who have downloaded: not reminded.
        package let downloaded: Int
    }

    package func dryRun(retryDeferred: Bool, in database: Database) throws -> DryRun {
        let audience = try Audience(fiscalYear: fiscalYear, downloadedBefore: downloadedBefore, in: database)
        let store = NoticeStore(database: database, mailing: mailing)
        let existing = Set(try store.notices(fiscalYear: fiscalYear).map(\.vendorCode))
        return DryRun(
            new: audience.recipients.filter { !existing.contains($0.vendorCode) },
            due: try due(in: store, for: audience, retryDeferred: retryDeferred), downloaded: audience.downloaded)
    }

    /// What a run did.
    package struct Result {
        package let summary: BatchSender.Summary
        /// Reminders due at the start of the run.
        package let due: Int
        /// Reminders created this run.
        package let planned: Int
        /// Vendors whose notice was sent and who have downloaded: not reminded.
        package let downloaded: Int

        package var outcome: BatchSender.Summary.Outcome { summary.outcome }
    }

    /// Plans this wave's reminder (the notice's URL, a new Message-ID) for every vendor to be reminded who has none,
    /// then sends every due reminder whose vendor is still to be reminded.
    package func run(sending: Campaign.Sending, in database: sending Database) throws -> Result {
        let audience = try Audience(fiscalYear: fiscalYear, downloadedBefore: downloadedBefore, in: database)
        let store = NoticeStore(database: database, mailing: mailing)
        let planned = try store.planReminders(
            audience.recipients, fiscalYear: fiscalYear, wave: wave, messageIDDomain: sending.messageIDDomain,
            now: now)
        let due = try due(in: store, for: audience, retryDeferred: sending.retryDeferred)
        let settings = sending.settings(
            fiscalYear: fiscalYear, mailing: mailing, vendors: try VendorStore(database: database).all())
        let summary = try BatchSender(settings: settings, database: database).run(due: due)
        return Result(summary: summary, due: due.count, planned: planned, downloaded: audience.downloaded)
    }
}
