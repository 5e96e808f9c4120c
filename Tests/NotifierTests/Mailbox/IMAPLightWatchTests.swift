import Foundation
import MailParse
import Testing

@testable import NotifierCore

@Suite struct IMAPFirstPassTests {
    @Test func theVendorsFirstPassStartsOnDecemberFirstOfTheYearBeforeInJapan() {
        // 2026-12-31 20:00 UTC is already 2027-01-01 in Japan: the season of 2027, so mail since 1-Dec-2026.
        let newYear = Date(timeIntervalSince1970: 1_798_747_200)
        #expect(IMAPSource.FirstPass.vendor(now: newYear, senders: []).since == "1-Dec-2026")
        let november = Date(timeIntervalSince1970: 1_795_996_800)  // 2026-11-30
        #expect(IMAPSource.FirstPass.vendor(now: november, senders: []).since == "1-Dec-2025")
    }

    @Test func theSendersBecomeOneSearchKeyAndWhatCannotBeQuotedIsLeftToTheHeaders() {
        let one = IMAPSource.FirstPass(since: "1-Dec-2025", senders: ["nyusatsu@to-kousya.example"])
        #expect(one.fromCriteria == "FROM \"nyusatsu@to-kousya.example\"")
        let three = IMAPSource.FirstPass(since: "1-Dec-2025", senders: ["a@x.example", "b@x.example", "c@x.example"])
        #expect(three.fromCriteria == "OR OR FROM \"a@x.example\" FROM \"b@x.example\" FROM \"c@x.example\"")
        // A quote, a backslash, a space, a line break or a non-ASCII letter could change the command: left out.
        let hostile = IMAPSource.FirstPass(
            since: "1-Dec-2025", senders: ["a\"@x.example", "b\\@x.example", "c @x", "d\r\n@x", "入札@x.example", ""])
        #expect(hostile.fromCriteria == nil)
        #expect(IMAPSource.FirstPass(since: "1-Dec-2025", senders: []).fromCriteria == nil)
    }
}

extension IMAPServerSuites {
    /// The light watcher against the real Dovecot (user IMAP_FOLDERS_USER, a folder of each test's own): what the
    /// first pass downloads, and that a quiet IDLE sends nothing.
    @Suite("watch --imap, light", .serialized)
    struct IMAPLightWatchTests {
        let folder: URL
        var database: String { folder.appendingPathComponent("vendor.sqlite3").path }

        init() throws { folder = try CLI.temporaryDirectory() }

        var user: String { get throws { try TestServers.value("IMAP_FOLDERS_USER") } }

        func settings(folders: [String]) throws -> IMAPSettings {
            var settings = IMAPSettings(
                url: "imaps://\(try TestServers.value("IMAP_TLS_NAME")):\(try TestServers.port("IMAPS_PORT"))/",
                credentials: .password(user: try user, password: try TestServers.value("IMAP_PASSWORD")),
                caFile: try TestServers.value("IMAP_CA_FILE"))
            settings.folders = folders
            settings.connectTimeout = 5
            settings.responseTimeout = 10
            return settings
        }

        func deliver(_ file: URL, to mailbox: String) throws {
            try IMAPTestServer.script("deliver.sh", [file.path, mailbox, try user])
        }

        func deliver(corpus name: String, to mailbox: String) throws {
            try deliver(IMAPTestServer.corpus.appendingPathComponent(name), to: mailbox)
        }

        /// An ordinary message of about `size` bytes (a base64 attachment), from a sender of no interest.
        func deliverOrdinary(_ index: Int, size: Int, to mailbox: String) throws -> Int {
            let attachment = Data((0..<(size * 3 / 4)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
                .base64EncodedString(options: .lineLength76Characters)
            let text = """
                From: Site Office <office\(index)@aoba-kensetsu.example>
                To: nyusatsu-tanto@aoba-kensetsu.example
                Subject: drawings \(index)
                Message-ID: <light-\(index)-\(UUID().uuidString)@aoba-kensetsu.example>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b"

                --b
                Content-Type: text/plain; charset=UTF-8

                The drawings are attached.
                --b
                Content-Type: application/pdf; name="drawing.pdf"
                Content-Transfer-Encoding: base64

                \(attachment)
                --b--

                """
            let file = try IMAPTestServer.temporaryFile(Array(text.utf8))
            defer { try? FileManager.default.removeItem(at: file) }
            try deliver(file, to: mailbox)
            return text.utf8.count
        }

        func watcher(_ source: IMAPSource, _ database: Database, reported: @escaping ([String]) -> Void)
            -> Watcher<VendorPipeline>
        {
            let pipeline = VendorPipeline(settings: .init(trust: .builtIn), database: database, diagnostics: .silent)
            return Watcher(source: source, handler: pipeline, settings: .init(once: true), stop: StopSignal()) {
                reported($0.map { "\($0.key): \($0.outcome.rawValue)" })
            }
        }

        @Test func theFirstPassDownloadsOnlyWhatCouldBeANotice() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let mailbox = "light-\(UUID().uuidString.prefix(8))"
            var total = 0
            for index in 0..<6 { total += try deliverOrdinary(index, size: 200_000, to: mailbox) }
            // A trusted notice (found by SEARCH FROM), a look-alike from a stranger and a notice forwarded by a
            // colleague (both found by their headers alone), among the ordinary ones.
            try deliver(corpus: "p01_update_utf8_base64.eml", to: mailbox)
            try deliver(corpus: "p07_update_phishing_url_host.eml", to: mailbox)
            for index in 6..<12 { total += try deliverOrdinary(index, size: 200_000, to: mailbox) }
            let database = try Database.shared(path: database)
            let source = IMAPSource(
                settings: try settings(folders: [mailbox]), state: MailboxStateStore(database: database),
                firstPass: .vendor(now: Date(), senders: TrustPolicy.builtIn.senders))
            var reported: [String] = []
            #expect(try watcher(source, database) { reported += $0 }.run() == .handled)
            #expect(reported.count == 14, "\(reported)")
            #expect(reported.filter { $0.hasSuffix(": other") }.count == 12, "\(reported)")
            #expect(reported.contains { $0.hasSuffix(": stored") } && reported.contains { $0.hasSuffix(": untrusted") })
            let urls = try VaultStore(database: database).urls()
            #expect(urls.count == 1 && urls[0].url.contains("ItUojLzHzskoosvjm4x1aAIPkPf"), "\(urls)")
            // What came down: headers, the two candidates, protocol; not the 2.4 MB of drawings.
            let received = source.traffic.bytes
            #expect(received < total / 20, "received \(received) bytes of a mailbox of \(total)")
            // The next pass finds nothing new.
            reported = []
            let before = source.traffic.bytes
            #expect(try watcher(source, database) { reported += $0 }.run() == .handled)
            #expect(reported.isEmpty && source.traffic.bytes - before < 4096, "\(reported)")
        }

        @Test func mailBeforeTheFirstPassesDayIsNeverReadAndMailAfterItIs() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let mailbox = "since-\(UUID().uuidString.prefix(8))"
            try deliver(corpus: "p01_update_utf8_base64.eml", to: mailbox)
            let database = try Database.shared(path: database)
            // A day still to come: everything there now is "older".
            let source = IMAPSource(
                settings: try settings(folders: [mailbox]), state: MailboxStateStore(database: database),
                firstPass: .init(since: "1-Jan-2099", senders: TrustPolicy.builtIn.senders))
            var reported: [String] = []
            #expect(try watcher(source, database) { reported += $0 }.run() == .handled)
            #expect(reported.isEmpty, "\(reported)")
            #expect(try VaultStore(database: database).urls().isEmpty)
            try deliver(corpus: "p11_update_utf8_base64_2.eml", to: mailbox)
            #expect(try watcher(source, database) { reported += $0 }.run() == .handled)
            #expect(reported.count == 1 && reported[0].hasSuffix(": stored"), "\(reported)")
        }

        @Test func aQuietIdleSendsNothingAndEachFolderWakesOnItsOwnConnection() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let first = "idle-\(UUID().uuidString.prefix(8))"
            let second = "junkish-\(UUID().uuidString.prefix(8))"
            _ = try deliverOrdinary(0, size: 1000, to: first)
            _ = try deliverOrdinary(1, size: 1000, to: second)
            let database = try Database.shared(path: database)
            let source = IMAPSource(
                settings: try settings(folders: [first, second]), state: MailboxStateStore(database: database),
                firstPass: .vendor(now: Date(), senders: TrustPolicy.builtIn.senders), reidleInterval: 3600)
            var reported: [String] = []
            let watcher = watcher(source, database) { reported += $0 }
            #expect(try watcher.run() == .handled)
            #expect(reported.count == 2 && source.connections == 1, "one connection reads both folders at first")
            // The first waits open a connection for the second folder, and read each folder once more (mail may have
            // come since); then both idle.
            var settled = false
            for _ in 0..<5 {
                if try !source.waitForMail(timeout: 0.5) {
                    settled = true
                    break
                }
                #expect(try watcher.run() == .handled)
            }
            #expect(settled && source.connections == 2)
            let quiet = source.traffic
            #expect(try source.waitForMail(timeout: 3) == false)
            #expect(source.traffic.lines == quiet.lines, "a command was sent while the mailbox was quiet")
            // A notice in the second folder wakes its own IDLE; the pass reads that folder alone.
            let delivered = ContinuousClock.now
            try deliver(corpus: "p11_update_utf8_base64_2.eml", to: second)
            #expect(try source.waitForMail(timeout: 10))
            #expect(IMAPTestServer.seconds(since: delivered) < 3)
            reported = []
            #expect(try watcher.run() == .handled)
            #expect(reported.count == 1 && reported[0].hasSuffix(": stored"), "\(reported)")
            // DONE, EXAMINE, NOOP, the two SEARCHes of the first pass are not repeated: a handful of commands.
            let afterWake = source.traffic.lines - quiet.lines
            #expect(afterWake <= 8, "\(afterWake) lines for one new message")
            // And the first folder's wakes its.
            try deliver(corpus: "p13_update_iso2022jp_2.eml", to: first)
            #expect(try source.waitForMail(timeout: 10))
            reported = []
            #expect(try watcher.run() == .handled)
            #expect(reported.count == 1 && reported[0].hasSuffix(": stored"), "\(reported)")
            #expect(try VaultStore(database: database).urls().count == 2)
        }
    }
}
