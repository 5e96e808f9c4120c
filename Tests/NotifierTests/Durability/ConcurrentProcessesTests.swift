import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// Several notifier processes on one database at once, as an operator's timer, a portal and a mail server run them:
/// the built binary on real SQLite files, nothing shared but the files.
@Suite("durability: concurrent processes on one database", .serialized)
struct ConcurrentProcessesTests {
    /// Starts every command, lets them all read their input at one instant, and waits for all.
    static func together(_ commands: [[String]], stdin: (Int) -> Data?) throws -> [CLI.Result] {
        let started = try commands.enumerated().map {
            try CLI.start($0.element, stdin: stdin($0.offset), holding: true)
        }
        Thread.sleep(forTimeInterval: 0.3)
        for process in started { try process.release() }
        return started.map { $0.finish() }
    }

    /// The POSIX locks `pid` holds on the file with inode `inode`, from /proc/locks.
    static func posixLocks(pid: Int32, inode: UInt64) -> Int {
        let table = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "1: POSIX  ADVISORY  READ 1234 fe:00:5678 128 128"
            guard fields.count >= 6, fields[1] == "POSIX", fields[4] == Substring(String(pid)) else { return false }
            return fields[5].split(separator: ":").last == Substring(String(inode))
        }.count
    }

    static func inode(_ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
    }

    static func integrity(_ path: String) throws -> String {
        try Database(path: path).row("PRAGMA integrity_check")?.text(0) ?? ""
    }

    /// Files in a Maildir's new/.
    static func delivered(_ maildir: URL) -> [URL] {
        let folder = maildir.appendingPathComponent("new")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).map {
            folder.appendingPathComponent($0)
        }
    }

    // MARK: 1. one connection per process

    /// `notices send` with 50 other commands starting and exiting beside it: the database stays whole, every vendor
    /// gets exactly one notice, a rerun sends nothing, and the sender holds its SQLite locks throughout.
    @Test func sendBesideFiftyOtherCommands() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let count = 2_000
        #expect(try fixture.importVendors(IssuerFixture.vendorRows(count)).status == 0)
        let sink = fixture.folder.appendingPathComponent("sink")
        let otpOutbox = fixture.folder.appendingPathComponent("otp-outbox")
        let send = [
            "--db", fixture.database, "notices", "send", "--force", "--fiscal-year", "2031",
            "--download-url-base", IssuerFixture.urlBase, "--from", IssuerFixture.from,
            "--outbox", sink.path, "--rate", "15000/min",
        ]
        let sender = try CLI.start(send)
        let inode = try Self.inode(fixture.database)
        // Wait until the sender has begun writing notices, then sample its locks while the others come and go.
        for _ in 0..<200 where Self.delivered(sink).isEmpty { Thread.sleep(forTimeInterval: 0.02) }
        #expect(!Self.delivered(sink).isEmpty, "the sender never started")
        let others: [[String]] = (0..<50).map { index in
            let vendor = String(format: "%07d", 1_000_000 + index)
            switch index % 5 {
            case 0: return ["notices", "status", "--fiscal-year", "2031"]
            case 1:
                return ["otp", "issue", "--vendor", vendor, "--from", IssuerFixture.from, "--outbox", otpOutbox.path]
            case 2: return ["otp", "verify", "--vendor", vendor]
            case 3: return ["ingest"]
            default: return send.dropFirst(2).map { $0 }
            }
        }
        let notice = try Data(contentsOf: CLI.fixtures.appendingPathComponent("corpus/p01_update_utf8_base64.eml"))
        var results: [CLI.Result] = []
        var samples = 0
        var lockless = 0
        for chunk in stride(from: 0, to: others.count, by: 5) {
            let batch = try others[chunk..<chunk + 5].map { command in
                try CLI.start(
                    ["--db", fixture.database] + command,
                    stdin: command == ["ingest"] ? notice : command.contains("verify") ? Data("ABCDEFGH\n".utf8) : nil)
            }
            for _ in 0..<3 {
                guard sender.process.isRunning else { break }
                samples += 1
                if Self.posixLocks(pid: sender.pid, inode: inode) == 0 && sender.process.isRunning { lockless += 1 }
                Thread.sleep(forTimeInterval: 0.01)
            }
            results += batch.map { $0.finish() }
        }
        let sent = sender.finish()
        #expect(sent.status == 0, "\(sent.stdout) \(sent.stderr)")
        #expect(samples >= 20, "the sender ended before the others ran: make it last longer")
        #expect(lockless == 0, "the sender held no lock on the database in \(lockless) of \(samples) samples")
        // Every other command did its work or said the database was busy; the second sends were refused.
        for (command, result) in zip(others, results) {
            if command.contains("send") {
                #expect(
                    result.status == 75
                        && result.stderr.contains("another 'notifier notices send' or 'notices remind' is running"))
            } else {
                #expect([0, 1, 75].contains(result.status), "\(command): \(result.status) \(result.stderr)")
            }
        }
        #expect(try Self.integrity(fixture.database) == "ok")
        // One copy per vendor, and a rerun sends nothing.
        var copies: [String: Int] = [:]
        for file in Self.delivered(sink) {
            copies[NoticeReader.read([UInt8](try Data(contentsOf: file))).vendorCode ?? "?", default: 0] += 1
        }
        #expect(copies.count == count && copies.values.allSatisfy { $0 == 1 })
        let rerun = try CLI.run(send)
        #expect(rerun.status == 0 && rerun.stdout.hasPrefix("fiscal year 2031: 0 sent"), "\(rerun.stdout)")
        #expect(Self.delivered(sink).count == count)
        #expect(try Self.integrity(fixture.database) == "ok")
    }

    /// A command that exits closes its connection: the last one checkpoints, so the file alone holds every commit
    /// and a plain copy of it (a backup) is whole.
    @Test func theLastCommandToExitLeavesTheDatabaseWholeInItsFile() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        #expect(try fixture.importVendors(IssuerFixture.vendorRows(30)).status == 0)
        #expect(!FileManager.default.fileExists(atPath: fixture.database + "-wal"))
        let copy = fixture.folder.appendingPathComponent("copy.sqlite3").path
        try FileManager.default.copyItem(atPath: fixture.database, toPath: copy)
        #expect(try Database(path: copy).row("SELECT count(*) FROM vendors")?.int(0) == 30)
    }

    // MARK: 2. migration

    /// Twenty `ingest` at once on a database that does not exist yet, then on one two schema versions old: one
    /// process migrates, the others wait; every notice reaches the vault and nothing is quarantined.
    /// Three rounds each: the window in which processes find a database not yet in WAL mode is short.
    @Test(arguments: [0, 0, 0, 1, 1, 1])
    func twentyIngestsMigrateOnce(startVersion: Int) throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("fresh.sqlite3").path
        if startVersion > 0 {
            try Database(path: database).migrate(Array(Schema.migrations.prefix(startVersion)))
        }
        let quarantine = folder.appendingPathComponent("quarantine")
        let results = try Self.together(
            (0..<20).map { _ in ["--db", database, "ingest", "--quarantine", quarantine.path] },
            stdin: { Data(Self.updateNotice(vendor: String(format: "%07d", 4_000_000 + $0), id: "m\($0)").utf8) })
        for result in results { #expect(result.status == 0 && result.stdout == "stored\n", "\(result.stderr)") }
        #expect(Self.delivered(quarantine).isEmpty)
        let check = try Database(path: database)
        #expect(try check.row("SELECT count(*) FROM vault_urls")?.int(0) == 20)
        #expect(try check.row("PRAGMA user_version")?.int(0) == Int64(Schema.migrations.count))
    }

    /// A trusted update notice for `vendor`, Message-ID `<id@to-kousya.example>`.
    static func updateNotice(vendor: String, id: String) -> String {
        """
        From: JKK東京 電子入札システム <nyusatsu@to-kousya.example>
        To: vendor@example.test
        Subject: =?UTF-8?B?44CQ6Zu75a2Q5YWl5pyt44K344K544OG44Og44CR6Ki85piO5pu444Gu5pu05paw44Gr44Gk44GE44Gm?=
        Message-ID: <\(id)@to-kousya.example>
        Date: Mon, 25 Jan 2027 10:00:00 +0900
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        業者コード:\(vendor)
        ダウンロードURL:https://bid.to-kousya.example/cert/download?t=Tok\(vendor)abcdefghijklmnop
        有効期間:2027/04/01～2028/03/31

        """.replacingOccurrences(of: "\n", with: "\r\n")
    }

    // MARK: 3 and 4. relays

    /// Ten `ingest` of the same OTP mail at once relay it once.
    @Test func tenIngestsOfOneOTPRelayItOnce() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("v.sqlite3").path
        let log = folder.appendingPathComponent("relayed.log")
        let mail = try VendorSideTests.otpNotice(code: "Race7777", minutes: 20, id: "race")
        let results = try Self.together(
            (0..<10).map { _ in ["--db", database, "ingest", "--relay-command", "cat >> '\(log.path)'"] },
            stdin: { _ in mail })
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1, "relayed \(lines.count) times")
        #expect(results.filter { $0.stdout == "relayed\n" }.count == 1)
    }

    /// Older and newer OTPs ingested at once, over and over: the relays come in order of expiry, never an older
    /// one after a newer one.
    @Test func neverAnOlderOTPAfterANewerOne() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("v.sqlite3").path
        let log = folder.appendingPathComponent("relayed.log")
        let codes = ["Aaaa2222", "Bbbb3333", "Cccc4444", "Dddd5555", "Eeee6666", "Ffff7777", "Gggg8888", "Hhhh9999"]
        // Expiry grows with the index; started newest first, so that the older ones race the newer ones.
        let mails = try codes.enumerated().map {
            try VendorSideTests.otpNotice(code: $0.element, minutes: 10 + $0.offset * 2, id: $0.element)
        }
        let results = try Self.together(
            codes.indices.reversed().map { _ in ["--db", database, "ingest", "--relay-command", "cat >> '\(log.path)'"]
            },
            stdin: { mails[codes.count - 1 - $0] })
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let relayed = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap { line in
            codes.firstIndex { line.contains($0) }
        }
        #expect(!relayed.isEmpty)
        #expect(relayed == relayed.sorted(), "relayed in the order \(relayed.map { codes[$0] })")
        #expect(Set(relayed).count == relayed.count)
    }

    /// A relay whose outbox cannot be written exits 75 and leaves the message unhandled; the retry relays it.
    @Test func aRelayThatFailsIsRetried() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("v.sqlite3").path
        let blocker = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let outbox = folder.appendingPathComponent("relay-outbox")
        let mail = try VendorSideTests.otpNotice(code: "Retry888", minutes: 20, id: "retry")
        let relay = ["--relay-to", "installer@example.test", "--from", "notifier@vendor.example", "--outbox"]
        let quarantine = folder.appendingPathComponent("quarantine")
        let failed = try CLI.run(
            ["--db", database, "ingest", "--quarantine", quarantine.path] + relay
                + [blocker.appendingPathComponent("outbox").path], stdin: mail)
        #expect(failed.status == 75, "\(failed.stdout) \(failed.stderr)")
        #expect(failed.stderr.contains("not relayed") && failed.stderr.contains("try again later"))
        #expect(Self.delivered(quarantine).isEmpty)
        let failedCommand = try CLI.run(["--db", database, "ingest", "--relay-command", "exit 3"], stdin: mail)
        #expect(failedCommand.status == 75 && failedCommand.stderr.contains("exited with status 3"))
        let retried = try CLI.run(["--db", database, "ingest"] + relay + [outbox.path], stdin: mail)
        #expect(retried.status == 0 && retried.stdout == "relayed\n", "\(retried.stderr)")
        let relayMail = try #require(Self.delivered(outbox).first)
        #expect(NoticeReader.read([UInt8](try Data(contentsOf: relayMail))).otp == "Retry888")
    }

    // MARK: 5. ingest --deliver

    /// With --deliver every message reaches the Maildir, notice or not; a delivery that cannot be made exits 75
    /// having changed nothing.
    @Test func ingestDeliversEveryMessage() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("v.sqlite3").path
        let maildir = folder.appendingPathComponent("Maildir")
        let corpus = CLI.fixtures.appendingPathComponent("corpus")
        let names = [
            "p01_update_utf8_base64.eml", "p07_update_phishing_url_host.eml", "p09_other_unrelated.eml",
            "p14_other_newsletter_iso2022jp.eml",
        ]
        for name in names {
            let bytes = try Data(contentsOf: corpus.appendingPathComponent(name))
            let result = try CLI.run(["--db", database, "ingest", "--deliver", maildir.path], stdin: bytes)
            #expect(result.status == 0, "\(name): \(result.stderr)")
        }
        let delivered = try Set(Self.delivered(maildir).map { try Data(contentsOf: $0) })
        #expect(delivered == Set(try names.map { try Data(contentsOf: corpus.appendingPathComponent($0)) }))
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir.appendingPathComponent("tmp").path).isEmpty)
        #expect(try CLI.run(["--db", database, "urls"]).stdout.split(separator: "\n").count == 1)

        // The configuration key does the same; a Maildir that cannot be made is 75 and changes nothing.
        let config = folder.appendingPathComponent("config")
        let blocker = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        try "deliver_maildir = \(blocker.path)/Maildir\n".write(to: config, atomically: true, encoding: .utf8)
        let notice = try Data(contentsOf: corpus.appendingPathComponent("p11_update_utf8_base64_2.eml"))
        let refused = try CLI.run(["--db", database, "--config", config.path, "ingest"], stdin: notice)
        #expect(refused.status == 75, "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was changed"))
        let handled = try Database(path: database).row("SELECT count(*) FROM handled_messages")?.int(0)
        #expect(handled == Int64(names.count))
        try "deliver_maildir = \(maildir.path)\n".write(to: config, atomically: true, encoding: .utf8)
        let accepted = try CLI.run(["--db", database, "--config", config.path, "ingest"], stdin: notice)
        #expect(accepted.status == 0 && accepted.stdout == "stored\n", "\(accepted.stderr)")
        #expect(Self.delivered(maildir).count == names.count + 1)
    }

    // MARK: 6. memory

    /// `watch --maildir` reads one message at a time: peak RSS stays under 64 MB plus the largest message, whatever
    /// the mailbox's size (here 40 messages of 4 MB).
    @Test func watchingALargeMaildirTakesTheMemoryOfOneMessage() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let maildir = folder.appendingPathComponent("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let size = 4 << 20
        let line = String(repeating: "A", count: 76) + "\r\n"
        let body = String(repeating: line, count: size / line.utf8.count)
        for index in 0..<40 {
            let message =
                "From: someone@example.test\r\nSubject: big \(index)\r\nMessage-ID: <big\(index)@example.test>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + body
            try Data(message.utf8).write(to: maildir.appendingPathComponent("new/\(1_000 + index).big"))
        }
        let run = try MeasuredRun.run(
            ["--db", folder.appendingPathComponent("v.sqlite3").path, "watch", "--maildir", maildir.path, "--once"],
            seconds: 120)
        #expect(run.status == 0, "\(run.stderr)")
        let peak = run.maxRSSKiB * 1024
        #expect(peak < 64 << 20 + size, "peak RSS \(peak >> 20) MB for a 160 MB Maildir")
    }

    // MARK: 7. relay command limits

    /// A relay command that hangs is killed with everything it started after --relay-timeout; it is a failed
    /// relay (75), and the command never sees notifier's secrets.
    @Test func aHangingRelayCommandIsKilledWithItsChildren() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("v.sqlite3").path
        let pids = folder.appendingPathComponent("pids")
        let environment = folder.appendingPathComponent("env")
        let mail = try VendorSideTests.otpNotice(code: "Hang9999", minutes: 20, id: "hang")
        let command = "env > '\(environment.path)'; sleep 300 & echo $$ $! > '\(pids.path)'; wait"
        let started = Date()
        let process = try CLI.start(
            ["--db", database, "ingest", "--relay-command", command, "--relay-timeout", "1"], stdin: mail,
            environment: [
                "NOTIFIER_SMTP_PASSWORD": "smtp-secret-1", "NOTIFIER_IMAP_PASSWORD": "imap-secret-2",
                "LANG": "C.UTF-8",
            ])
        let result = process.finish()
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("did not finish within 1 s"))
        #expect(Date().timeIntervalSince(started) < 10)
        let children = try String(contentsOf: pids, encoding: .utf8).split(separator: " ").compactMap {
            Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(children.count == 2)
        Thread.sleep(forTimeInterval: 0.2)
        for child in children {
            // Gone, or a zombie waiting for a parent that is not ours to reap.
            let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ")
            #expect(state == nil || state?[2] == "Z", "relay child \(child) still runs")
        }
        let seen = try String(contentsOf: environment, encoding: .utf8)
        #expect(!seen.contains("secret") && !seen.contains("NOTIFIER_"))
        #expect(seen.contains("PATH=") && seen.contains("LANG=C.UTF-8"))
        // The OTP was not marked handled: the next delivery relays it.
        let retried = try CLI.run(["--db", database, "ingest", "--relay-command", "cat > /dev/null"], stdin: mail)
        #expect(retried.status == 0 && retried.stdout == "relayed\n", "\(retried.stderr)")
    }

    /// In `watch`, a relay command that times out is tried again on the next pass.
    @Test func watchRetriesATimedOutRelay() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let maildir = folder.appendingPathComponent("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try VendorSideTests.otpNotice(code: "Watch222", minutes: 20, id: "watch").write(
            to: maildir.appendingPathComponent("new/1-otp"))
        let database = folder.appendingPathComponent("v.sqlite3").path
        let first = try CLI.run([
            "--db", database, "watch", "--maildir", maildir.path, "--once",
            "--relay-command", "sleep 30", "--relay-timeout", "1",
        ])
        #expect(first.status == 75 && first.stderr.contains("trying again"), "\(first.stderr)")
        let log = folder.appendingPathComponent("relayed")
        let second = try CLI.run([
            "--db", database, "watch", "--maildir", maildir.path, "--once",
            "--relay-command", "cat > '\(log.path)'",
        ])
        #expect(second.status == 0 && second.stdout == "1-otp: relayed\n", "\(second.stderr)")
        #expect(try String(contentsOf: log, encoding: .utf8).contains("Watch222"))
    }

    // MARK: 8. the run lock

    /// A second `notices send` through a symlink to the database is refused while the first runs.
    @Test func theRunLockHoldsThroughASymlink() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        #expect(try fixture.importVendors(IssuerFixture.vendorRows(200)).status == 0)
        let link = fixture.folder.appendingPathComponent("link.sqlite3")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: fixture.database)
        let sink = fixture.folder.appendingPathComponent("sink")
        let arguments = [
            "notices", "send", "--force", "--fiscal-year", "2031", "--download-url-base",
            IssuerFixture.urlBase, "--from", IssuerFixture.from, "--outbox", sink.path, "--rate", "600/min",
        ]
        let first = try CLI.start(["--db", fixture.database] + arguments)
        for _ in 0..<200 where Self.delivered(sink).isEmpty { Thread.sleep(forTimeInterval: 0.02) }
        let second = try CLI.run(["--db", link.path] + arguments)
        kill(first.pid, SIGKILL)
        _ = first.finish()
        #expect(second.status == 75, "\(second.stdout) \(second.stderr)")
        #expect(second.stderr.contains("another 'notifier notices send' or 'notices remind' is running"))
    }
}
