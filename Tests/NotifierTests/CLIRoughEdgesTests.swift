import Foundation
import MailParse
import Testing

@testable import Notifier
@testable import NotifierCore

/// The rough edges a new user hits (issue 15, item 5): each message and exit status exactly as a person reads it.
@Suite("rough edges a new user hits", .serialized)
struct CLIRoughEdgesTests {
    static let commands = RootCommand.commands.map(\.name).joined(separator: ", ")

    // 1. `notifier help foo`.
    @Test func helpForAnUnknownCommandNamesTheWordAndSuggests() throws {
        let foo = try CLI.run(["help", "foo"])
        #expect(foo.status == 64)
        #expect(foo.stdout.isEmpty)
        #expect(
            foo.stderr
                == "notifier: help: unknown command 'foo' (commands: \(Self.commands))\n"
                + "Try 'notifier --help' for more information.\n")
        let notice = try CLI.run(["help", "notice"])
        #expect(notice.status == 64)
        #expect(
            notice.stderr
                == "notifier: help: unknown command 'notice'; did you mean 'notices'?\n"
                + "Try 'notifier --help' for more information.\n")
        let subcommand = try CLI.run(["help", "notices", "sned"])
        #expect(subcommand.status == 64)
        #expect(
            subcommand.stderr
                == "notifier: help: unknown command 'notices sned'; did you mean 'notices send'?\n"
                + "Try 'notifier notices --help' for more information.\n")
        let hostile = try CLI.run(["help", "x\u{1B}[2J"])
        #expect(hostile.stderr.hasPrefix("notifier: help: unknown command 'x\u{FFFD}[2J' (commands: "))
        #expect(try CLI.run(["help", "notices", "send"]).stdout.hasPrefix("Usage: notifier notices send"))
    }

    // 2. Mistyped commands and options; a usage error points at the command's own help.
    @Test(
        "a mistyped word gets a did-you-mean among what that command accepts, and the command's own help",
        arguments: [
            (
                ["notice", "status"],
                "unknown command 'notice'; did you mean 'notices'?\nTry 'notifier --help' for more information."
            ),
            (
                ["vendor", "list"],
                "unknown command 'vendor'; did you mean 'vendors'?\nTry 'notifier --help' for more information."
            ),
            (
                ["--jsn", "notices"],
                "unknown option '--jsn'\u{20}(global options: --db, --config, --help, --version)\n"
                    + "Try 'notifier --help' for more information."
            ),
            (
                ["notices", "sned"],
                "notices: unknown subcommand 'sned'; did you mean 'send'?\n"
                    + "Try 'notifier notices --help' for more information."
            ),
            (
                ["notices", "status", "--jsn"],
                "notices status: unknown option '--jsn'; did you mean '--json'?\n"
                    + "Try 'notifier notices status --help' for more information."
            ),
            (
                ["vendors", "list", "--jso"],
                "vendors list: unknown option '--jso'; did you mean '--json'?\n"
                    + "Try 'notifier vendors list --help' for more information."
            ),
            // notices send has no --json: nothing is suggested from another command's options.
            (
                ["notices", "send", "--jsn"],
                "notices send: unknown option '--jsn'\nTry 'notifier notices send --help' for more information."
            ),
            (
                ["notices", "send", "--dry-rn"],
                "notices send: unknown option '--dry-rn'; did you mean '--dry-run'?\n"
                    + "Try 'notifier notices send --help' for more information."
            ),
            (
                ["notices", "send", "--fiscal-year", "soon"],
                "--fiscal-year takes a year like 2027, R9, 令和9 or 令和9年 (令和元年 is 2019), not 'soon'\n"
                    + "Try 'notifier notices send --help' for more information."
            ),
        ])
    func mistypedWords(arguments: [String], says: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "notifier: \(says)\n", "\(result.stderr)")
    }

    @Test func suggestionsAreCloseWordsOrPrefixesOnly() {
        let commands = RootCommand.commands.map(\.name)
        #expect(Suggestion.closest(to: "notice", among: commands) == "notices")
        #expect(Suggestion.closest(to: "ven", among: commands) == "vendors")
        #expect(Suggestion.closest(to: "otpp", among: commands) == "otp")
        #expect(Suggestion.closest(to: "prase", among: commands) == "parse")
        #expect(Suggestion.closest(to: "frobnicate", among: commands) == nil)
        #expect(Suggestion.closest(to: "--", among: ["--json", "--db"]) == nil)
        // A refused option (a password on the command line) is never offered.
        let send: Result<NoticesSendCommand, Error> = Result {
            try OptionParser.parse(Arguments(["--smtp-pasword", "x"]), command: "notices send")
        }
        #expect(throws: UsageError("notices send: unknown option '--smtp-pasword'")) { try send.get() }
    }

    // 3. A dry run outside the renewal window.
    @Test func aDryRunOutsideTheWindowShowsThePlanAndWhenTheWindowIs() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(1))
        let base = [
            "notices", "send", "--download-url-base", IssuerFixture.urlBase, "--from", IssuerFixture.from,
            "--outbox", fixture.outbox.path, "--dry-run",
        ]
        let closed = try fixture.run(base + ["--fiscal-year", "2020"])
        #expect(closed.status == 0, "\(closed.stderr)")
        let lines = closed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(closed.stdout)")
        #expect(
            lines.first
                == "dry run, fiscal year 2020: 1 new notice and 0 due again would be sent; 0 vendors waiting for "
                + "their update data (notify_after)")
        #expect(
            lines.dropFirst().first?.hasPrefix(
                "the renewal window for fiscal year 2020 closed 2020/03/31 23:59 (Japan time; it opened 2020/01/15 "
                    + "00:00); it is ") == true)
        #expect(lines.dropFirst().first?.hasSuffix(" now: a send without --force is refused (exit 64)") == true)
        #expect(lines.last == "  new  1000000 株式会社テスト0 <v0@example.test>")
        #expect(!FileManager.default.fileExists(atPath: fixture.outbox.path))
        #expect(try Database(path: fixture.database).rows("SELECT * FROM notices").isEmpty)
        let future = try fixture.run(base + ["--fiscal-year", "2999"])
        #expect(future.status == 0, "\(future.stderr)")
        #expect(
            future.stdout.contains(
                "the renewal window for fiscal year 2999 opens 2999/01/15 00:00 and closes 2999/03/31 23:59 (Japan "
                    + "time); it is "))
        #expect(future.stdout.contains(" now: a send without --force is refused (exit 64) until then\n"))
        // Without --dry-run the window still holds.
        let real = try fixture.run(Array(base.dropLast()) + ["--fiscal-year", "2020"])
        #expect(real.status == 64 && real.stderr.contains("Use --force to send anyway."))

        let inside = try #require(ISO8601DateFormatter().date(from: "2027-02-01T10:00:00+09:00"))
        #expect(
            Campaign.windowText(fiscalYear: 2027, at: inside, forced: false)
                == "the renewal window for fiscal year 2027 is open until 2027/03/31 23:59 (Japan time)")
        #expect(
            Campaign.windowText(fiscalYear: 2028, at: inside, forced: true)
                == "the renewal window for fiscal year 2028 opens 2028/01/15 00:00 and closes 2028/03/31 23:59 "
                + "(Japan time); it is 2027/02/01 10:00 now: --force would send anyway")
    }

    // 4. Configuration: every bad line, with did-you-mean; a missing --config fails everywhere.
    @Test func everyBadConfigurationLineIsReportedAndAMissingConfigurationFailsEveryCommand() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config")
        try """
        # notifier
        smtp_tl = required
        trust_host = bid.to-kousya.example
        smtp_timeout = Secret-4711
        trust_sendr = nyusatsu@to-kousya.example
        password = Hunter2-secret
        from =
        """.write(to: config, atomically: true, encoding: .utf8)
        let path = config.path
        let result = try CLI.run(["--config", path, "urls"])
        #expect(result.status == 78)
        #expect(
            result.stderr == """
                notifier: 5 problems in the configuration file \(path):
                  \(path):2: unknown key 'smtp_tl'; did you mean 'smtp_tls'?
                  \(path):4: smtp_timeout takes a number of seconds from 1 to 3600
                  \(path):5: unknown key 'trust_sendr'; did you mean 'trust_sender'?
                  \(path):6: unknown key 'password' (known keys: \(Configuration.keys.joined(separator: ", ")))
                  \(path):7: from has no value

                """, "\(result.stderr)")
        #expect(!result.stderr.contains("Secret-4711") && !result.stderr.contains("Hunter2"))

        let missing = folder.appendingPathComponent("no-such-config").path
        let says = "notifier: cannot read the configuration file \(missing); check the path and its permissions\n"
        let database = folder.appendingPathComponent("db.sqlite3").path
        for command in [
            ["urls"], ["vendors", "list"], ["notices", "status"], ["resend-url", "--vendor", "1000000", "--print"],
        ] {
            let given = try CLI.run(["--db", database, "--config", missing] + command)
            #expect(given.status == 78, "\(command): \(given.stderr)")
            #expect(given.stderr == says, "\(command)")
            let environment = try CLI.run(["--db", database] + command, environment: ["NOTIFIER_CONFIG": missing])
            #expect(environment.status == 78 && environment.stderr == says, "\(command): \(environment.stderr)")
        }
        // A mail server's delivery pipe answers a missing file its own way: the bounce is kept for a retry (75).
        let bounce = try CLI.run(
            ["--db", database, "--config", missing, "bounces", "ingest"], stdin: Data("Subject: x\n\nx\n".utf8))
        #expect(bounce.status == 75, "\(bounce.stderr)")
        #expect(bounce.stderr.contains("cannot read the configuration file \(missing)"))
        // Help still works with a missing or broken file; without --config a missing default file is no error.
        #expect(try CLI.run(["--config", missing, "help", "urls"]).status == 0)
        #expect(try CLI.run(["--config", missing, "urls", "--help"]).status == 0)
        #expect(try CLI.run(["--db", database, "urls"]).status == 0)
    }

    // 5. Plurals.
    @Test func everyCountIsSingularOrPlural() throws {
        #expect(counted(1, "vendor") == "1 vendor" && counted(0, "vendor") == "0 vendors")
        #expect(counted(2, "entry", plural: "entries") == "2 entries")
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let one = try fixture.importVendors(IssuerFixture.vendorRows(1))
        #expect(one.stdout.hasPrefix("imported 1 vendor from "), "\(one.stdout)")
        #expect(one.stdout.hasSuffix(": 1 added, 0 changed, 0 unchanged\n"))
        let short = try fixture.importVendors(["1,株式会社テスト,t@example.test,construction,"])
        #expect(short.status == 65 && short.stderr.contains("'1' has 1 digit, not 7"), "\(short.stderr)")
        let two = try fixture.importVendors(IssuerFixture.vendorRows(2))
        #expect(two.stdout.hasPrefix("imported 2 vendors from "), "\(two.stdout)")
        let sent = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(
            sent.stdout.hasPrefix(
                "fiscal year 2027: 2 sent, 0 deferred, 0 failed (of 2 due; 2 new this run; "
                    + "0 vendors waiting for notify_after)\n"), "\(sent.stdout)")
        let database = try Database(path: fixture.database)
        try database.run(
            "UPDATE notices SET state = 'failed', attempts = 1, last_code = 550, last_reply = '550 5.1.1 no such user' "
                + "WHERE vendor_code = '1000000'")
        let status = try fixture.run(["notices", "status", "--fiscal-year", "2027"])
        #expect(
            status.stdout.hasSuffix(
                "  failed  1000000 株式会社テスト0 <v0@example.test>  after 1 attempt: 550 5.1.1 no such user\n"),
            "\(status.stdout)")
        let requeued = try fixture.run(["notices", "requeue", "--fiscal-year", "2027", "--state", "failed"])
        #expect(
            requeued.stdout
                == "requeued 1 notice of fiscal year 2027 (same URL, new Message-ID): 1000000\n", "\(requeued.stdout)")
        #expect(
            OTPLockedError(vendorCode: "1000000", lockedAt: 0, wrongCodes: 1).message.contains(
                "after 1 wrong code in a row"))
        let capped = OTPRateLimitError(vendorCode: "1000000", reason: .hourlyCap(issues: 1), retryAt: 60, now: 0)
        #expect(capped.message.contains(": 1 code was mailed within the last hour"))
    }

    // 6. Reports name the vendor: code, name and address, control characters scrubbed.
    @Test func failuresAndProblemsNameTheVendorsCodeNameAndAddress() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors([
            "3000001,株式会社Ａ,a@example.test,construction,", "3000003,Ｃ商事,c+550@example.test,construction,",
        ])
        try Database(path: fixture.database).run(
            "UPDATE vendors SET name = 'C' || char(27) || '[2J商事' WHERE code = '3000003'")
        let first = try fixture.send(
            ["--fiscal-year", "2032"] + (try BatchIntegrationTests.smtpOptions("FAULTY_PORT_RCPT550")))
        #expect(first.status == 67, "\(first.stderr)")
        let failed = first.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  failed    ") }
        #expect(failed.count == 2, "\(first.stdout)")
        #expect(failed.first?.hasPrefix("  failed    3000001 株式会社Ａ <a@example.test>: 550 ") == true, "\(failed)")
        // The hostile name never reaches a message (the template refuses it), and the report shows it scrubbed.
        #expect(
            failed.last
                == "  failed    3000003 C\u{FFFD}[2J商事 <c+550@example.test>: template update_notice: variable "
                + "vendor_name contains a control character (U+001B (ESCAPE)); refused: a value is one line of plain "
                + "text", "\(failed)")
        #expect(!first.stdout.contains("\u{1B}"))
        let status = try fixture.run(["notices", "status", "--fiscal-year", "2032"])
        #expect(
            status.stdout.contains(
                "  failed  3000001 株式会社Ａ <a@example.test>  after 1 attempt: 550 5.1.1 <a@example.test>: "))
        #expect(status.stdout.contains("  failed  3000003 C\u{FFFD}[2J商事 <c+550@example.test>  after 1 attempt: "))
        let json = try fixture.run(["notices", "status", "--fiscal-year", "2032", "--json"])
        #expect(
            json.stdout.contains("\"name\": \"C\\u001b[2J商事\", \"email\": \"c+550@example.test\"}"), "\(json.stdout)")
    }

    // 7. A rerun says what is outstanding and does not end 0 while anything is.
    @Test func aRerunSaysWhatIsOutstandingAndExitsNonZeroWhileAnythingIs() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(3))
        let first = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(first.status == 0)
        #expect(first.stdout.hasSuffix("\noutstanding for fiscal year 2027: nothing\n"), "\(first.stdout)")
        let database = try Database(path: fixture.database)
        let later = Int(Date().timeIntervalSince1970) + 3600
        try database.run("UPDATE notices SET state = 'failed', attempts = 1 WHERE vendor_code = '1000000'")
        try database.run(
            "UPDATE notices SET state = 'deferred', attempts = 1, next_attempt_at = \(later) WHERE vendor_code = '1000001'"
        )
        let rerun = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(rerun.status == 67, "\(rerun.stderr)")
        #expect(
            rerun.stdout
                == "fiscal year 2027: 0 sent, 0 deferred, 0 failed (of 0 due; 0 new this run; 0 vendors waiting for "
                + "notify_after)\noutstanding for fiscal year 2027: 1 failed, 0 bounced, 1 deferred; 'notifier notices "
                + "status --fiscal-year 2027' lists them\n")
        // Only deferred left: 75. Bounced counts as refused: 67.
        try database.run("UPDATE notices SET state = 'sent' WHERE vendor_code = '1000000'")
        let deferred = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(deferred.status == 75)
        #expect(deferred.stdout.contains("outstanding for fiscal year 2027: 0 failed, 0 bounced, 1 deferred;"))
        // --vendor: what is outstanding of the vendors named.
        let other = try fixture.send(
            ["--outbox", fixture.outbox.path, "--fiscal-year", "2027", "--vendor", "1000002"])
        #expect(other.status == 0 && other.stdout.hasSuffix("outstanding for the vendors named: nothing\n"))
        try database.run("UPDATE notices SET state = 'bounced' WHERE vendor_code = '1000002'")
        let bounced = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(bounced.status == 67)
        #expect(bounced.stdout.contains("outstanding for fiscal year 2027: 0 failed, 1 bounced, 1 deferred;"))
        let help = try CLI.run(["notices", "send", "--help"])
        #expect(
            help.stdout.contains("Exit status: 0 all sent and nothing outstanding; 67 some refused for good or bounced")
        )
    }

    // 7, for `notices remind`: the same summary for its wave.
    @Test func aRemindRerunSaysWhatIsOutstandingForItsWave() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(2))
        #expect(try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"]).status == 0)
        let outbox = fixture.folder.appendingPathComponent("reminders")
        let remind = [
            "notices", "remind", "--force", "--from", IssuerFixture.from, "--fiscal-year", "2027", "--wave", "03-01",
            "--outbox", outbox.path,
        ]
        let first = try fixture.run(remind)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasSuffix("\noutstanding for fiscal year 2027, wave 03-01: nothing\n"), "\(first.stdout)")
        try Database(path: fixture.database).run(
            "UPDATE reminders SET state = 'failed', attempts = 1 WHERE vendor_code = '1000001'")
        let rerun = try fixture.run(remind)
        #expect(rerun.status == 67, "\(rerun.stdout) \(rerun.stderr)")
        #expect(
            rerun.stdout.hasPrefix(
                "fiscal year 2027, wave 03-01: 0 sent, 0 deferred, 0 failed (of 0 due; 0 new this "
                    + "run; 0 vendors not reminded (downloaded already))\n"), "\(rerun.stdout)")
        #expect(
            rerun.stdout.hasSuffix(
                "\noutstanding for fiscal year 2027, wave 03-01: 1 failed, 0 bounced, 0 deferred; 'notifier notices "
                    + "report --fiscal-year 2027' lists them\n"))
        // Another wave has nothing outstanding.
        let other = try fixture.run(Array(remind.dropLast(4)) + ["--wave", "03-20", "--outbox", outbox.path])
        #expect(other.status == 0 && other.stdout.hasSuffix("wave 03-20: nothing\n"), "\(other.stdout)")
        let help = try CLI.run(["notices", "remind", "--help"])
        #expect(help.stdout.contains("Exit status: 0 all sent and nothing outstanding for the wave; 67 some refused"))
    }

    // 8. Connection errors name the host and port; --smtp-tls required says what the server offered.
    @Test func connectionErrorsNameHostAndPortAndTheTLSRefusalIsASentence() throws {
        let smtp = try CLI.run(["send"] + SMTPIntegrationTests.arguments() + ["--smtp", "smtp://127.0.0.1:9"])
        #expect(smtp.status == 69, "\(smtp.stderr)")
        #expect(
            smtp.stderr.hasPrefix("notifier: unavailable: cannot connect to 127.0.0.1:9: Couldn't connect to server"),
            "\(smtp.stderr)")
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let imap = try CLI.run(
            [
                "--db", folder.appendingPathComponent("db").path, "watch", "--imap", "imap://127.0.0.1:9/INBOX",
                "--imap-user", "u", "--once",
            ], environment: ["NOTIFIER_IMAP_PASSWORD": "pw"])
        #expect(imap.status == 69, "\(imap.stderr)")
        #expect(imap.stderr.contains("cannot connect to 127.0.0.1:9: Couldn't connect to server"), "\(imap.stderr)")
        #expect(ServerAddress.hostAndPort(ofURL: "smtp://mail.example.jp") == "mail.example.jp:25")
        #expect(ServerAddress.hostAndPort(ofURL: "smtps://u@mail.example.jp/") == "mail.example.jp:465")
        #expect(ServerAddress.hostAndPort(ofURL: "imaps://[::1]/INBOX") == "[::1]:993")
        #expect(ServerAddress.hostAndPort(ofURL: "imap://h:1143/INBOX") == "h:1143")

        let port = try TestServers.port("FAULTY_PORT_NOTLS")
        let required = try CLI.run(
            ["send"] + SMTPIntegrationTests.arguments() + [
                "--smtp", "smtp://localhost:\(port)", "--smtp-tls", "required",
            ])
        #expect(required.status == 69)
        let sentence: String =
            "notifier: unavailable: localhost:\(port): the server does not offer STARTTLS (it offers 8BITMIME, "
            + "AUTH, ENHANCEDSTATUSCODES, SIZE, SMTPUTF8), and --smtp-tls required refuses to send in clear; "
            + "nothing was sent: have the server offer STARTTLS, use smtps:// if it takes TLS from the start, or "
            + "--smtp-tls auto (smtp_tls = auto) to send in clear to this server on purpose (Message-ID <"
        #expect(required.stderr.hasPrefix(sentence), "\(required.stderr)")
        #expect(required.stderr.hasSuffix(">)\n") && required.stderr.split(separator: "\n").count == 1)
    }

    // 9. Help lists every exit code; watch, urls and resend-url have an exit-status footer.
    @Test func helpListsEveryExitCodeAndEveryCommandHasAnExitStatus() throws {
        let root = try CLI.run(["--help"])
        for line in [
            "  0   success", "  1   a check said no: otp verify's code is wrong, expired or already used",
            "  67  refused for good:", "  77  not permitted: a login refused, a locked vendor",
            "  64  usage:", "  65  bad data:", "  66  no input:", "  69  service unavailable:", "  70  internal error",
            "  73  cannot create", "  75  temporary failure", "  78  configuration error",
        ] {
            #expect(root.stdout.contains("\n" + line), "\(line)")
        }
        for command in [["watch"], ["urls"], ["resend-url"]] {
            let help = try CLI.run(command + ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("\nExit status: 0 "), "\(command)")
        }
        #expect(try CLI.run(["watch", "--help"]).stdout.contains("77 the IMAP login was refused"))
        #expect(try CLI.run(["urls", "--help"]).stdout.contains("78 configuration error"))
        #expect(try CLI.run(["resend-url", "--help"]).stdout.contains("66 no URL is stored for the vendor"))
    }
}
