import Foundation
import MailParse

/// A day of the year without its year, `MM-DD` (`expect_notice_by`): which year it falls in is the renewal season's
/// business (`date(before:)`).
package struct SeasonDay: Equatable, Sendable, CustomStringConvertible {
    package let month: Int
    package let day: Int

    /// `MM-DD`, two digits each, a day some year has (02-29 too); nil otherwise.
    package init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let month = Int(parts[0]), let day = Int(parts[1]),
            CalendarDate(year: 2028, month: month, day: day) != nil
        else { return nil }
        self.month = month
        self.day = day
    }

    /// When the vendor expects the notice if nothing is configured: a month after the issuer's window opens (01-15).
    package static let expectNoticeBy = SeasonDay("02-15")!

    package var description: String { (month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)" }

    /// This day in the fiscal year before `fiscalYear`, the one in progress while `fiscalYear`'s certificates are
    /// renewed: April to December of N - 1, January to March of N. 02-29 is 02-28 in a common year.
    /// - Precondition: `fiscalYear` is in `RenewalCalendar.supportedYears`.
    func date(before fiscalYear: Int) -> CalendarDate {
        let year = month >= 4 ? fiscalYear - 1 : fiscalYear
        guard let date = CalendarDate(year: year, month: month, day: day) ?? CalendarDate(year: year, month: 2, day: 28)
        else { preconditionFailure("fiscal year \(fiscalYear) is outside \(RenewalCalendar.supportedYears)") }
        return date
    }
}

/// The vendor's watcher noticing what did not arrive. From `expect_notice_by` (default 02-15, Japan time) of the
/// renewal season on, while the vault holds no trusted URL for the coming fiscal year, it says so once a day (a
/// warning) and mails the installers (`relay_to`) the template `notice_missing`: look in the junk folder, the
/// address JKK東京 has may be out of date, ask 契約課. When the certificate in use ends within 14 days (03-31) and no
/// OTP notice was seen for the coming year, it reminds once, with the template `otp_missing`.
///
/// "Once" holds across restarts and across watchers on one database: what was said is a row of `alarms` (name and
/// period: the Japan day, or the fiscal year), claimed with INSERT OR IGNORE in the transaction that decides to say
/// it and mails. A mail that fails rolls the claim back, so the next check tries again; a second watcher waits for
/// the first one's transaction and then finds the row.
package final class NoticeAlarm {
    package struct Settings {
        /// The day of the renewal season by which the notice should have arrived.
        package var expectNoticeBy = SeasonDay.expectNoticeBy
        /// How long before the certificate in use ends a missing OTP is reminded of.
        var otpReminderLead: TimeInterval = 14 * 86_400
        /// Checks after watch passes are at least this far apart (passes come every few seconds).
        var interval: TimeInterval = 10 * 60
        /// Installers who get the alarm by mail, with the OTP relay's sender and transport.
        var relayTo: [Mailbox] = []
        var from: Mailbox?
        var transport: (() throws -> MessageTransport)?
        var templates = TemplateStore(directory: nil)
        var charset: OutgoingMessage.BodyCharset = .utf8
        var now: () -> Date = { Date() }

        /// The alarm's settings from the vendor pipeline's: the same installers, sender, transport, templates and
        /// clock as the OTP relay.
        package init(expectNoticeBy: SeasonDay = .expectNoticeBy, vendor: VendorPipeline.Settings) {
            self.expectNoticeBy = expectNoticeBy
            relayTo = vendor.relayTo
            from = vendor.relayFrom
            transport = vendor.transport
            templates = vendor.templates
            charset = vendor.charset
            now = vendor.now
        }
    }

    /// One thing to say: which, for which period, and what it is about.
    struct Alarm {
        enum Kind: String {
            /// No trusted URL for the coming fiscal year, said once a day.
            case noticeMissing = "notice_missing"
            /// No OTP for the coming fiscal year with the end of the certificate in use near, said once.
            case otpMissing = "otp_missing"
        }

        let kind: Kind
        /// A Japan day (`2027-02-16`) for the daily alarm, the fiscal year (`2027`) for the one reminder.
        let period: String
        let fiscalYear: Int
        /// The last day of the certificate in use.
        let currentUntil: CalendarDate
        /// What the warning says, before what became of the mail.
        let text: String

        var template: TemplateName { kind == .noticeMissing ? .noticeMissing : .otpMissing }
    }

    /// The mail could not be written or sent: the alarm is tried again at the next check.
    struct MailError: NotifierError {
        let message: String
    }

    let settings: Settings
    let database: Database
    let diagnostics: Diagnostics
    /// When `checkIfDue` last checked (in memory: after a restart the first pass checks at once).
    private var lastCheck: Date?

    package init(settings: Settings, database: Database, diagnostics: Diagnostics) {
        self.settings = settings
        self.database = database
        self.diagnostics = diagnostics
    }

    /// Checks when none was made in the last `interval` (the watcher calls this after every pass); false when
    /// something was left to try again at the next check.
    package func checkIfDue() -> Bool {
        let now = settings.now()
        if let lastCheck, now >= lastCheck, now.timeIntervalSince(lastCheck) < settings.interval { return true }
        lastCheck = now
        return check(at: now)
    }

    /// What is due at `now`, each said (and mailed) unless said before; false when one could not be said (a mail
    /// that failed, a busy database), to be tried again at the next check.
    @discardableResult
    package func check(at now: Date) -> Bool {
        let year = RenewalCalendar.comingFiscalYear(at: now)
        guard RenewalCalendar.supportedYears.contains(year) else { return true }
        let today = RenewalCalendar.japanDate(of: now)
        let currentUntil = RenewalCalendar.currentValidityEnd(before: year)
        var settled = true
        let expected = settings.expectNoticeBy.date(before: year)
        if today >= expected {
            let alarm = Alarm(
                kind: .noticeMissing, period: today.description, fiscalYear: year, currentUntil: currentUntil,
                text: "no update notice for fiscal year \(year) has reached the vault (expected by \(expected)): "
                    + "look in the junk folder (迷惑メールフォルダ) and mark the issuer's address as a safe sender; "
                    + "the address registered with JKK東京 may be out of date: ask JKK東京 契約課")
            settled = raise(alarm, now: now) && settled
        }
        let left = RenewalCalendar.window(of: year).end.timeIntervalSince(now)
        if left <= settings.otpReminderLead {
            let days = Int((left / 86_400).rounded(.up))
            let alarm = Alarm(
                kind: .otpMissing, period: String(year), fiscalYear: year, currentUntil: currentUntil,
                text: "the certificate in use ends \(currentUntil) (in \(days) day\(days == 1 ? "" : "s")) and no OTP "
                    + "notice for fiscal year \(year) has been seen: the new certificate may not be downloaded yet; "
                    + "open the update notice's URL (notifier urls), issue an OTP and download it, or ask JKK東京 契約課")
            settled = raise(alarm, now: now) && settled
        }
        return settled
    }

    /// Says `alarm` unless its cause is gone or it was said for its period; false when it could not be said.
    private func raise(_ alarm: Alarm, now: Date) -> Bool {
        do {
            // The cheap look first, without the write lock: most checks end here.
            guard try isDue(alarm) else { return true }
            let mailed = try database.transaction { () throws -> String? in
                guard try isDue(alarm),
                    try AlarmStore(database: database).claim(alarm.kind.rawValue, period: alarm.period, at: now)
                else { return nil }
                return try mail(alarm, now: now)
            }
            if let mailed { diagnostics.warning(alarm.text + mailed) }
            return true
        } catch {
            diagnostics.warning(
                "\(alarm.text) (not yet said to the installers: \(error.personMessage); trying again at the next check)"
            )
            return false
        }
    }

    /// Whether the cause holds and the alarm was not said for its period.
    private func isDue(_ alarm: Alarm) throws -> Bool {
        let store = AlarmStore(database: database)
        guard try !store.wasSaid(alarm.kind.rawValue, period: alarm.period) else { return false }
        switch alarm.kind {
        case .noticeMissing:
            return try !store.hasURL(fiscalYear: alarm.fiscalYear)
        case .otpMissing:
            // An OTP asked for in calendar year N (any state: relayed, expired, ...) was for fiscal year N's
            // certificate.
            return try !store.sawOTP(in: RenewalCalendar.certificatePeriod(of: alarm.fiscalYear))
        }
    }

    /// Mails the alarm to every installer in one message (as the OTP relay does); what to add to the warning.
    private func mail(_ alarm: Alarm, now: Date) throws -> String {
        guard !settings.relayTo.isEmpty else { return "" }
        guard let from = settings.from else {
            throw MailError(message: "mail to relay_to needs --from (or from in the configuration)")
        }
        guard let transport = try settings.transport?() else { throw MailError(message: "no transport for the mail") }
        let composer = Composer(store: settings.templates, messageIDDomain: nil, clock: { now })
        let composed = try composer.compose(
            template: alarm.template, from: from, to: settings.relayTo,
            variables: ["fiscal_year": String(alarm.fiscalYear), "current_until": alarm.currentUntil.description],
            charset: settings.charset, strict: false)
        let delivery = try transport.deliver(
            composed.bytes, sender: from.addrSpec, recipients: settings.relayTo.map(\.addrSpec))
        guard delivery.outcome == .sent else {
            throw MailError(message: "\(alarm.template) not sent (\(delivery.outcome.rawValue)): \(delivery.reply)")
        }
        return "; mailed \(alarm.template) to " + settings.relayTo.map(\.addrSpec).joined(separator: ", ")
    }
}
