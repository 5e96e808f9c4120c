import Foundation
import MailParse
import Synchronization
import Testing

@testable import NotifierCore

/// `notifier notices report`: the contract section's spreadsheet, byte for byte, in UTF-8 and cp932, and as JSON
/// Lines; its snapshot while other processes write.
@Suite("notifier notices report")
struct NoticesReportTests {
    /// Fiscal year 2027's issuer, one vendor per case. The commands that bounce, remind and record downloads are
    /// built elsewhere: their rows are written here with SQL, as those commands write them.
    ///
    /// - 1000001 sent, asked for an OTP, downloaded: nothing to do.
    /// - 1000002 a formula for a name; its notice bounced (5.1.1) with a diagnostic that starts with `-`.
    /// - 1000003 a name cp932 cannot hold (𠮷); reminded twice, the second reminder bounced (5.2.2).
    /// - 1000004 a name starting with a full-width minus; its notice refused for good.
    /// - 1000005 sent; two delays (4.x.x), the latest shown; an OTP at the first instant of 2027 in Japan.
    /// - 1000006 commissioned, waiting for its notify_after day: no notice (a 2026 one does not count); a
    ///   line break in its name (written with SQL: the import refuses one).
    /// - 1000007 its notice bounced, but it downloaded: nothing to do.
    static func prepare() throws -> IssuerFixture {
        let fixture = try IssuerFixture()
        let imported = try fixture.importVendors([
            "1000001,株式会社テスト,a@example.test,construction,",
            #"1000002,"=HYPERLINK(""http://evil.example/"",""click"")",b@example.test,construction,"#,
            "1000003,𠮷野家,c@example.test,construction,",
            "1000004,－株式会社全角,d@example.test,construction,",
            "1000005,株式会社遅延,e@example.test,construction,",
            "1000006,株式会社待機,f@example.test,commissioned,2999-01-01",
            "1000007,株式会社済,g@example.test,construction,",
        ])
        try #require(imported.status == 0, "\(imported.stderr)")
        let sent = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        try #require(sent.status == 0 && sent.stdout.contains("6 sent"), "\(sent.stdout)\(sent.stderr)")

        let database = try Database(path: fixture.database)
        try database.transaction {
            try database.run("UPDATE notices SET sent_at = \(Time.sent)")
            try database.run(
                """
                UPDATE notices SET state = 'bounced', bounce_status = '5.1.1', bounced_at = ?,
                    bounce_diagnostic = '-ERR "b@example.test": no such user, sorry' WHERE vendor_code = '1000002'
                """, [.integer(Time.sent + 600)])
            try database.run(
                "UPDATE notices SET state = 'failed', sent_at = NULL, last_code = 550 WHERE vendor_code = '1000004'")
            try database.run(
                """
                UPDATE notices SET state = 'bounced', bounce_status = '5.1.1', bounce_diagnostic = 'user unknown',
                    bounced_at = ? WHERE vendor_code = '1000007'
                """, [.integer(Time.sent + 600)])
            try database.run("UPDATE vendors SET name = '株式会社待機' || char(10) || '二行目' WHERE code = '1000006'")
            // A notice of another year does not count.
            try database.run(
                """
                INSERT INTO notices (vendor_code, fiscal_year, token, url, message_id, state, sent_at, created_at,
                    updated_at) VALUES ('1000006', 2026, 'old-token', 'https://x.example/?t=old', '<old@x>', 'sent',
                    1, 1, 1)
                """)
            // Reminders, the later wave inserted first: the order is when they were sent.
            try reminder(
                database, "1000003", wave: "03-20", state: "bounced", sentAt: Time.secondWave,
                bounce: ("5.2.2", "mailbox full 😀"))
            try reminder(database, "1000003", wave: "03-01", state: "sent", sentAt: Time.firstWave)
            try reminder(database, "1000003", wave: "03-25", state: "pending", sentAt: nil)
            try reminder(database, "1000003", wave: "02-01", state: "sent", sentAt: 1, fiscalYear: 2026)
            try reminder(database, "1000005", wave: "03-01", state: "failed", sentAt: nil)
            // Delays (recorded only) and bounces that are not this vendor's year's delay.
            try bounce(database, "1000005", status: "4.4.1", diagnostic: "connection timed out", at: Time.delay1)
            try bounce(database, "1000005", status: "4.2.2", diagnostic: "\tover quota\r\nretrying", at: Time.delay2)
            try bounce(
                database, "1000005", status: "5.0.0", diagnostic: "permanent", at: Time.delay2 + 60, permanent: 1)
            try bounce(database, "1000005", status: "4.9.9", diagnostic: "last year", at: Time.delay2 + 120, year: 2026)
            // Downloads, and OTPs around the calendar year's edges in Japan.
            for (vendor, at) in [("1000001", Time.download1), ("1000007", Time.download7)] {
                try database.run(
                    "INSERT INTO downloads (vendor_code, fiscal_year, downloaded_at) VALUES (?, 2027, ?)",
                    [.text(vendor), .integer(at)])
            }
            try database.run(
                "INSERT INTO downloads (vendor_code, fiscal_year, downloaded_at) VALUES ('1000005', 2026, 1)")
            for (vendor, event, at) in [
                ("1000001", "otp_issued", Time.otp1), ("1000001", "otp_issued", Time.newYear2028),
                ("1000001", "otp_issue_failed", Time.otp1 + 86_400), ("1000005", "otp_issued", Time.newYear2027),
                ("1000005", "otp_issued", Time.newYear2027 - 60),
            ] {
                try database.run(
                    "INSERT INTO audit (at, vendor_code, event) VALUES (?, ?, ?)",
                    [.integer(at), .text(vendor), .text(event)])
            }
        }
        return fixture
    }

    /// Times as seconds since 1970, and in Japan time.
    enum Time {
        static let sent: Int64 = 1_800_405_000  // 2027-01-20 09:30
        static let firstWave: Int64 = 1_803_862_800  // 2027-03-01 10:00
        static let secondWave: Int64 = 1_805_504_400  // 2027-03-20 10:00
        static let delay1: Int64 = 1_800_831_600  // 2027-01-25 08:00
        static let delay2: Int64 = 1_800_918_000  // 2027-01-26 08:00
        static let otp1: Int64 = 1_804_223_220  // 2027-03-05 14:07
        static let download1: Int64 = 1_804_664_700  // 2027-03-10 16:45
        static let download7: Int64 = 1_805_508_900  // 2027-03-20 11:15
        static let newYear2027: Int64 = 1_798_729_200  // 2027-01-01 00:00
        static let newYear2028: Int64 = 1_830_265_200  // 2028-01-01 00:00
    }

    static func reminder(
        _ database: Database, _ vendor: String, wave: String, state: String, sentAt: Int64?,
        bounce: (status: String, diagnostic: String)? = nil, fiscalYear: Int = 2027
    ) throws {
        try database.run(
            """
            INSERT INTO reminders (vendor_code, fiscal_year, wave, url, message_id, state, sent_at, bounce_status,
                bounce_diagnostic, bounced_at, created_at, updated_at) VALUES (?, ?, ?, 'https://x.example/', ?, ?, ?,
                ?, ?, ?, 1, 1)
            """,
            [
                .text(vendor), .integer(Int64(fiscalYear)), .text(wave), .text("<\(vendor).\(wave).\(fiscalYear)@x>"),
                .text(state), sentAt.map { .integer($0) } ?? .null, SQLValue(bounce?.status),
                SQLValue(bounce?.diagnostic), bounce == nil ? .null : .integer((sentAt ?? 0) + 60),
            ])
    }

    static func bounce(
        _ database: Database, _ vendor: String, status: String, diagnostic: String, at: Int64, permanent: Int = 0,
        year: Int = 2027
    ) throws {
        try database.run(
            """
            INSERT INTO bounces (received_at, original_message_id, matched, vendor_code, fiscal_year, recipients,
                status, permanent, diagnostic) VALUES (?, NULL, 'notice', ?, ?, '[]', ?, ?, ?)
            """,
            [
                .integer(at), .text(vendor), .integer(Int64(year)), .text(status), .integer(Int64(permanent)),
                .text(diagnostic),
            ])
    }

    /// The report's rows as text, before any encoding: what the CSV holds, cell by cell, in UTF-8.
    static let expectedCSV = [
        "vendor_code,name,email,kind,state,sent_at,bounce_status,bounce_diagnostic,reminded,otp_issued_at,"
            + "downloaded_at,needs_action",
        "1000001,株式会社テスト,a@example.test,construction,sent,2027-01-20 09:30,,,,2027-03-05 14:07,2027-03-10 16:45,",
        #"1000002,"'=HYPERLINK(""http://evil.example/"",""click"")",b@example.test,construction,bounced,"#
            + #"2027-01-20 09:30,5.1.1,"'-ERR ""b@example.test"": no such user, sorry",,,,bounced"#,
        "1000003,𠮷野家,c@example.test,construction,sent,2027-01-20 09:30,5.2.2,mailbox full 😀,03-01 03-20,,,bounced",
        "1000004,'－株式会社全角,d@example.test,construction,failed,,,,,,,failed",
        "1000005,株式会社遅延,e@example.test,construction,sent,2027-01-20 09:30,4.2.2,\"'\tover quota\r\nretrying\",,"
            + "2027-01-01 00:00,,not_downloaded",
        "1000006,\"株式会社待機\n二行目\",f@example.test,commissioned,,,,,,,,",
        "1000007,株式会社済,g@example.test,construction,bounced,2027-01-20 09:30,5.1.1,user unknown,,,2027-03-20 11:15,",
    ].map { $0 + "\r\n" }.joined()

    /// The binary's exit status, its standard output as bytes, and its standard error.
    static func report(_ fixture: IssuerFixture, _ extra: [String]) throws -> (
        status: Int32, stdout: [UInt8], stderr: String
    ) {
        let process = Process()
        process.executableURL = try CLI.binary
        process.arguments = ["--db", fixture.database, "notices", "report"] + extra
        process.environment = CLI.environment()
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, [UInt8](out), String(decoding: err, as: UTF8.self))
    }

    /// Python's answer: `script` run on `input`, its standard output.
    static func python(_ script: String, _ input: [UInt8]) throws -> Data {
        // The input from a file, not a pipe: a Python that fails early must not leave this process a SIGPIPE.
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("input")
        try Data(input).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdout = Pipe()
        process.standardInput = try FileHandle(forReadingFrom: file)
        process.standardOutput = stdout
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 failed")
        return data
    }

    @Test func csvIsUTF8WithABOMAndCRLFQuotedAndNeutralized() throws {
        let fixture = try Self.prepare()
        defer { fixture.remove() }
        let result = try Self.report(fixture, ["--fiscal-year", "2027"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(Array(result.stdout.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(result.stdout == [0xEF, 0xBB, 0xBF] + Array(Self.expectedCSV.utf8))
        #expect(
            try Self.report(fixture, ["--fiscal-year", "2027", "--csv", "--encoding", "UTF-8"]).stdout == result.stdout)

        // Python's csv module (Excel's dialect) reads 8 records of 12 cells, the line breaks inside their cells.
        let read = try Self.python(
            """
            import csv, io, json, sys
            rows = list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8-sig', newline='')))
            print(json.dumps(rows))
            """, result.stdout)
        let rows = try #require(try JSONSerialization.jsonObject(with: read) as? [[String]])
        #expect(rows.count == 8 && rows.allSatisfy { $0.count == 12 })
        #expect(rows.first == NoticeReport.columns)
        #expect(rows[2][1] == #"'=HYPERLINK("http://evil.example/","click")"#)
        #expect(rows[5][7] == "'\tover quota\r\nretrying")
        #expect(rows[6][1] == "株式会社待機\n二行目")
        #expect(rows.dropFirst().map { $0[11] } == ["", "bounced", "bounced", "failed", "not_downloaded", "", ""])
    }

    @Test func cp932IsWindowsShiftJISWithQuestionMarksAndOneWarningPerVendor() throws {
        let fixture = try Self.prepare()
        defer { fixture.remove() }
        let result = try Self.report(fixture, ["--fiscal-year", "2027", "--encoding", "cp932"])
        #expect(result.status == 0, "\(result.stderr)")
        // No BOM: the header is ASCII from the first byte.
        #expect(Array(result.stdout.prefix(12)) == Array("vendor_code,".utf8))
        // 株式会社 is 8A 94 8E AE 89 EF 8E D0 in cp932 (Python and Windows agree).
        let kabushikigaisha: [UInt8] = [0x8A, 0x94, 0x8E, 0xAE, 0x89, 0xEF, 0x8E, 0xD0]
        let firstRow = Array("\r\n1000001,".utf8) + kabushikigaisha + [0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x2C]
        #expect(result.stdout.firstRange(of: firstRow) != nil)
        // Everything else as Python's cp932 codec writes it, 𠮷 and 😀 as ?.
        let substituted = Self.expectedCSV.replacingOccurrences(of: "𠮷", with: "?")
            .replacingOccurrences(of: "😀", with: "?")
        let python = try Self.python(
            "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().decode('utf-8').encode('cp932'))",
            Array(substituted.utf8))
        #expect(result.stdout == [UInt8](python))
        // One warning for the vendor, naming both columns; none for anyone else.
        let warnings = result.stderr.split(separator: "\n")
        #expect(warnings.count == 1, "\(result.stderr)")
        #expect(warnings.first?.contains("vendor 1000003") == true)
        #expect(warnings.first?.contains("name, bounce_diagnostic") == true)
    }

    @Test func jsonLinesHaveTheKeysInOrderJapanTimesAndNulls() throws {
        let fixture = try Self.prepare()
        defer { fixture.remove() }
        let result = try Self.report(fixture, ["--fiscal-year", "2027", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(!text.hasPrefix("\u{FEFF}") && !text.contains("\r\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 8 && lines.last == "")
        var objects: [[String: Any]] = []
        for line in lines.dropLast() {
            // The keys appear in the columns' order in the raw line.
            let positions = NoticeReport.columns.map { line.range(of: "\"\($0)\": ")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == Set(NoticeReport.columns))
            objects.append(object)
        }
        let first = objects[0]
        #expect(first["vendor_code"] as? String == "1000001" && first["name"] as? String == "株式会社テスト")
        #expect(first["sent_at"] as? String == "2027-01-20T09:30:00+09:00")
        #expect(first["otp_issued_at"] as? String == "2027-03-05T14:07:00+09:00")
        #expect(first["downloaded_at"] as? String == "2027-03-10T16:45:00+09:00")
        #expect(first["needs_action"] is NSNull && first["bounce_status"] is NSNull)
        #expect(first["reminded"] as? [String] == [])
        // Text from outside is as it is in JSON: no apostrophe.
        #expect(objects[1]["name"] as? String == #"=HYPERLINK("http://evil.example/","click")"#)
        #expect(objects[1]["bounce_diagnostic"] as? String == #"-ERR "b@example.test": no such user, sorry"#)
        #expect(objects[2]["reminded"] as? [String] == ["03-01", "03-20"])
        #expect(objects[2]["bounce_status"] as? String == "5.2.2")
        #expect(objects[4]["bounce_diagnostic"] as? String == "\tover quota\r\nretrying")
        #expect(objects[4]["otp_issued_at"] as? String == "2027-01-01T00:00:00+09:00")
        #expect(objects[5]["state"] is NSNull && objects[5]["name"] as? String == "株式会社待機\n二行目")
        #expect(
            objects.map { $0["needs_action"] as? String ?? "-" } == [
                "-", "bounced", "bounced", "failed", "not_downloaded", "-", "-",
            ])
    }

    @Test func needsActionFollowsItsOrder() {
        typealias Row = NoticeReport.VendorRow
        #expect(Row.needsAction(state: .bounced, reminderBounced: true, downloaded: true) == nil)
        #expect(Row.needsAction(state: .sent, reminderBounced: true, downloaded: false) == .bounced)
        #expect(Row.needsAction(state: .bounced, reminderBounced: false, downloaded: false) == .bounced)
        #expect(Row.needsAction(state: .failed, reminderBounced: false, downloaded: false) == .failed)
        for state in [NoticeState.pending, .sending, .sent, .deferred] {
            #expect(Row.needsAction(state: state, reminderBounced: false, downloaded: false) == .notDownloaded)
        }
        #expect(Row.needsAction(state: nil, reminderBounced: false, downloaded: false) == nil)
    }

    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+81 3", "'+81 3"), ("-5.1.1", "'-5.1.1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
        ("\rx", "\"'\rx\""), ("＝1", "'＝1"), ("a=b", "a=b"), ("5.1.1", "5.1.1"), ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""), ("a\nb", "\"a\nb\""), ("a\r\nb", "\"a\r\nb\""), ("", ""),
    ])
    func fieldsAreQuotedAndNeutralized(text: String, field: String) {
        #expect(NoticeReportWriter.field(text, neutralized: true) == field)
    }

    @Test func codesAndStatesAreNotNeutralized() {
        #expect(NoticeReportWriter.field("-1", neutralized: false) == "-1")
    }

    @Test func hugeAndHostileValuesStayInTheirCell() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(2))
        _ = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        let huge = String(repeating: "x\"y,\r\n\u{1B}[2J\u{7}", count: 100_000)
        try Database(path: fixture.database).run(
            "UPDATE notices SET state = 'bounced', bounce_status = '5.1.1', bounce_diagnostic = ? WHERE vendor_code = '1000000'",
            [.text(huge)])
        let result = try Self.report(fixture, ["--fiscal-year", "2027"])
        #expect(result.status == 0)
        let read = try Self.python(
            """
            import csv, io, json, sys
            csv.field_size_limit(10_000_000)
            rows = list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8-sig', newline='')))
            print(json.dumps([[len(cell) for cell in row] for row in rows]))
            """, result.stdout)
        let lengths = try #require(try JSONSerialization.jsonObject(with: read) as? [[Int]])
        #expect(lengths.count == 3 && lengths.allSatisfy { $0.count == 12 })
        #expect(lengths[1][7] == huge.unicodeScalars.count)
        let json = try Self.report(fixture, ["--fiscal-year", "2027", "--json"])
        let line = try #require(String(decoding: json.stdout, as: UTF8.self).split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["bounce_diagnostic"] as? String == huge)
    }

    @Test func aWriterHoldingItsTransactionDoesNotBlockTheReport() throws {
        let fixture = try Self.prepare()
        defer { fixture.remove() }
        let writer = try Database(path: fixture.database)
        try writer.execute("BEGIN IMMEDIATE")
        try writer.run("UPDATE notices SET state = 'failed' WHERE vendor_code = '1000001'")
        try writer.run("DELETE FROM downloads WHERE vendor_code = '1000001'")
        let started = Date()
        let during = try Self.report(fixture, ["--fiscal-year", "2027"])
        // Well under the 5 s busy timeout: the reader did not wait for the writer.
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(during.status == 0, "\(during.stderr)")
        #expect(during.stdout == [0xEF, 0xBB, 0xBF] + Array(Self.expectedCSV.utf8))
        try writer.execute("COMMIT")
        let after = try Self.report(fixture, ["--fiscal-year", "2027", "--json"])
        let first = String(decoding: after.stdout, as: UTF8.self).split(separator: "\n").first ?? ""
        #expect(first.contains("\"state\": \"failed\"") && first.contains("\"needs_action\": \"failed\""))
    }

    /// A writer commits, again and again, one more reminder wave for every vendor together with the notices'
    /// sent_at: in one snapshot every row has as many waves as its sent_at says. The reminders and the vendors
    /// are two queries; without the read transaction a commit between them shows.
    @Test func theReportIsOneSnapshotWhileAWriterCommits() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(20))
        _ = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        try Database(path: fixture.database).run("UPDATE notices SET sent_at = 0")
        let shared = Shared()
        let path = fixture.database
        let thread = Thread {
            guard let database = try? Database(path: path) else { return }
            var wave = 0
            while !shared.stop.load(ordering: .relaxed) {
                wave += 1
                try? database.transaction {
                    try database.run(
                        """
                        INSERT INTO reminders (vendor_code, fiscal_year, wave, url, message_id, state, sent_at,
                            created_at, updated_at)
                        SELECT vendor_code, 2027, 'w\(wave)', url, 'w\(wave).' || vendor_code, 'sent', \(wave), 1, 1
                        FROM notices WHERE fiscal_year = 2027
                        """)
                    try database.run("UPDATE notices SET sent_at = \(wave) WHERE fiscal_year = 2027")
                }
                shared.commits.add(1, ordering: .relaxed)
            }
        }
        thread.start()
        defer { shared.stop.store(true, ordering: .relaxed) }
        let reader = try Database(path: fixture.database)
        var reports = 0
        var inconsistent = 0
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            var rows: [NoticeReport.VendorRow] = []
            let count = try NoticeReportStore(database: reader).rows(fiscalYear: 2027) { rows.append($0) }
            #expect(count == 20)
            let waves = rows.first?.sentAt ?? -1
            let consistent = rows.allSatisfy {
                $0.sentAt == waves && $0.reminded.count == Int(waves)
                    && $0.reminded.last == (waves > 0 ? "w\(waves)" : nil)
            }
            if !consistent { inconsistent += 1 }
            reports += 1
        }
        shared.stop.store(true, ordering: .relaxed)
        while !thread.isFinished { usleep(1_000) }
        let commits = shared.commits.load(ordering: .relaxed)
        #expect(inconsistent == 0, "\(inconsistent) of \(reports) reports mixed two states")
        #expect(reports > 10 && commits > 10, "\(reports) reports, \(commits) commits")
    }

    /// What the test's writer thread and the test share.
    final class Shared: Sendable {
        let stop = Atomic<Bool>(false)
        let commits = Atomic<Int>(0)
    }

    @Test(arguments: [
        ["--fiscal-year", "2027", "--csv", "--json"], ["--fiscal-year", "2027", "--json", "--encoding", "cp932"],
        ["--fiscal-year", "2027", "--json", "--encoding", "utf-8"], ["--fiscal-year", "2027", "--encoding", "latin1"],
        ["--csv"], ["--fiscal-year", "27"],
    ])
    func badUsageIs64(arguments: [String]) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try Self.report(fixture, arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("notices report"))
    }

    @Test func helpNamesTheColumnsEncodingsAndTheApostrophe() throws {
        let help = try CLI.run(["notices", "report", "--help"]).stdout
        for word in NoticeReport.columns + ["cp932", "byte order mark", "apostrophe", "OWASP", "CRLF", "+09:00"] {
            #expect(help.contains(word), "\(word)")
        }
        #expect(try CLI.run(["notices", "--help"]).stdout.contains("report"))
    }

    @Test func theCertificatePeriodIsTheCalendarYearInJapan() {
        let period = RenewalCalendar.certificatePeriod(of: 2027)
        #expect(Int64(period.start.timeIntervalSince1970) == Time.newYear2027)
        #expect(Int64(period.end.timeIntervalSince1970) == Time.newYear2028)
        #expect(RenewalCalendar.certificateYear(downloadedAt: period.start) == 2027)
        #expect(RenewalCalendar.certificateYear(downloadedAt: period.end.addingTimeInterval(-1)) == 2027)
        #expect(RenewalCalendar.certificateYear(downloadedAt: period.end) == 2028)
        for year in [RenewalCalendar.supportedYears.lowerBound, RenewalCalendar.supportedYears.upperBound] {
            let edge = RenewalCalendar.certificatePeriod(of: year)
            #expect(RenewalCalendar.certificateYear(downloadedAt: edge.start) == year)
            #expect(RenewalCalendar.certificateYear(downloadedAt: edge.end) == year + 1)
        }
    }

    @Test func theEncoderReplacesWhatCP932CannotHold() throws {
        let encoder = try #require(IconvEncoder(charset: "cp932"))
        #expect(encoder.encode("株式会社").bytes == [0x8A, 0x94, 0x8E, 0xAE, 0x89, 0xEF, 0x8E, 0xD0])
        #expect(encoder.encode("𠮷野家😀!") == ([0x3F, 0x96, 0xEC, 0x89, 0xC6, 0x3F, 0x21], 2))
        #expect(encoder.encode("") == ([], 0))
        let long = String(repeating: "ア𠮷", count: 10_000)
        #expect(encoder.encode(long).replaced == 10_000 && encoder.encode(long).bytes.count == 30_000)
        #expect(IconvEncoder(charset: "CP932//TRANSLIT") == nil && IconvEncoder(charset: "no-such-charset") == nil)
    }
}
