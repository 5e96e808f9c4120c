import Foundation
import MailParse
import Testing

@testable import NotifierCore

extension IssuerFixture {
    /// `notices remind` from the fixture's sender, outside the renewal window (`--force`).
    func remind(_ extra: [String]) throws -> CLI.Result {
        try run(["notices", "remind", "--force", "--from", Self.from] + extra)
    }

    /// The fiscal year's notices, by vendor code.
    func notices(fiscalYear: Int) throws -> [String: NoticeStore.Notice] {
        let notices = try NoticeStore(database: try Database(path: database)).notices(fiscalYear: fiscalYear)
        return Dictionary(uniqueKeysWithValues: notices.map { ($0.vendorCode.rawValue, $0) })
    }

    /// The wave's reminders of the fiscal year, by vendor code.
    func reminders(fiscalYear: Int, wave: String) throws -> [String: NoticeStore.Notice] {
        let store = NoticeStore(
            database: try Database(path: database), mailing: .reminders(wave: try ReminderWave(wave)))
        return Dictionary(
            uniqueKeysWithValues: try store.notices(fiscalYear: fiscalYear).map { ($0.vendorCode.rawValue, $0) })
    }

    /// Records a download the way a verified OTP does (`otp verify`), at `at`.
    func recordDownload(_ vendor: String, fiscalYear: Int, at: Date) throws {
        try Database(path: database).run(
            "INSERT INTO downloads (vendor_code, fiscal_year, downloaded_at) VALUES (?, ?, ?)",
            [.text(vendor), .integer(Int64(fiscalYear)), .integer(Int64(at.timeIntervalSince1970))])
    }
}

/// `notifier notices remind`: one reminder per vendor and wave, to the vendors whose notice was sent and who have not
/// downloaded, sent as crash-safely as the notices.
@Suite("notices remind", .serialized)
struct NoticesRemindTests {
    /// A reminder as the vendor's side and a person read it.
    struct Reminder {
        let notice: Notice
        let to: String
        let body: String

        init(_ file: URL) throws {
            let bytes = [UInt8](try Data(contentsOf: file))
            notice = NoticeReader.read(bytes)
            let message = Message.parse(bytes)
            to =
                message.headers.all("To").first.map { String(decoding: $0.rawValue, as: UTF8.self) }?
                .trimmingCharacters(in: .whitespaces) ?? ""
            body = message.root.text ?? ""
        }
    }

    static func reminders(in maildir: URL) throws -> [Reminder] {
        let folder = maildir.appendingPathComponent("new")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.map { try Reminder(folder.appendingPathComponent($0)) }
    }

    @Test func eachSentVendorWhoHasNotDownloadedGetsOneReminderPerWave() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(7))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        // 1000001 has downloaded; the notices of 1000002..1000005 did not arrive or were never sent; 1000006
        // downloaded only the year before's certificate, and its address changed in the registry since the notice.
        try fixture.recordDownload("1000001", fiscalYear: 2027, at: Date(timeIntervalSince1970: 1_800_000_000))
        try fixture.recordDownload("1000006", fiscalYear: 2026, at: Date(timeIntervalSince1970: 1_770_000_000))
        let database = try Database(path: fixture.database)
        for (vendor, state) in [
            ("1000002", "failed"), ("1000003", "bounced"), ("1000004", "pending"), ("1000005", "deferred"),
        ] {
            try database.run("UPDATE notices SET state = ? WHERE vendor_code = ?", [.text(state), .text(vendor)])
        }
        #expect(try fixture.importVendors(["1000006,株式会社テスト6,moved6@example.test,construction,"]).status == 0)
        let notices = try fixture.notices(fiscalYear: 2027)
        let outbox = fixture.folder.appendingPathComponent("reminders")

        let first = try fixture.remind(["--fiscal-year", "2027", "--wave", "03-01", "--outbox", outbox.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stdout
                == "fiscal year 2027, wave 03-01: 2 sent, 0 deferred, 0 failed (of 2 due; 2 new this run; "
                + "1 vendor not reminded (downloaded already))\noutstanding for fiscal year 2027, wave 03-01: nothing\n"
        )
        let reminders = try Self.reminders(in: outbox)
        #expect(reminders.compactMap(\.notice.vendorCode).sorted() == ["1000000", "1000006"])
        for reminder in reminders {
            let code = try #require(reminder.notice.vendorCode)
            let notice = try #require(notices[code])
            // The vendor's side reads it as what it is: the same personal URL, trusted, for the same certificate.
            #expect(reminder.notice.kind == .updateNotice && reminder.notice.trusted)
            #expect(reminder.notice.url == notice.url && reminder.notice.otp == nil && reminder.notice.expiresAt == nil)
            #expect(reminder.notice.validFrom?.description == "2027-04-01")
            #expect(reminder.notice.subject == "【電子入札システム】クライアント証明書更新のお願い(再送)")
            let messageID = try #require(reminder.notice.messageID)
            #expect(messageID.hasPrefix("reminder.2027.\(code).") && messageID != notice.messageID)
            for phrase in [
                "現在ご使用中のクライアント証明書は 2027/03/31 で有効期間が終了", "ダウンロードURL:\(notice.url)",
                "業者コード:\(code)", "ログインIDは業者コードです", "有効期限は30分です", "JKK東京 契約課",
            ] {
                #expect(reminder.body.contains(phrase), "\(phrase)")
            }
        }
        #expect(reminders.first { $0.notice.vendorCode == "1000006" }?.to == "moved6@example.test")

        // The same wave again sends nothing; another wave reminds the same vendors again, under new Message-IDs.
        let again = try fixture.remind(["--fiscal-year", "2027", "--wave", "03-01", "--outbox", outbox.path])
        #expect(
            again.status == 0
                && again.stdout.hasPrefix("fiscal year 2027, wave 03-01: 0 sent, 0 deferred, 0 failed (of 0 due; 0 new")
        )
        #expect(try Self.reminders(in: outbox).count == 2)
        let second = try fixture.remind(["--fiscal-year", "2027", "--wave", "03-20", "--outbox", outbox.path])
        #expect(
            second.status == 0 && second.stdout.hasPrefix("fiscal year 2027, wave 03-20: 2 sent"), "\(second.stdout)")
        let all = try Self.reminders(in: outbox)
        #expect(all.count == 4 && Set(all.compactMap(\.notice.messageID)).count == 4)
        #expect(
            Set(all.compactMap(\.notice.url))
                == Set([notices["1000000"]?.url, notices["1000006"]?.url].compactMap { $0 }))
        #expect(try fixture.reminders(fiscalYear: 2027, wave: "03-01").values.map(\.state) == [.sent, .sent])
        // The notices are as they were.
        #expect(try fixture.notices(fiscalYear: 2027).mapValues(\.state) == notices.mapValues(\.state))
    }

    @Test func aReminderWhoseVendorDownloadedSinceItWasPlannedIsNotSent() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(3))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        // No server: the run stops with 69, the reminders planned and none sent.
        let stopped = try fixture.remind(["--fiscal-year", "2027", "--wave", "03-01", "--smtp", "smtp://127.0.0.1:9"])
        #expect(stopped.status == 69 && stopped.stderr.contains("stopped early"), "\(stopped.stderr)")
        #expect(try fixture.reminders(fiscalYear: 2027, wave: "03-01").values.allSatisfy { $0.state != .sent })
        #expect(try fixture.reminders(fiscalYear: 2027, wave: "03-01").count == 3)

        try fixture.recordDownload("1000001", fiscalYear: 2027, at: Date())
        let outbox = fixture.folder.appendingPathComponent("reminders")
        let later = try fixture.remind(["--fiscal-year", "2027", "--wave", "03-01", "--outbox", outbox.path])
        #expect(
            later.status == 0
                && later.stdout.hasPrefix("fiscal year 2027, wave 03-01: 2 sent, 0 deferred, 0 failed (of 2 due; 0 new"),
            "\(later.stdout)")
        #expect(try Self.reminders(in: outbox).compactMap(\.notice.vendorCode).sorted() == ["1000000", "1000002"])
        let reminders = try fixture.reminders(fiscalYear: 2027, wave: "03-01")
        #expect(reminders["1000001"].map { $0.state == .pending || $0.state == .deferred } == true)
        // ... and is not outstanding: it will not be sent.
        #expect(later.stdout.hasSuffix("\noutstanding for fiscal year 2027, wave 03-01: nothing\n"), "\(later.stdout)")
    }

    @Test func notDownloadedByCountsOnlyTheDownloadsBeforeTheEndOfThatDayInJapan() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(4))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        let day = try #require(CalendarDate(year: 2027, month: 3, day: 1))
        let march = try #require(JapanTime(date: day, hour: 0, minute: 0))
        // 1000000 in the last second of 02-28 (Japan time), 1000001 in the first of 03-01 (15:00 UTC the day
        // before), 1000003 in January; 1000002 never.
        try fixture.recordDownload("1000000", fiscalYear: 2027, at: march.instant.addingTimeInterval(-1))
        try fixture.recordDownload("1000001", fiscalYear: 2027, at: march.instant)
        try fixture.recordDownload("1000003", fiscalYear: 2027, at: march.instant.addingTimeInterval(-40 * 86_400))
        let outbox = fixture.folder.appendingPathComponent("reminders")
        let byDay = ["--fiscal-year", "2027", "--wave", "03-01", "--not-downloaded-by", "2027-02-28"]

        let dry = try fixture.remind(byDay + ["--outbox", outbox.path, "--dry-run"])
        #expect(dry.status == 0)
        // The second line says where the renewal window stands (it names the minute of the run).
        var lines = dry.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 5 && lines[1].hasPrefix("the renewal window for fiscal year 2027 "), "\(dry.stdout)")
        if lines.count > 1 { lines.remove(at: 1) }
        #expect(
            lines.joined(separator: "\n") == """
                dry run, fiscal year 2027, wave 03-01: 2 new reminders and 0 due again would be sent; 2 vendors not reminded (downloaded already)
                  new  1000001 株式会社テスト1 <v1@example.test>
                  new  1000002 株式会社テスト2 <v2@example.test>

                """, "\(dry.stdout)")
        #expect(try fixture.reminders(fiscalYear: 2027, wave: "03-01").isEmpty, "a dry run plans nothing")
        let byCutoff = try fixture.remind(byDay + ["--outbox", outbox.path])
        #expect(byCutoff.status == 0 && byCutoff.stdout.contains(": 2 sent"), "\(byCutoff.stdout)")
        #expect(try Self.reminders(in: outbox).compactMap(\.notice.vendorCode).sorted() == ["1000001", "1000002"])
        // Without the cutoff every download counts.
        let any = try fixture.remind(["--fiscal-year", "2027", "--wave", "03-20", "--outbox", outbox.path])
        #expect(any.status == 0 && any.stdout.contains(": 1 sent"), "\(any.stdout)")
        #expect(try fixture.reminders(fiscalYear: 2027, wave: "03-20").keys.sorted() == ["1000002"])
    }

    /// The download the portal records through `otp issue` and `otp verify` is the one that spares a vendor the
    /// reminder. A verified download counts for the certificate year of its day (the calendar year in Japan).
    @Test func aVendorWhoDownloadedThroughTheOTPIsNotReminded() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let year = RenewalCalendar.certificateYear(downloadedAt: Date())
        _ = try fixture.importVendors(IssuerFixture.vendorRows(2))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "\(year)"]).status == 0)
        let otpBox = fixture.folder.appendingPathComponent("otp")
        let issued = try fixture.run([
            "otp", "issue", "--vendor", "1000000", "--from", IssuerFixture.from, "--outbox", otpBox.path,
        ])
        #expect(issued.status == 0, "\(issued.stderr)")
        let code = try #require(try IssuerFixture.messages(in: otpBox).first?.notice.otp)
        let verified = try CLI.run(
            ["--db", fixture.database, "otp", "verify", "--vendor", "1000000"], stdin: Data(code.utf8))
        #expect(verified.status == 0, "\(verified.stderr)")

        let outbox = fixture.folder.appendingPathComponent("reminders")
        let result = try fixture.remind(["--fiscal-year", "\(year)", "--wave", "03-01", "--outbox", outbox.path])
        #expect(result.status == 0 && result.stdout.contains(": 1 sent"), "\(result.stdout)")
        #expect(try Self.reminders(in: outbox).compactMap(\.notice.vendorCode) == ["1000001"])
    }

    @Test func aServerThatRefusesEveryoneTripsTheBreakerAndTheRemindersStayPending() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(25))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        let refused = try fixture.remind(
            ["--fiscal-year", "2027", "--wave", "03-01"]
                + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RCPT550")))
        #expect(refused.status == 69, "\(refused.stdout) \(refused.stderr)")
        #expect(
            refused.stderr.contains("refused 20 recipients in a row") && refused.stderr.contains("550"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("the refused reminders are pending again"), "\(refused.stderr)")
        #expect(
            refused.stdout.hasPrefix("fiscal year 2027, wave 03-01: 0 sent, 0 deferred, 0 failed"), "\(refused.stdout)")
        let states = try fixture.reminders(fiscalYear: 2027, wave: "03-01").values.map(\.state)
        #expect(states.count == 25 && states.allSatisfy { $0 == .pending }, "\(states)")
        #expect(try fixture.notices(fiscalYear: 2027).values.allSatisfy { $0.state == .sent })

        let outbox = fixture.folder.appendingPathComponent("reminders")
        let fixed = try fixture.remind(["--fiscal-year", "2027", "--wave", "03-01", "--outbox", outbox.path])
        #expect(fixed.status == 0 && fixed.stdout.contains(": 25 sent"), "\(fixed.stdout) \(fixed.stderr)")
        #expect(try Self.reminders(in: outbox).count == 25)
    }

    /// Killed three times against Postfix and run again: every vendor reminded, and a second copy only of a message
    /// that was in flight at a kill (the same Message-ID).
    @Test func killedAndRunAgainNobodyIsRemindedTwiceButTheMessageInFlight() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let count = 60
        let connections = 2
        _ = try fixture.importVendors(IssuerFixture.vendorRows(count))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2031"]).status == 0)
        // A wave of its own: Postfix's mailbox is shared by every test of the run.
        let wave = "kill-" + String(UInt32.random(in: .min ... .max), radix: 16)
        let arguments =
            [
                "--db", fixture.database, "notices", "remind", "--force", "--fiscal-year", "2031", "--wave", wave,
                "--from", IssuerFixture.from, "--connections", "\(connections)", "--rate", "600/min",
            ] + (try BatchIntegrationTests.smtpOptions("SMTP_PLAIN_PORT"))
        var kills = 0
        for _ in 0..<3 {
            let process = try CLI.start(arguments)
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...1.2))
            if process.isRunning {
                kill(process.pid, SIGKILL)
                kills += 1
            }
            _ = process.finish()
        }
        #expect(kills >= 1)
        let last = try CLI.run(arguments)
        #expect(last.status == 0, "\(last.stdout) \(last.stderr)")
        let reminders = try fixture.reminders(fiscalYear: 2031, wave: wave)
        #expect(reminders.count == count && reminders.values.allSatisfy { $0.state == .sent })
        let notices = try fixture.notices(fiscalYear: 2031)

        let ours = Set(reminders.values.map(\.messageID))
        var copies: [String: [String]] = [:]
        let folder = URL(fileURLWithPath: try TestServers.value("SMTP_MAILDIR")).appendingPathComponent("new")
        var seen = Set<String>()
        for _ in 0..<300 {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !seen.contains(name) {
                seen.insert(name)
                let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
                let notice = NoticeReader.read(bytes)
                guard let messageID = notice.messageID, ours.contains(messageID) else { continue }
                let code = notice.vendorCode ?? "?"
                #expect(notice.url == notices[code]?.url && messageID == reminders[code]?.messageID, "\(code)")
                copies[code, default: []].append(messageID)
            }
            if copies.count == count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(copies.count == count)
        let duplicates = copies.values.reduce(0) { $0 + $1.count - 1 }
        #expect(duplicates <= kills * connections, "\(duplicates) duplicates after \(kills) kills")
    }

    /// A reminder goes out from the VERP return path as a notice does, its Message-ID's local part filling the
    /// placeholder whatever the wave's length: Postfix's own bounce of a reminder to an address with no mailbox comes
    /// back to it, and `bounces watch` marks that reminder bounced, the notice left as it was.
    @Test func aReminderPostfixBouncesIsMarkedBounced() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let domain = try TestServers.value("SMTP_DOMAIN")
        let missing = try TestServers.value("SMTP_NO_MAILBOX_PREFIX")
        let run = UUID().uuidString.prefix(8).lowercased()
        _ = try fixture.importVendors(IssuerFixture.vendorRows(3) { "v\($0)-\(run)@\(domain)" })
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        // Since its notice, 1000001 has given the registry an address with no mailbox behind it.
        _ = try fixture.importVendors(["1000001,株式会社テスト1,\(missing)-\(run)-1@\(domain),construction,"])
        let returnPath = try TestServers.value("SMTP_BOUNCE_ADDRESS").replacingOccurrences(of: "@", with: "+{token}@")
        let wave = String(repeating: "w", count: 32)
        let reminded = try fixture.remind(
            ["--fiscal-year", "2027", "--wave", wave, "--return-path", returnPath]
                + (try BatchIntegrationTests.smtpOptions("SMTP_PLAIN_PORT")))
        #expect(reminded.status == 0 && reminded.stdout.contains(": 3 sent"), "\(reminded.stdout) \(reminded.stderr)")
        let reminder = try #require(try fixture.reminders(fiscalYear: 2027, wave: wave)["1000001"])

        let bounceFolder = URL(fileURLWithPath: try TestServers.value("SMTP_BOUNCE_MAILDIR"))
        var arrived = false
        for _ in 0..<100 where !arrived {
            Thread.sleep(forTimeInterval: 0.1)
            let folder = bounceFolder.appendingPathComponent("new")
            arrived = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).contains { name in
                let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                return text?.contains(reminder.messageID) == true
            }
        }
        #expect(arrived, "Postfix wrote no bounce of the reminder")
        let watch = try fixture.run([
            "bounces", "watch", "--maildir", bounceFolder.path, "--once", "--return-path", returnPath,
        ])
        #expect(
            watch.status == 0 && watch.stdout.contains(": bounced 1000001 5.1.1"), "\(watch.stdout) \(watch.stderr)")
        let states = try fixture.reminders(fiscalYear: 2027, wave: wave).mapValues(\.state)
        #expect(states == ["1000000": .sent, "1000001": .bounced, "1000002": .sent], "\(states)")
        #expect(try fixture.notices(fiscalYear: 2027).values.allSatisfy { $0.state == .sent })
        let matched = try Database(path: fixture.database).rows(
            "SELECT matched FROM bounces WHERE vendor_code = '1000001'"
        ).map { $0.text(0) ?? "" }
        #expect(matched == ["reminder"], "\(matched)")
    }

    @Test func twoRunsAtOnceOneWaitsForTheOtherAndEachReminderGoesOnce() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let count = 30
        _ = try fixture.importVendors(IssuerFixture.vendorRows(count))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        let outbox = fixture.folder.appendingPathComponent("reminders")
        let arguments = [
            "--db", fixture.database, "notices", "remind", "--force", "--fiscal-year", "2027", "--wave", "03-01",
            "--from", IssuerFixture.from, "--outbox", outbox.path, "--rate", "900/min",
        ]
        let results = try [CLI.start(arguments), CLI.start(arguments)].map { $0.finish() }
        #expect(results.map(\.status).sorted() == [0, 75], "\(results.map(\.stderr))")
        let busy = try #require(results.first { $0.status == 75 })
        #expect(
            busy.stderr.contains("another 'notifier notices send' or 'notices remind' is running"), "\(busy.stderr)")
        let reminders = try Self.reminders(in: outbox)
        #expect(reminders.count == count && Set(reminders.compactMap(\.notice.vendorCode)).count == count)
        let rerun = try CLI.run(arguments)
        #expect(rerun.status == 0 && rerun.stdout.hasPrefix("fiscal year 2027, wave 03-01: 0 sent"), "\(rerun.stdout)")
        #expect(try Self.reminders(in: outbox).count == count)
    }

    @Test(
        "bad usage is 64",
        arguments: [
            [], ["--wave", ""], ["--wave", "03 01"], ["--wave", "03/01"], ["--wave", "a.b"], ["--wave", "三月"],
            ["--wave", "03-01\n"], ["--wave", "03-01\u{1B}[2J"], ["--wave", String(repeating: "x", count: 33)],
            ["--wave", "03-01", "--not-downloaded-by", "2027-02-30"],
            ["--wave", "03-01", "--not-downloaded-by", "2027/02/28"],
            ["--wave", "03-01", "--not-downloaded-by", "27-02-28"],
            ["--wave", "03-01", "--not-downloaded-by", "２０２７-０２-２８"],
            ["--wave", "03-01", "--not-downloaded-by", "2027-2-28"],
            ["--wave", "03-01", "--smtp", "smtp://127.0.0.1:9", "--outbox", "x"],
        ])
    func badUsage(arguments: [String]) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(1))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        let result = try fixture.remind(["--fiscal-year", "2027"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}"), "a control character is never echoed")
        let flag = arguments.count > 2 ? arguments[2] : "--wave"
        if !arguments.contains("--smtp") { #expect(result.stderr.contains(flag), "\(result.stderr)") }
        #expect(try fixture.reminders(fiscalYear: 2027, wave: "03-01").isEmpty)
    }

    @Test func outsideTheWindowNeedsForce() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try fixture.run([
            "notices", "remind", "--fiscal-year", "2020", "--wave", "03-01", "--from", IssuerFixture.from,
            "--outbox", fixture.outbox.path,
        ])
        #expect(result.status == 64 && result.stderr.contains("--force"), "\(result.stderr)")
    }
}
