import Foundation
import MailParse
import Synchronization
import Testing

@testable import Notifier
@testable import NotifierCore

/// The missing-notice alarm: on its own with a clock the test sets (the day, once a day, once a year, across
/// restarts, a failed mail), then through `watch` on today's date, two watchers at once, and the start line.
@Suite("missing-notice alarm")
struct NoticeAlarmTests {
    /// A clock set by the test.
    final class SetClock: Sendable {
        private let current = Mutex(Date(timeIntervalSince1970: 0))
        var now: Date { current.withLock { $0 } }
        func set(_ date: Date) { current.withLock { $0 = date } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    /// A mail server that keeps what it is given, failing the first `failures` messages (a refusal, or a thrown
    /// error as a lost connection gives).
    final class RecordingTransport: MessageTransport {
        struct Lost: Error {}
        var failures: Int
        var throwing: Bool
        private(set) var attempts = 0
        private(set) var messages: [(bytes: [UInt8], recipients: [String])] = []

        init(failures: Int = 0, throwing: Bool = false) {
            self.failures = failures
            self.throwing = throwing
        }

        func deliver(_ message: [UInt8], sender: String, recipients: [String]) throws -> Delivery {
            attempts += 1
            if failures > 0 {
                failures -= 1
                if throwing { throw Lost() }
                return Delivery(outcome: .transient, code: 451, reply: "451 4.3.0 try later")
            }
            messages.append((message, recipients))
            return Delivery(outcome: .sent, code: 250, reply: "250 ok")
        }
    }

    /// What the alarm said.
    final class Said: Sendable {
        private let lines = Mutex<[(Diagnostics.Level, String)]>([])
        var all: [(Diagnostics.Level, String)] { lines.withLock { $0 } }
        var diagnostics: Diagnostics {
            Diagnostics { [self] level, text in lines.withLock { $0.append((level, text)) } }
        }
        func count(_ text: String) -> Int { all.filter { $0.1.contains(text) }.count }
    }

    static let installers = ["installer@vendor.example", "second@vendor.example"]
    static let notFound = "no update notice for fiscal year 2027 has reached the vault"
    static let noOTP = "no OTP notice for fiscal year 2027 has been seen"

    let folder: URL
    let clock = SetClock()
    let said = Said()
    var databasePath: String { folder.appendingPathComponent("vendor.sqlite3").path }

    init() throws {
        folder = try CLI.temporaryDirectory()
        try Database(path: databasePath).migrate(Schema.migrations)
    }

    /// 00:00 (or the time given) on a day in Japan.
    static func japan(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
        JapanTime(date: CalendarDate(year: year, month: month, day: day)!, hour: hour, minute: minute)!.instant
    }

    /// An alarm on the test's database (a connection of its own, as each watcher has), clock and transport.
    func alarm(
        _ transport: RecordingTransport, expectNoticeBy: SeasonDay = .expectNoticeBy, relayTo: [String] = installers
    ) throws -> NoticeAlarm {
        var vendor = VendorPipeline.Settings(
            trust: .builtIn, relayTo: try relayTo.map { try #require(Validation.mailbox($0)) },
            relayFrom: Validation.mailbox("notifier@vendor.example"), transport: { transport },
            now: { [clock] in clock.now })
        vendor.charset = .utf8
        return NoticeAlarm(
            settings: NoticeAlarm.Settings(expectNoticeBy: expectNoticeBy, vendor: vendor),
            database: try Database(path: databasePath), diagnostics: said.diagnostics)
    }

    /// A trusted URL for `fiscalYear` in the vault.
    func vault(fiscalYear: Int) throws {
        let stored = try VaultStore(database: try Database(path: databasePath)).store(
            vendorCode: VendorCode(stringLiteral: "5184962"), fiscalYear: fiscalYear, validFrom: nil, validUntil: nil,
            url: "https://bid.to-kousya.example/cert/download?t=\(fiscalYear)", messageID: "<\(fiscalYear)@x>",
            sender: "nyusatsu@to-kousya.example", receivedAt: Self.japan(fiscalYear, 1, 20), sentAt: nil)
        #expect(stored)
    }

    func alarmRows() throws -> [String] {
        try Database(path: databasePath).rows("SELECT name, period FROM alarms ORDER BY said_at, name").map {
            "\(try $0["name"] as String) \(try $0["period"] as String)"
        }
    }

    /// The subject and text of a mail sent.
    static func read(_ bytes: [UInt8]) -> (subject: String, text: String, headers: String) {
        let message = Message.parse(bytes)
        let raw = String(decoding: bytes, as: UTF8.self)
        let headers = raw.components(separatedBy: "\r\n\r\n").first ?? raw
        return (message.subject ?? "", message.root.text ?? "", headers)
    }

    @Test func nothingBeforeTheDayInJapan() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        let alarm = try alarm(transport)
        // 2027-02-14 23:59 in Japan is already 02-15 nowhere that matters; 14:59 UTC is still the 14th in Japan.
        for instant in [Self.japan(2026, 12, 1), Self.japan(2027, 1, 20), Self.japan(2027, 2, 14, 23, 59)] {
            #expect(alarm.check(at: instant))
        }
        #expect(said.all.isEmpty && transport.attempts == 0)
        #expect(try alarmRows().isEmpty)
    }

    @Test func fromTheDayOnceADayAcrossRestarts() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        // 2027-02-15 00:00 in Japan is 02-14 15:00 UTC: the day is Japan's.
        #expect(try alarm(transport).check(at: Self.japan(2027, 2, 15)))
        #expect(said.all.count == 1 && said.all.first?.0 == .warning)
        #expect(said.count(Self.notFound + " (expected by 2027-02-15)") == 1, "\(said.all)")
        #expect(said.count("迷惑メールフォルダ") == 1 && said.count("JKK東京 契約課") == 1)
        #expect(said.count("mailed notice_missing to installer@vendor.example, second@vendor.example") == 1)
        #expect(transport.messages.count == 1)
        let mail = try #require(transport.messages.first)
        // One message to every installer, each named once in the envelope and in To.
        #expect(mail.recipients == Self.installers)
        let read = Self.read(mail.bytes)
        #expect(read.subject == "【電子入札システム】証明書更新のお知らせがまだ届いていません(2027年度)")
        for phrase in ["2027年度の", "迷惑メールフォルダ", "JKK東京に登録しているメールアドレスが古くなっていないか", "JKK東京 契約課", "2027/03/31 で有効期間が終了"] {
            #expect(read.text.contains(phrase), "\(phrase)")
        }
        for address in Self.installers { #expect(read.headers.components(separatedBy: address).count == 2) }
        // Later the same day, and after a restart (a new alarm on a new connection): nothing.
        #expect(try alarm(transport).check(at: Self.japan(2027, 2, 15, 23, 59)))
        clock.set(Self.japan(2027, 2, 15, 12))
        let restarted = try alarm(transport)
        #expect(restarted.checkIfDue())
        #expect(transport.messages.count == 1 && said.all.count == 1)
        // The next day, again.
        #expect(restarted.check(at: Self.japan(2027, 2, 16)))
        #expect(transport.messages.count == 2 && said.count(Self.notFound) == 2)
        #expect(try alarmRows() == ["notice_missing 2027-02-15", "notice_missing 2027-02-16"])
    }

    @Test func aTrustedNoticeForTheComingYearSilencesIt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        // Last year's URL is not this year's.
        try vault(fiscalYear: 2026)
        #expect(try alarm(transport).check(at: Self.japan(2027, 2, 20)))
        #expect(transport.messages.count == 1)
        try vault(fiscalYear: 2027)
        #expect(try alarm(transport).check(at: Self.japan(2027, 2, 21)))
        #expect(try alarm(transport).check(at: Self.japan(2027, 3, 10)))
        #expect(transport.messages.count == 1 && said.count(Self.notFound) == 1)
    }

    @Test("a failed mail is tried again at the next check", arguments: [false, true])
    func aFailedMailIsTriedAgain(throwing: Bool) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport(failures: 1, throwing: throwing)
        let alarm = try alarm(transport)
        clock.set(Self.japan(2027, 3, 1, 9))
        #expect(!alarm.checkIfDue())
        #expect(transport.attempts == 1 && transport.messages.isEmpty)
        #expect(said.count("trying again at the next check") == 1, "\(said.all)")
        #expect(try alarmRows().isEmpty, "the claim is rolled back")
        // Passes come every few seconds; a check at most every 10 minutes.
        clock.advance(60)
        #expect(alarm.checkIfDue())
        #expect(transport.attempts == 1)
        clock.advance(10 * 60)
        #expect(alarm.checkIfDue())
        #expect(transport.attempts == 2 && transport.messages.count == 1)
        #expect(said.count("mailed notice_missing") == 1)
        clock.advance(10 * 60)
        #expect(alarm.checkIfDue())
        #expect(try transport.attempts == 2 && alarmRows() == ["notice_missing 2027-03-01"])
    }

    @Test func withoutRelayToItIsSaidOnly() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        #expect(try alarm(transport, relayTo: []).check(at: Self.japan(2027, 2, 16)))
        #expect(try alarm(transport, relayTo: []).check(at: Self.japan(2027, 2, 16, 18)))
        #expect(said.count(Self.notFound) == 1 && !said.all.contains { $0.1.contains("mailed") })
        #expect(transport.attempts == 0)
    }

    @Test func theOTPReminderComesOnceWithinFourteenDays() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        try vault(fiscalYear: 2027)
        #expect(try alarm(transport).check(at: Self.japan(2027, 3, 17, 23, 59)))
        #expect(transport.attempts == 0 && said.all.isEmpty)
        // 03-18 00:00: the certificate in use ends at 03-31 24:00, 14 days on.
        #expect(try alarm(transport).check(at: Self.japan(2027, 3, 18)))
        #expect(said.count("the certificate in use ends 2027-03-31 (in 14 days) and " + Self.noOTP) == 1, "\(said.all)")
        #expect(transport.messages.count == 1)
        let read = Self.read(try #require(transport.messages.first).bytes)
        #expect(read.subject == "【電子入札システム】クライアント証明書の有効期間がまもなく終了します(2027年度の更新)")
        #expect(read.text.contains("2027/03/31 で有効期間が終了") && read.text.contains("まだ一度も届いていません"))
        for day in [19, 25, 31] { #expect(try alarm(transport).check(at: Self.japan(2027, 3, day, 12))) }
        #expect(transport.messages.count == 1 && said.count(Self.noOTP) == 1)
        #expect(try alarmRows() == ["otp_missing 2027"])
        // From 04-01 the coming year is 2028, far from its end.
        #expect(try alarm(transport).check(at: Self.japan(2027, 4, 1)))
        #expect(transport.messages.count == 1)
    }

    @Test func lastYearsOTPDoesNotCount() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        try vault(fiscalYear: 2027)
        let store = VaultStore(database: try Database(path: databasePath))
        // Last year's OTP is not this year's.
        try store.recordOTP(
            messageID: "<old@x>", expiresAt: Self.japan(2026, 12, 20, 10, 30), receivedAt: Self.japan(2026, 12, 20, 10),
            state: .relayed, relayedTo: "x")
        #expect(try alarm(transport).check(at: Self.japan(2027, 3, 20)))
        #expect(said.count(Self.noOTP) == 1 && transport.messages.count == 1)
    }

    @Test func anOTPSeenThisYearMeansNoReminder() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        try vault(fiscalYear: 2027)
        // An expired one counts too: the vendor asked for it.
        try VaultStore(database: try Database(path: databasePath)).recordOTP(
            messageID: "<new@x>", expiresAt: Self.japan(2027, 2, 20, 10, 30), receivedAt: Self.japan(2027, 2, 20, 11),
            state: .expired, relayedTo: nil)
        #expect(try alarm(transport).check(at: Self.japan(2027, 3, 25)))
        #expect(said.all.isEmpty && transport.attempts == 0)
    }

    @Test func bothAlarmsInLateMarch() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        #expect(try alarm(transport).check(at: Self.japan(2027, 3, 30)))
        #expect(said.count(Self.notFound) == 1 && said.count(Self.noOTP) == 1)
        #expect(said.count("(in 2 days)") == 1)
        #expect(transport.messages.count == 2)
    }

    @Test func theDayIsAnyDayOfTheSeason() throws {
        #expect(SeasonDay("02-15")?.date(before: 2027).description == "2027-02-15")
        #expect(SeasonDay("11-01")?.date(before: 2027).description == "2026-11-01")
        #expect(SeasonDay("04-01")?.date(before: 2027).description == "2026-04-01")
        #expect(SeasonDay("02-29")?.date(before: 2027).description == "2027-02-28")
        #expect(SeasonDay("02-29")?.date(before: 2028).description == "2028-02-29")
        #expect(SeasonDay("03-01")?.description == "03-01")
        for bad in ["2-15", "02-30", "13-01", "00-10", "0215", "02/15", "02-15\n", "02-1５", "", "-02-15", "02-15-"] {
            #expect(SeasonDay(bad) == nil, "\(bad)")
        }
        #expect(try NoticeAlarmOptions.parse("11-01") == .day(SeasonDay("11-01")!))
        #expect(try NoticeAlarmOptions.parse("off") == .off)
        #expect(try NoticeAlarmOptions.parse("OFF") == .off)
        #expect(throws: InvalidValue.self) { try NoticeAlarmOptions.parse("2月15日") }
        #expect(throws: InvalidValue.self) { try NoticeAlarmOptions.parse("of") }
    }

    @Test func anAutumnDayAlarmsFromAutumn() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = RecordingTransport()
        let day = try #require(SeasonDay("11-01"))
        #expect(try alarm(transport, expectNoticeBy: day).check(at: Self.japan(2026, 10, 31)))
        #expect(transport.attempts == 0)
        #expect(try alarm(transport, expectNoticeBy: day).check(at: Self.japan(2026, 11, 1)))
        #expect(said.count(Self.notFound + " (expected by 2026-11-01)") == 1 && transport.messages.count == 1)
    }
}

/// `watch` with the alarm: today's date, made the day by `expect_notice_by`.
@Suite("missing-notice alarm through watch")
struct NoticeAlarmWatchTests {
    let folder: URL
    var database: String { folder.appendingPathComponent("vendor.sqlite3").path }
    var mailbox: URL { folder.appendingPathComponent("Maildir") }
    var outbox: URL { folder.appendingPathComponent("outbox") }
    static let subject = "【電子入札システム】証明書更新のお知らせがまだ届いていません"

    init() throws {
        folder = try CLI.temporaryDirectory()
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: mailbox.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    /// What `watch` said, without the alarm's lines: from 02-15 to 03-31 every watch in the tests says them (its
    /// vault has no URL for the coming year), which other tests' exact expectations leave out.
    static func withoutAlarms(_ stderr: String) -> String {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.contains("has reached the vault") && !$0.contains("no OTP notice for fiscal year")
        }.joined(separator: "\n")
    }

    /// Today in Japan as MM-DD: the alarm's day is then today, whatever day the tests run.
    static var today: String {
        let date = JapanClock.calendarDate(of: Date())!
        return "\(twoDigits(date.month))-\(twoDigits(date.day))"
    }

    func watch(_ extra: [String] = [], outbox: URL? = nil) -> [String] {
        [
            "--db", database, "watch", "--maildir", mailbox.path, "--once", "--relay-to", "installer@vendor.example",
            "--relay-to", "second@vendor.example", "--from", "notifier@vendor.example",
            "--outbox", (outbox ?? self.outbox).path,
        ] + extra
    }

    /// The notice_missing mails in the outbox.
    func alarmMails(_ outbox: URL? = nil) throws -> [String] {
        let new = (outbox ?? self.outbox).appendingPathComponent("new")
        guard FileManager.default.fileExists(atPath: new.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: new.path).compactMap { name in
            let bytes = [UInt8](try Data(contentsOf: new.appendingPathComponent(name)))
            let message = Message.parse(bytes)
            guard message.subject?.hasPrefix(Self.subject) == true else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test func watchSaysItOnceADayAndMailsEveryInstaller() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try CLI.run(watch(["--expect-notice-by", Self.today]))
        #expect(first.status == 0, "\(first.stderr)")
        let warnings = first.stderr.split(separator: "\n").filter { $0.contains("has reached the vault") }
        #expect(warnings.count == 1, "\(first.stderr)")
        #expect(
            warnings.first?.hasSuffix("mailed notice_missing to installer@vendor.example, second@vendor.example")
                == true)
        let mails = try alarmMails()
        #expect(mails.count == 1)
        for address in ["installer@vendor.example", "second@vendor.example"] {
            #expect(mails.first?.components(separatedBy: address).count == 2, "\(address) once in To")
        }
        // A second run the same day (cron's next one, or a restart) says nothing.
        let second = try CLI.run(watch(["--expect-notice-by", Self.today]))
        #expect(second.status == 0 && !second.stderr.contains("has reached the vault"), "\(second.stderr)")
        #expect(try alarmMails().count == 1)
    }

    @Test func theDayComesFromTheConfiguration() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config")
        // Tomorrow's day is not yet (except on the last day of a fiscal year, when it is next year's season).
        let tomorrow = JapanClock.calendarDate(of: Date().addingTimeInterval(86_400))!
        if !(tomorrow.month == 4 && tomorrow.day == 1) {
            try "expect_notice_by = \(twoDigits(tomorrow.month))-\(twoDigits(tomorrow.day))\n".write(
                to: config, atomically: true, encoding: .utf8)
            let early = try CLI.run(["--config", config.path] + watch())
            #expect(early.status == 0 && !early.stderr.contains("has reached the vault"), "\(early.stderr)")
        }
        try "expect_notice_by = \(Self.today)\n".write(to: config, atomically: true, encoding: .utf8)
        let due = try CLI.run(["--config", config.path] + watch())
        #expect(due.status == 0 && due.stderr.contains("has reached the vault"), "\(due.stderr)")
        #expect(try alarmMails().count == 1)
        // The command line wins over the configuration.
        try FileManager.default.removeItem(atPath: database)
        let flag = try CLI.run(["--config", config.path] + watch(["--expect-notice-by", "13-01"]))
        #expect(flag.status == 64 && flag.stderr.contains("--expect-notice-by takes a day of the year as MM-DD"))
        try "expect_notice_by = 2/15\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["--config", config.path] + watch())
        #expect(bad.status == 78 && bad.stderr.contains(":1: expect_notice_by takes a day of the year as MM-DD"))
    }

    @Test func offSaysNothingAndMailsNobody() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config")
        try "expect_notice_by = \(Self.today)\n".write(to: config, atomically: true, encoding: .utf8)
        // The command line switches off what the configuration asks for today...
        let flag = try CLI.run(["--config", config.path] + watch(["--expect-notice-by", "off"]))
        #expect(flag.status == 0 && !flag.stderr.contains("has reached the vault"), "\(flag.stderr)")
        // ... and the configuration can itself.
        try "expect_notice_by = off\n".write(to: config, atomically: true, encoding: .utf8)
        let key = try CLI.run(["--config", config.path] + watch())
        #expect(key.status == 0 && !key.stderr.contains("has reached the vault"), "\(key.stderr)")
        #expect(try alarmMails().isEmpty)
        // The same database, the day given: it is due (the runs before recorded nothing).
        let due = try CLI.run(["--config", config.path] + watch(["--expect-notice-by", Self.today]))
        #expect(due.stderr.contains("has reached the vault"), "\(due.stderr)")
        #expect(try alarmMails().count == 1)
    }

    @Test func aTrustedNoticeInTheVaultMeansNoAlarm() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let year = RenewalCalendar.comingFiscalYear(at: Date())
        let opened = try Database(path: database)
        try opened.migrate(Schema.migrations)
        _ = try VaultStore(database: opened).store(
            vendorCode: VendorCode(stringLiteral: "5184962"), fiscalYear: year, validFrom: nil, validUntil: nil,
            url: "https://bid.to-kousya.example/cert/download?t=x", messageID: "<n@x>",
            sender: "nyusatsu@to-kousya.example", receivedAt: Date(), sentAt: nil)
        let run = try CLI.run(watch(["--expect-notice-by", Self.today]))
        #expect(run.status == 0 && !run.stderr.contains("has reached the vault"), "\(run.stderr)")
        #expect(try alarmMails().isEmpty)
    }

    @Test func aMailThatFailsIsTriedAtTheNextRun() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // Nothing listens on port 1: the mail fails, the run says so and exits 75, and nothing is claimed.
        let failed = try CLI.run(
            [
                "--db", database, "watch", "--maildir", mailbox.path, "--once", "--relay-to",
                "installer@vendor.example", "--from", "notifier@vendor.example", "--smtp", "smtp://127.0.0.1:1",
                "--connect-timeout", "2", "--expect-notice-by", Self.today,
            ])
        #expect(failed.status == 75, "\(failed.stderr)")
        #expect(failed.stderr.contains("not yet said to the installers"), "\(failed.stderr)")
        #expect(failed.stderr.contains("trying again at the next check"))
        let next = try CLI.run(watch(["--expect-notice-by", Self.today]))
        #expect(next.status == 0 && next.stderr.contains("mailed notice_missing"), "\(next.stderr)")
        #expect(try alarmMails().count == 1)
    }

    @Test func twoWatchersOnOneDatabaseMailOnce() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // Each round: a fresh database, two watchers started together, each with an outbox of its own.
        for round in 0..<4 {
            try? FileManager.default.removeItem(atPath: database)
            let outboxes = (0..<2).map { folder.appendingPathComponent("outbox-\(round)-\($0)") }
            let running = try outboxes.map { try CLI.start(watch(["--expect-notice-by", Self.today], outbox: $0)) }
            let results = running.map { $0.finish() }
            for result in results { #expect(result.status == 0, "\(result.stderr)") }
            let mails = try outboxes.map { try alarmMails($0).count }
            #expect(mails.reduce(0, +) == 1, "round \(round): \(mails)")
            #expect(results.filter { $0.stderr.contains("has reached the vault") }.count == 1)
        }
    }

    @Test func theStartLineSaysWhatHowWhichAndWhom() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let builtIn = try CLI.run(["--db", database, "watch", "--maildir", mailbox.path, "--once"])
        #expect(
            builtIn.stderr.contains(
                "notifier: watching Maildir \(mailbox.path), one pass (--once); folders: INBOX; trusting the built-in "
                    + "JKK東京 policy\n"), "\(builtIn.stderr)")
        let own = try CLI.run([
            "--db", database, "watch", "--maildir", mailbox.path, "--once", "--trust-sender", "a@issuer.example",
            "--trust-sender", "b@issuer.example", "--trust-host", "bid.issuer.example",
        ])
        #expect(
            own.stderr.contains(
                "watching Maildir \(mailbox.path), one pass (--once); folders: INBOX; trusting senders "
                    + "a@issuer.example, b@issuer.example, hosts bid.issuer.example\n"), "\(own.stderr)")
        #expect(own.stderr.split(separator: "\n").filter { $0.contains("watching") }.count == 1)
    }

    @Test func theStartLineOverIMAPHasNoUserOrPassword() throws {
        func line(_ arguments: [String]) throws -> String {
            var command = WatchCommand()
            for (index, argument) in arguments.enumerated() where argument.hasPrefix("--") {
                switch argument {
                case "--maildir": command.mailbox.maildir = arguments[index + 1]
                case "--imap": command.mailbox.imap.url = arguments[index + 1]
                case "--no-idle": command.mailbox.noIdle = true
                case "--poll": command.mailbox.poll = Double(arguments[index + 1])
                case "--once": command.mailbox.once = true
                case "--trust-host": command.vendor.trust.hosts.append(arguments[index + 1])
                default: Issue.record("unexpected \(argument)")
                }
            }
            return WatchCommand.startLine(
                mailbox: command.mailbox, imapURL: command.mailbox.imap.url, trust: command.vendor.trust,
                idles: command.mailbox.maildir == nil)
        }
        let idle = try line(["--imap", "imaps://nyusatsu:s3cret@mail.vendor.example:993/%E5%8F%97%E4%BF%A1"])
        #expect(
            idle
                == "watching imaps://mail.vendor.example:993/%E5%8F%97%E4%BF%A1, waiting with IDLE; folders: 受信; "
                + "trusting the built-in JKK東京 policy")
        #expect(!idle.contains("nyusatsu") && !idle.contains("s3cret"))
        #expect(
            try line(["--imap", "imap://mail.vendor.example", "--no-idle", "--poll", "30", "--trust-host", "h.example"])
                == "watching imap://mail.vendor.example, polling every 30 s; folders: INBOX; trusting senders "
                + "\(TrustPolicy.builtIn.senders.joined(separator: ", ")), hosts h.example")
        #expect(
            try line(["--maildir", "/m", "--poll", "0.5"])
                == "watching Maildir /m, polling every 0.5 s; folders: INBOX; trusting the built-in JKK東京 policy")
        // A path with a line break cannot forge a second line.
        let hostile = try line(["--maildir", "/m\nnotifier: all clear\u{1B}[2J"])
        #expect(!hostile.contains("\n") && !hostile.contains("\u{1B}"))
    }
}
