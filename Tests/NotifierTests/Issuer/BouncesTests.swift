import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `notifier bounces watch|ingest`: the bounce mailbox read back into the notices' states.
@Suite("bounces: matched to notices, reminders and OTP mails")
struct BouncesTests {
    static let verp = "bounces+{token}@to-kousya.example"

    /// An RFC 3464 report as Postfix writes one: the human part, the delivery status, the returned headers.
    static func report(
        originalMessageID: String?, recipient: String, status: String = "5.1.1", action: String = "failed",
        diagnostic: String = "smtp; 550 5.1.1 <user>: Recipient address rejected: User unknown",
        to: String = "bounces@to-kousya.example", messageID: String = "<\(UUID().uuidString)@mx.example.jp>"
    ) -> Data {
        let returned = originalMessageID.map { "Message-ID: <\($0)>\r\n" } ?? ""
        return Data(
            """
            From: Mail Delivery System <MAILER-DAEMON@mx.example.jp>\r
            To: \(to)\r
            Subject: Undelivered Mail Returned to Sender\r
            Message-ID: \(messageID)\r
            Auto-Submitted: auto-replied\r
            MIME-Version: 1.0\r
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=us-ascii\r
            \r
            I'm sorry to have to inform you that your message could not be delivered.\r
            \r
            --b1\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; mx.example.jp\r
            \r
            Final-Recipient: rfc822; \(recipient)\r
            Action: \(action)\r
            Status: \(status)\r
            Diagnostic-Code: \(diagnostic)\r
            \r
            --b1\r
            Content-Type: text/rfc822-headers\r
            \r
            From: nyusatsu@to-kousya.example\r
            To: \(recipient)\r
            Subject: notice\r
            \(returned)\r
            --b1--\r

            """.utf8)
    }

    /// A qmail bounce that returns nothing of the message: only the address it came back to names it.
    static func qmailBounce(to: String, recipient: String) -> Data {
        Data(
            """
            From: MAILER-DAEMON@mx.example.jp\r
            To: \(to)\r
            Subject: failure notice\r
            Message-ID: <\(UUID().uuidString)@mx.example.jp>\r
            \r
            Hi. This is the qmail-send program at mx.example.jp.\r
            I'm afraid I wasn't able to deliver your message to the following addresses.\r
            This is a permanent error; I've given up. Sorry it didn't work out.\r
            \r
            <\(recipient)>:\r
            Sorry, no mailbox here by that name. (#5.1.1)\r

            """.utf8)
    }

    /// The fixture with three vendors whose notices for 2027 were sent into the outbox.
    static func sentFixture(count: Int = 3) throws -> (IssuerFixture, [NoticeStore.Notice]) {
        let fixture = try IssuerFixture()
        _ = try fixture.importVendors(IssuerFixture.vendorRows(count))
        let sent = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(sent.status == 0, "\(sent.stderr)")
        return (fixture, try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027))
    }

    static func ingest(_ fixture: IssuerFixture, _ message: Data, verp: Bool = false) throws -> CLI.Result {
        try fixture.run(["bounces", "ingest"] + (verp ? ["--return-path", Self.verp] : []), stdin: message)
    }

    @Test func aReturnPathHoldsItsPlaceholderOnceInTheLocalPartAndFitsAnAddress() throws {
        let plain = try #require(ReturnPath("bounces@to-kousya.example"))
        #expect(!plain.isVariable && plain.address(forMessageID: "x@y") == "bounces@to-kousya.example")
        #expect(plain.tag(in: "bounces@to-kousya.example") == nil)
        let verp = try #require(ReturnPath(Self.verp))
        #expect(
            verp.address(forMessageID: "notice.2027.1000000.AbC_-x@to-kousya.example")
                == "bounces+notice.2027.1000000.AbC_-x@to-kousya.example")
        #expect(verp.tag(in: "BOUNCES+notice.2027.1000000.abc_-x@TO-KOUSYA.example") == "notice.2027.1000000.abc_-x")
        #expect(verp.tag(in: "bounces+@to-kousya.example") == nil && verp.tag(in: "bounces+x@other.example") == nil)
        for bad in [
            "bounces", "{token}@{token}.example", "a{token}b{token}@to-kousya.example", "bounces+{token}@",
            "bounces +{token}@to-kousya.example", String(repeating: "b", count: 21) + "+{token}@to-kousya.example",
            "bounces+{token}@to-kousya.example\r\nBcc: x@evil.example",
        ] {
            #expect(ReturnPath(bad) == nil, "\(bad)")
        }
        let usage = try CLI.run(["notices", "send", "--return-path", "a{token}{token}@x.example"])
        #expect(usage.status == 64 && usage.stderr.contains("--return-path"), "\(usage.stderr)")
    }

    @Test func aPermanentBounceMarksItsNoticeADelayIsRecordedOnlyAndOtherMailIsLeftAlone() throws {
        let (fixture, notices) = try Self.sentFixture()
        defer { fixture.remove() }
        let report = Self.report(originalMessageID: notices[0].messageID, recipient: "v0@example.test")
        let bounced = try Self.ingest(fixture, report)
        #expect(bounced.status == 0 && bounced.stdout.hasSuffix(": bounced 1000000 5.1.1\n"), "\(bounced.stderr)")
        let delayed = try Self.ingest(
            fixture,
            Self.report(
                originalMessageID: notices[1].messageID, recipient: "v1@example.test", status: "4.4.1",
                action: "delayed", diagnostic: "smtp; 451 4.4.1 try again later"))
        #expect(delayed.stdout.hasSuffix(": delayed 1000001 4.4.1\n"), "\(delayed.stdout)")
        let autoReply = try Self.ingest(
            fixture,
            Data(
                "From: v2@example.test\r\nTo: bounces@to-kousya.example\r\nAuto-Submitted: auto-replied\r\nSubject: 不在のお知らせ\r\n\r\n12月29日まで不在です。\r\n"
                    .utf8))
        #expect(autoReply.stdout.hasSuffix(": not_bounce\n"), "\(autoReply.stdout)")

        let database = try Database(path: fixture.database)
        let after = try NoticeStore(database: database).notices(fiscalYear: 2027)
        #expect(after.map(\.state) == [.bounced, .sent, .sent])
        #expect(after[0].bounceStatus == "5.1.1" && after[0].bounceDiagnostic?.contains("User unknown") == true)
        let kept = try database.rows("SELECT matched, status, permanent FROM bounces ORDER BY id")
        #expect(kept.count == 2)
        #expect(try kept.map { try $0["status"] as String } == ["5.1.1", "4.4.1"])
        #expect(try kept.map { try $0["permanent"] as Int } == [1, 0])

        // The status lists it with the server's words; the same report again is not applied twice.
        let status = try fixture.run(["notices", "status", "--fiscal-year", "2027"])
        #expect(
            status.stdout.contains("1 bounced")
                && status.stdout.contains("bounced  1000000 株式会社テスト0 <v0@example.test>  5.1.1"), "\(status)")
        let again = try Self.ingest(fixture, report)
        #expect(again.status == 0 && again.stdout.hasSuffix(": already handled\n"), "\(again.stdout)")
        #expect(try database.rows("SELECT 1 FROM bounces").count == 2)
    }

    @Test func verpFindsTheNoticeOfABounceThatQuotesNothingEvenLowerCased() throws {
        let (fixture, notices) = try Self.sentFixture()
        defer { fixture.remove() }
        let path = try #require(ReturnPath(Self.verp))
        let address = path.address(forMessageID: notices[2].messageID)
        #expect(address.hasPrefix("bounces+notice.2027.1000002.") && address.hasSuffix("@to-kousya.example"))
        // Without the VERP return path configured, nothing names the notice.
        let blind = try Self.ingest(fixture, Self.qmailBounce(to: address, recipient: "v2@example.test"))
        #expect(blind.stdout.contains(": unmatched") && blind.stdout.contains("(v2@example.test)"), "\(blind.stdout)")
        let matched = try Self.ingest(
            fixture, Self.qmailBounce(to: address.lowercased(), recipient: "v2@example.test"), verp: true)
        #expect(matched.stdout.hasSuffix(": bounced 1000002 5.1.1\n"), "\(matched.stdout) \(matched.stderr)")
        #expect(
            try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027).map(\.state) == [
                .sent, .sent, .bounced,
            ])
    }

    @Test func aForgedBounceAndALateBounceOfARequeuedNoticeChangeNothing() throws {
        let (fixture, notices) = try Self.sentFixture()
        defer { fixture.remove() }
        let forged = try Self.ingest(
            fixture,
            Self.report(
                originalMessageID: "notice.2027.1000000.guessed@to-kousya.example", recipient: "v0@example.test"))
        #expect(forged.stdout.contains(": unmatched 5.1.1"), "\(forged.stdout)")
        let first = try Self.ingest(
            fixture, Self.report(originalMessageID: notices[1].messageID, recipient: "v1@example.test"))
        #expect(first.stdout.contains(": bounced 1000001"))
        let requeue = try fixture.run(["notices", "requeue", "--fiscal-year", "2027", "--state", "bounced"])
        #expect(requeue.status == 0 && requeue.stdout.contains(": 1000001\n"), "\(requeue.stdout) \(requeue.stderr)")
        // The old message's second bounce (another relay's) names a Message-ID the notice no longer has.
        let late = try Self.ingest(
            fixture, Self.report(originalMessageID: notices[1].messageID, recipient: "v1@example.test"))
        #expect(late.stdout.contains(": unmatched"), "\(late.stdout)")
        let after = try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027)
        #expect(after.map(\.state) == [.sent, .pending, .sent])
        #expect(after[1].bounceStatus == nil && after[1].messageID != notices[1].messageID)
    }

    @Test func anOTPMailThatComesBackIsInTheAuditTrail() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(1))
        let issued = try fixture.run([
            "otp", "issue", "--vendor", "1000000", "--from", IssuerFixture.from, "--outbox", fixture.outbox.path,
        ])
        #expect(issued.status == 0, "\(issued.stderr)")
        let messageID = try #require(try IssuerFixture.messages(in: fixture.outbox).first?.messageID)
        #expect(messageID.hasPrefix("otp.1000000."))
        let bounce = try Self.ingest(fixture, Self.report(originalMessageID: messageID, recipient: "v0@example.test"))
        #expect(bounce.stdout.hasSuffix(": otp_bounced 1000000 5.1.1\n"), "\(bounce.stdout) \(bounce.stderr)")
        let rows = try Database(path: fixture.database).rows(
            "SELECT detail FROM audit WHERE vendor_code = '1000000' AND event = 'otp_bounced'")
        #expect(rows.count == 1)
        #expect(try rows.first.map { try $0["detail"] as String }?.contains("5.1.1") == true)
    }

    @Test func aHostileReportCannotReachTheTerminalOrBreakTheBatch() throws {
        let (fixture, notices) = try Self.sentFixture(count: 1)
        defer { fixture.remove() }
        let hostile = try Self.ingest(
            fixture,
            Self.report(
                originalMessageID: notices[0].messageID, recipient: "v0@example.test\u{1B}[2J",
                status: "5.1.1", diagnostic: "smtp; 550 \u{1B}]0;owned\u{07}" + String(repeating: "x", count: 100_000)))
        #expect(hostile.status == 0 && !hostile.stdout.contains("\u{1B}"), "\(hostile.stderr)")
        let status = try fixture.run(["notices", "status", "--fiscal-year", "2027"])
        #expect(status.stdout.contains("bounced  1000000") && !status.stdout.contains("\u{1B}"))
        let diagnostic = try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027)[0]
            .bounceDiagnostic
        #expect((diagnostic?.count ?? 0) <= Bounce.maxDiagnosticLength)
        // Not a message at all: handled, and nothing else happens.
        let garbage = try Self.ingest(fixture, Data(repeating: 0xFF, count: 4096))
        #expect(garbage.status == 0 && garbage.stdout.hasSuffix(": not_bounce\n"), "\(garbage.stdout)")
    }

    @Test func twoWatchersOnOneMailboxApplyEachBounceOnce() throws {
        let (fixture, notices) = try Self.sentFixture(count: 40)
        defer { fixture.remove() }
        let maildir = fixture.folder.appendingPathComponent("bounces")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for (index, notice) in notices.enumerated() {
            let report = Self.report(originalMessageID: notice.messageID, recipient: "v\(index)@example.test")
            try report.write(to: maildir.appendingPathComponent("new/\(index).bounce"))
            // Every fourth one twice, under another name (a copy the mail server delivered again).
            if index % 4 == 0 { try report.write(to: maildir.appendingPathComponent("new/\(index).copy")) }
        }
        let arguments = ["--db", fixture.database, "bounces", "watch", "--maildir", maildir.path, "--once"]
        let watchers = try (0..<2).map { _ in try CLI.start(arguments) }
        let results = watchers.map { $0.finish() }
        #expect(results.allSatisfy { $0.status == 0 || $0.status == 75 }, "\(results.map(\.stderr))")
        // A watcher that met the other's lock leaves the rest to its next pass: one more pass finishes.
        let last = try fixture.run(["bounces", "watch", "--maildir", maildir.path, "--once"])
        #expect(last.status == 0, "\(last.stderr)")
        let lines = (results.map(\.stdout) + [last.stdout]).joined().split(separator: "\n")
        #expect(lines.filter { $0.contains(": bounced ") }.count == 40)
        #expect(lines.filter { $0.hasSuffix(": duplicate") }.count == 10)
        let database = try Database(path: fixture.database)
        #expect(try database.rows("SELECT 1 FROM bounces").count == 40)
        #expect(try NoticeStore(database: database).notices(fiscalYear: 2027).allSatisfy { $0.state == .bounced })
    }

    /// Postfix accepts the notices, finds no mailbox for some recipients, and writes the delivery status
    /// notifications itself, to the VERP return path whose mailbox is a Maildir.
    @Test func postfixBouncesEndToEnd() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let domain = try TestServers.value("SMTP_DOMAIN")
        let missing = try TestServers.value("SMTP_NO_MAILBOX_PREFIX")
        let run = UUID().uuidString.prefix(8).lowercased()
        // Six vendors; 1000001 and 1000004 have addresses with no mailbox behind them.
        let rows = IssuerFixture.vendorRows(6) { index in
            [1, 4].contains(index) ? "\(missing)-\(run)-\(index)@\(domain)" : "v\(index)-\(run)@\(domain)"
        }
        _ = try fixture.importVendors(rows)
        let returnPath = try TestServers.value("SMTP_BOUNCE_ADDRESS").replacingOccurrences(of: "@", with: "+{token}@")
        let sent = try fixture.send(
            ["--fiscal-year", "2027", "--return-path", returnPath]
                + (try BatchIntegrationTests.smtpOptions("SMTP_PLAIN_PORT")))
        #expect(sent.status == 0 && sent.stdout.contains("6 sent"), "\(sent.stdout) \(sent.stderr)")

        let notices = try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027)
        let bounceFolder = URL(fileURLWithPath: try TestServers.value("SMTP_BOUNCE_MAILDIR"))
        let expected = [notices[1].messageID, notices[4].messageID]
        var arrived: [String] = []
        for _ in 0..<100 where arrived.count < 2 {
            Thread.sleep(forTimeInterval: 0.1)
            let files =
                (try? FileManager.default.contentsOfDirectory(atPath: bounceFolder.appendingPathComponent("new").path))
                ?? []
            arrived = files.filter { name in
                let text =
                    (try? String(contentsOf: bounceFolder.appendingPathComponent("new/\(name)"), encoding: .utf8))
                return expected.contains { text?.contains($0) == true }
            }
        }
        #expect(arrived.count == 2, "Postfix wrote no bounce for both: \(arrived)")

        let watch = try fixture.run([
            "bounces", "watch", "--maildir", bounceFolder.path, "--once", "--return-path", returnPath,
        ])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(
            watch.stdout.contains(": bounced 1000001 5.1.1") && watch.stdout.contains(": bounced 1000004 5.1.1"),
            "\(watch.stdout)")
        let after = try NoticeStore(database: try Database(path: fixture.database)).notices(fiscalYear: 2027)
        #expect(after.map(\.state) == [.sent, .bounced, .sent, .sent, .bounced, .sent])
        #expect(after[1].bounceDiagnostic?.contains("unknown user") == true, "\(after[1].bounceDiagnostic ?? "")")
        // The contract section's report lists exactly those two as bounced, the others as not downloaded yet.
        let report = try fixture.run(["notices", "report", "--fiscal-year", "2027", "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        let reported = try report.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let needs = Dictionary(
            uniqueKeysWithValues: reported.map { row in
                (row["vendor_code"] as? String ?? "", row["needs_action"] as? String ?? "")
            })
        #expect(
            needs == [
                "1000000": "not_downloaded", "1000001": "bounced", "1000002": "not_downloaded",
                "1000003": "not_downloaded", "1000004": "bounced", "1000005": "not_downloaded",
            ])
        #expect(reported.filter { $0["bounce_status"] as? String == "5.1.1" }.count == 2)
        // Run again: nothing is applied twice.
        let again = try fixture.run(["bounces", "watch", "--maildir", bounceFolder.path, "--once"])
        #expect(again.status == 0 && !again.stdout.contains("bounced"), "\(again.stdout)")
    }
}
