import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// The batch sender against real SMTP servers on 127.0.0.1: killed with SIGKILL and run again, and faced with a
/// server that defers some recipients and refuses others.
@Suite("notices send against real servers", .serialized)
struct BatchIntegrationTests {
    static func smtpOptions(_ portKey: String) throws -> [String] {
        [
            "--smtp", "smtp://localhost:\(try TestServers.port(portKey))", "--ca-file",
            try TestServers.value("SMTP_CA_FILE"),
        ]
    }

    @Test func killedThreeTimesAndRunAgainNobodyIsSkipped() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let count = 2_000
        let connections = 2
        let codes = (0..<count).map { String(format: "%07d", 2_000_000 + $0) }
        #expect(
            try fixture.importVendors(codes.map { "\($0),株式会社クラッシュ\($0),c\($0)@example.test,construction," }).status
                == 0)
        let arguments =
            [
                "--db", fixture.database, "notices", "send", "--force", "--fiscal-year", "2031",
                "--download-url-base", IssuerFixture.urlBase, "--from", IssuerFixture.from,
                "--connections", String(connections),
            ] + (try Self.smtpOptions("SMTP_PLAIN_PORT"))
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<3 {
            let process = try CLI.start(arguments)
            Thread.sleep(forTimeInterval: Double.random(in: 0.15...0.6, using: &generator))
            if process.isRunning {
                kill(process.pid, SIGKILL)
                kills += 1
            }
            _ = process.finish()
        }
        #expect(kills >= 1)
        let last = try CLI.run(arguments)
        #expect(last.status == 0, "\(last.stdout) \(last.stderr)")
        let database = try Database(path: fixture.database)
        let urls = Dictionary(
            uniqueKeysWithValues: try database.rows(
                "SELECT vendor_code, url, state FROM notices WHERE fiscal_year = 2031"
            ).map { ($0.text(0) ?? "", ($0.text(1) ?? "", $0.text(2) ?? "")) })
        #expect(urls.count == count)
        #expect(urls.values.allSatisfy { $0.1 == "sent" })

        // Every vendor's notice reaches the mailbox; at most one extra copy per kill per connection.
        var copies: [String: Int] = [:]
        let folder = URL(fileURLWithPath: try TestServers.value("SMTP_MAILDIR")).appendingPathComponent("new")
        var seen = Set<String>()
        for _ in 0..<600 {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !seen.contains(name) {
                let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
                guard String(decoding: bytes.prefix(4096), as: UTF8.self).contains("notice.2031.") else {
                    seen.insert(name)
                    continue
                }
                seen.insert(name)
                let notice = NoticeReader.read(bytes)
                let code = notice.vendorCode ?? "?"
                #expect(notice.kind == .updateNotice && notice.trusted, "\(name)")
                #expect(notice.url == urls[code]?.0, "\(code)")
                copies[code, default: 0] += 1
            }
            if copies.count == count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(copies.count == count)
        let duplicates = copies.values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates <= kills * connections, "\(duplicates) duplicates after \(kills) kills")
        // Postfix offers PIPELINING, so every envelope after the first went out behind the message before it;
        // Postfix says so in its log when a client pipelines where RFC 2920 does not allow it.
        let log = (try? String(contentsOfFile: try TestServers.value("SMTP_LOG"), encoding: .utf8)) ?? ""
        #expect(!log.contains("improper command pipelining"))
    }

    @Test(
        "deferred recipients go out later, refused ones are recorded; with and without PIPELINING",
        arguments: [false, true])
    func deferredRecipientsGoOutLaterRefusedOnesAreRecorded(pipelining: Bool) throws {
        let recipientPort = pipelining ? "FAULTY_PORT_RECIPIENT_PIPELINING" : "FAULTY_PORT_RECIPIENT"
        let okPort = pipelining ? "FAULTY_PORT_OK_PIPELINING" : "FAULTY_PORT_OK"
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors([
            "3000001,A,a@example.test,construction,", "3000002,B,b+451@example.test,construction,",
            "3000003,C,c+550@example.test,construction,", "3000004,D,d+451@example.test,construction,",
            "3000005,E,e@example.test,construction,",
        ])
        let first = try fixture.send(["--fiscal-year", "2032"] + (try Self.smtpOptions(recipientPort)))
        #expect(first.status == 67, "\(first.stderr)")
        #expect(first.stdout.contains("2 sent, 2 deferred, 1 failed"))
        #expect(first.stdout.contains("failed    3000003 C <c+550@example.test>: 550"), "\(first.stdout)")
        #expect(first.stdout.contains("deferred  3000002 B <b+451@example.test>: 451"), "\(first.stdout)")
        #expect(
            first.stdout.hasSuffix(
                "outstanding for fiscal year 2032: 1 failed, 0 bounced, 2 deferred; 'notifier "
                    + "notices status --fiscal-year 2032' lists them\n"))
        let status = try fixture.run(["notices", "status", "--fiscal-year", "2032", "--json"])
        #expect(status.stdout.contains("\"sent\": 2, \"deferred\": 2, \"failed\": 1"))
        #expect(
            status.stdout.contains(
                "\"vendor_code\": \"3000003\", \"state\": \"failed\", \"attempts\": 1, \"last_code\": 550"))

        // A later run: the deferred ones are not due yet (backoff) ...
        let early = try fixture.send(["--fiscal-year", "2032"] + (try Self.smtpOptions(okPort)))
        #expect(early.stdout.contains("0 sent, 0 deferred, 0 failed (of 0 due"))
        // ... and the run says so: what is outstanding, and 67 while a notice is refused.
        #expect(early.stdout.contains("outstanding for fiscal year 2032: 1 failed, 0 bounced, 2 deferred;"))
        #expect(early.status == 67)
        // ... and go out once they are (here: asked for now); the refused one stays failed.
        let later = try fixture.send(["--fiscal-year", "2032", "--retry-deferred"] + (try Self.smtpOptions(okPort)))
        #expect(later.status == 67, "\(later.stderr)")
        #expect(later.stdout.contains("2 sent, 0 deferred, 0 failed"))
        #expect(later.stdout.contains("outstanding for fiscal year 2032: 1 failed, 0 bounced, 0 deferred;"))
        let final = try fixture.run(["notices", "status", "--fiscal-year", "2032", "--json"])
        #expect(final.stdout.contains("\"sent\": 4, \"deferred\": 0, \"failed\": 1"))
    }

    @Test func aServerThatWantsALoginStopsTheRunWith77() throws {
        // 530 to MAIL FROM is the configuration's fault: the run stops at once instead of failing every vendor,
        // and what was not tried stays due for the next run.
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(20))
        let result = try fixture.send(
            ["--fiscal-year", "2034"] + (try Self.smtpOptions("FAULTY_PORT_MAIL530_PIPELINING")))
        #expect(result.status == 77, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("stopped early") && result.stderr.contains("530 5.7.0"), "\(result.stderr)")
        let counts = try NoticeStore(database: try Database(path: fixture.database)).counts(fiscalYear: 2034)
        #expect(counts[.failed, default: 0] == 0 && counts[.sent, default: 0] == 0)
        #expect(counts[.deferred, default: 0] >= 1 && counts.values.reduce(0, +) == 20, "\(counts)")
    }

    @Test func noServerStopsTheRunWith69() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(30))
        let result = try fixture.send(["--fiscal-year", "2033", "--smtp", "smtp://127.0.0.1:9"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("stopped early"))
        let status = try fixture.run(["notices", "status", "--fiscal-year", "2033", "--json"])
        #expect(status.stdout.contains("\"sent\": 0"))
    }
}
