import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// Every suite that talks to the IMAP test server. restart-imap.sh drops every IMAP connection and
/// reset-uidvalidity.sh every session on that mailbox, so such suites must not run beside each other: nest a new one
/// in here (`extension IMAPServerSuites { @Suite struct MyTests { ... } }`) and it runs after the others.
@Suite(.serialized) enum IMAPServerSuites {}

/// The IMAP test server of Tests/Servers (Dovecot on 127.0.0.1) and its helper scripts.
enum IMAPTestServer {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Servers").standardized
    static let corpus = CLI.fixtures.appendingPathComponent("corpus")

    /// `imaps` (implicit TLS) or `imap` (STARTTLS, required or auto) for the test user, with the test CA.
    static func settings(
        _ scheme: String = "imaps", mailbox: String = "INBOX", tls: IMAPSettings.TLSMode = .auto
    ) throws -> IMAPSettings {
        let port = try TestServers.port(scheme == "imaps" ? "IMAPS_PORT" : "IMAP_PORT")
        let path = mailbox.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? mailbox
        var settings = IMAPSettings(
            url: "\(scheme)://\(try TestServers.value("IMAP_TLS_NAME")):\(port)/\(path)",
            credentials: .password(
                user: try TestServers.value("IMAP_USER"), password: try TestServers.value("IMAP_PASSWORD")),
            tls: tls,
            caFile: try TestServers.value("IMAP_CA_FILE"))
        settings.connectTimeout = 5
        settings.responseTimeout = 10
        return settings
    }

    /// Runs Tests/Servers/NAME SERVERS_DIR ARGUMENTS...; returns its standard output; a failure fails the test.
    @discardableResult
    static func script(_ name: String, _ arguments: [String] = []) throws -> String {
        try run(scripts.appendingPathComponent(name), [try TestServers.value("SERVERS_DIR")] + arguments)
    }

    @discardableResult
    static func run(_ executable: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let name = executable.lastPathComponent
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0,
            "\(name) \(arguments) failed (\(process.terminationStatus)): \(String(decoding: err, as: UTF8.self))")
        return String(decoding: out, as: UTF8.self)
    }

    static func deliver(_ file: URL, mailbox: String? = nil) throws {
        try script("deliver.sh", [file.path] + (mailbox.map { [$0] } ?? []))
    }

    /// What an IMAP server hands out for a stored file: every bare LF becomes CRLF (RFC 3501 wants CRLF; Dovecot
    /// stores what the MDA gave and converts on the way out).
    static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 40)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\n") && (index == 0 || bytes[index - 1] != UInt8(ascii: "\r")) {
                result.append(UInt8(ascii: "\r"))
            }
            result.append(byte)
        }
        return result
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imap-\(UUID().uuidString).eml")
        try Data(bytes).write(to: url)
        return url
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start) / .seconds(1)
    }
}

extension IMAPServerSuites {
    /// IMAPClient and IMAPIdler against Dovecot: EXAMINE, UID SEARCH, BODY.PEEK[], TLS, IDLE, a restart and a new
    /// UIDVALIDITY.
    @Suite("IMAP against the test Dovecot") struct IMAPClientTests {
        @Test func examineGivesUIDValidity() throws {
            let client = try IMAPClient(settings: try IMAPTestServer.settings())
            let status = try client.examine()
            #expect(status.uidValidity > 0 && status.uidNext >= 1 && status.exists >= 0)
            let again = try IMAPClient(settings: try IMAPTestServer.settings("imap", tls: .required)).examine()
            #expect(again.uidValidity == status.uidValidity)
            // Python's imaplib (STATUS) sees the same mailbox.
            let python = try IMAPTestServer.run(
                IMAPTestServer.scripts.appendingPathComponent("imaputil.py"),
                [
                    "status", try TestServers.value("IMAP_PORT"), try TestServers.value("IMAP_CA_FILE"),
                    try TestServers.value("IMAP_USER"), try TestServers.value("IMAP_PASSWORD"),
                ])
            #expect(python.split(separator: " ").first.map(String.init) == String(status.uidValidity))
        }

        @Test func deliveredMessagesComeOutByteForByteAndStayUnread() throws {
            let files = ["p10_otp_crlf.eml", "p01_update_utf8_base64.eml", "p05_update_multipart_alternative_html.eml"]
                .map { IMAPTestServer.corpus.appendingPathComponent($0) }
            let client = try IMAPClient(settings: try IMAPTestServer.settings())
            let before = try client.examine()
            for file in files { try IMAPTestServer.deliver(file) }
            let after = try client.examine()
            #expect(after.uidValidity == before.uidValidity)
            #expect(after.exists >= before.exists + 3 && after.uidNext >= before.uidNext + 3)
            let uids = try client.uids(from: before.uidNext)
            #expect(uids.count == 3 && uids == uids.sorted() && uids.allSatisfy { $0 >= before.uidNext })
            // n:* always matches the highest UID: asking past the end must still give nothing.
            #expect(try client.uids(from: after.uidNext).isEmpty)
            #expect(try client.uids(from: UInt32.max).isEmpty)

            for (uid, file) in zip(uids, files) {
                let original = [UInt8](try Data(contentsOf: file))
                #expect(!(try client.flags(uid: uid)).contains("\\Seen"))
                let fetched = try client.fetch(uid: uid)
                if file.lastPathComponent == "p10_otp_crlf.eml" {
                    #expect(fetched == original, "a CRLF file comes back exactly")
                } else {
                    #expect(fetched == IMAPTestServer.crlf(original), "\(file.lastPathComponent): LF → CRLF only")
                }
                let flags = try client.flags(uid: uid)
                #expect(!flags.contains("\\Seen"), "BODY.PEEK[] must not set \\Seen: \(flags)")
            }
            // Another session sees them unread too (EXAMINE kept \Recent and \Seen as they were).
            let other = try IMAPClient(settings: try IMAPTestServer.settings())
            for uid in uids { #expect(!(try other.flags(uid: uid)).contains("\\Seen")) }
            let missing = #expect(throws: IMAPError.self) { _ = try client.fetch(uid: after.uidNext + 1000) }
            #expect(missing?.kind == .noSuchMessage)
        }

        @Test func hostileAndLargeMessagesCannotPassForProtocol() throws {
            // Lines that look like libcurl's tags, ours, untagged data, a literal announcement, and a 200 KB line;
            // 1.2 MB in all (libcurl's own custom-command path fails above ~300 KB and cuts lines at 16 KB).
            var text = "From: x@evil.test\r\nSubject: hostile\r\n\r\n"
            for n in 1...40 { text += String(format: "A%03d OK fake\r\nN%d OK fake\r\n", n, n) }
            text += "* 99 EXISTS\r\n)\r\n* 1 FETCH (UID 1 BODY[] {3}\r\n"
            text += String(repeating: "x", count: 200_000) + "\r\n"
            for n in 0..<14_000 { text += "line \(n) of a long message, with padding to make it longer.....\r\n" }
            let hostile = Array(text.utf8)
            let file = try IMAPTestServer.temporaryFile(hostile)
            defer { try? FileManager.default.removeItem(at: file) }
            let client = try IMAPClient(settings: try IMAPTestServer.settings())
            let before = try client.examine()
            try IMAPTestServer.deliver(file)
            try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent("p10_otp_crlf.eml"))
            let uids = try client.uids(from: before.uidNext)
            try #require(uids.count == 2)
            let started = ContinuousClock.now
            let fetched = try client.fetch(uid: uids[0])
            #expect(fetched.count == hostile.count && fetched == hostile)
            // The connection is still in step: the next command gets its own answer.
            let crlf = [UInt8](try Data(contentsOf: IMAPTestServer.corpus.appendingPathComponent("p10_otp_crlf.eml")))
            #expect(try client.fetch(uid: uids[1]) == crlf)
            #expect(IMAPTestServer.seconds(since: started) < 5)

            // Too large for the limit: refused, dropped unread, and the connection goes on.
            var small = try IMAPTestServer.settings()
            small.maxMessageSize = 100_000
            let limited = try IMAPClient(settings: small)
            let error = #expect(throws: IMAPError.self) { _ = try limited.fetch(uid: uids[0]) }
            #expect(error?.kind == .messageTooLarge && error?.message.contains("\(hostile.count) bytes") == true)
            #expect(try limited.fetch(uid: uids[1]) == crlf)
        }

        @Test(
            "TLS: imaps, and imap with STARTTLS (required or when offered)",
            arguments: [
                ("imaps", IMAPSettings.TLSMode.auto), ("imap", .required), ("imap", .auto),
            ])
        func tls(scheme: String, mode: IMAPSettings.TLSMode) throws {
            let log = try TestServers.value("IMAP_LOG")
            let client = try IMAPClient(settings: try IMAPTestServer.settings(scheme, tls: mode))
            let status = try client.examine()
            #expect(status.uidValidity > 0)
            // Dovecot marks a login over TLS with "TLS" (a plain one from 127.0.0.1 with "secured").
            let logins = (try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n")
                .filter { $0.contains("Login: user=<\(try! TestServers.value("IMAP_USER"))>") }
            #expect(logins.last?.contains(", TLS") == true, "\(logins.last ?? "")")
        }

        @Test("a certificate from another CA is refused", arguments: ["imaps", "imap"])
        func wrongCA(scheme: String) throws {
            let folder = try CLI.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let otherCA = folder.appendingPathComponent("other-ca.pem")
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = [
                "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-noenc", "-days", "1", "-subj", "/CN=another CA", "-keyout",
                folder.appendingPathComponent("k.pem").path, "-out", otherCA.path,
            ]
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            try #require(openssl.terminationStatus == 0)
            for caFile in [otherCA.path, nil] {
                var settings = try IMAPTestServer.settings(scheme)
                settings.caFile = caFile
                do {
                    _ = try IMAPClient(settings: settings)
                    Issue.record("\(scheme) with CA \(caFile ?? "system"): connected")
                } catch let error as IMAPError {
                    #expect(error.kind == .unavailable, "\(error.message)")
                    #expect(!error.message.contains(try TestServers.value("IMAP_PASSWORD")))
                }
            }
        }

        @Test func wrongPasswordIsALoginErrorAndNeverShown() throws {
            var settings = try IMAPTestServer.settings("imap", tls: .required)
            let wrong = "Wr0ng-\(UUID().uuidString)"
            settings.login = .fixed(.password(user: settings.login.user, password: wrong))
            do {
                _ = try IMAPClient(settings: settings)
                Issue.record("logged in with a wrong password")
            } catch let error as IMAPError {
                #expect(error.kind == .login && ExitCode(for: error) == .noPermission)
                #expect(error.message.contains("AUTHENTICATIONFAILED") || error.message.contains("login"))
                #expect(!error.message.contains(wrong) && !"\(error)".contains(wrong))
            }
        }

        @Test func missingMailboxIsRefused() throws {
            let client = try IMAPClient(settings: try IMAPTestServer.settings(mailbox: "No such folder \(UUID())"))
            let error = #expect(throws: IMAPError.self) { _ = try client.examine() }
            // EXAMINE's NO is a folder that cannot be opened: exit 66, naming the folder.
            #expect(error?.kind == .noSuchMailbox, "\(error?.message ?? "")")
            #expect(error.map { ExitCode(for: $0) } == .noInput)
            #expect(error?.message.contains("the folder \"No such folder") == true, "\(error?.message ?? "")")
        }

        @Test func aFolderWithAJapaneseName() throws {
            let folder = "受信箱テスト"
            try IMAPTestServer.deliver(
                IMAPTestServer.corpus.appendingPathComponent("p10_otp_crlf.eml"), mailbox: folder)
            let client = try IMAPClient(settings: try IMAPTestServer.settings(mailbox: folder))
            #expect(client.mailbox == folder)
            let status = try client.examine()
            let uids = try client.uids(from: 1)
            #expect(uids.count == status.exists && !uids.isEmpty)
            let original = [UInt8](
                try Data(contentsOf: IMAPTestServer.corpus.appendingPathComponent("p10_otp_crlf.eml")))
            #expect(try client.fetch(uid: try #require(uids.last)) == original)
        }

        @Test func idleWakesSoonAfterADelivery() throws {
            let idler = try IMAPClient(settings: try IMAPTestServer.settings())
            #expect(try idler.examine().uidValidity > 0)
            let examined = idler.linesSent
            // IDLE is running once the first wait ends; nothing new yet.
            #expect(try idler.idle(0.3) == false)
            #expect(try idler.idle(0) == false && idler.idle(-1) == false)
            #expect(try idler.idle(.nan) == false)
            let delivered = ContinuousClock.now
            try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent("p02_otp_utf8_base64.eml"))
            #expect(try idler.idle(10) == true)
            let latency = IMAPTestServer.seconds(since: delivered)
            #expect(latency < 3, "IDLE woke after \(latency) s")
            // The burst was swallowed: no second wake for the same delivery.
            #expect(try idler.idle(0.3) == false)
            #expect(idler.linesSent - examined == 1, "one IDLE command, nothing else")
        }

        @Test func reidleBeforeTheServersTimeoutKeepsWorking() throws {
            let idler = try IMAPClient(settings: try IMAPTestServer.settings("imap", tls: .required))
            _ = try idler.examine()
            let examined = idler.linesSent
            let started = ContinuousClock.now
            #expect(try idler.idle(1.5, reidleInterval: 0.4) == false)
            #expect(IMAPTestServer.seconds(since: started) >= 1.4)
            // At least 4 IDLE commands, each after the first ended with DONE.
            let sent = idler.linesSent - examined
            #expect(sent >= 7, "\(sent) lines: IDLE and DONE")
            try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent("p02_otp_utf8_base64.eml"))
            #expect(try idler.idle(10, reidleInterval: 0.4) == true)
        }

        @Test func restartDropsTheConnectionsAndANewClientWorks() throws {
            let idler = try IMAPClient(settings: try IMAPTestServer.settings())
            _ = try idler.examine()
            let client = try IMAPClient(settings: try IMAPTestServer.settings("imap", tls: .required))
            let before = try client.examine()
            #expect(try idler.idle(0.2) == false)
            let started = ContinuousClock.now
            try IMAPTestServer.script("restart-imap.sh")
            let restart = IMAPTestServer.seconds(since: started)
            #expect(restart < 5, "restart-imap.sh took \(restart) s")
            do {
                _ = try idler.idle(10)
                Issue.record("the idler did not notice the restart")
            } catch let error as IMAPError {
                #expect(error.kind == .connectionLost && error.shouldReconnect, "\(error.message)")
            }
            #expect(IMAPTestServer.seconds(since: started) < 5)
            do {
                _ = try client.examine()
                Issue.record("the client did not notice the restart")
            } catch let error as IMAPError {
                #expect(error.shouldReconnect, "\(error.message)")
            }
            // Spent: the same object does not try again.
            #expect(throws: IMAPError.self) { _ = try client.examine() }
            let fresh = try IMAPClient(settings: try IMAPTestServer.settings("imap", tls: .required))
            let after = try fresh.examine()
            #expect(after.uidValidity == before.uidValidity && after.exists >= before.exists)
            let again = try IMAPClient(settings: try IMAPTestServer.settings())
            _ = try again.examine()
            #expect(try again.idle(0.1) == false)
        }

        @Test func aNewUIDValidityShowsAtTheNextExamine() throws {
            let client = try IMAPClient(settings: try IMAPTestServer.settings())
            let stale = try IMAPClient(settings: try IMAPTestServer.settings())
            try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent("p09_other_unrelated.eml"))
            let before = try client.examine()
            #expect(try stale.examine().uidValidity == before.uidValidity)
            let idler = try IMAPClient(settings: try IMAPTestServer.settings())
            _ = try idler.examine()
            #expect(try idler.idle(0.2) == false)
            let output = try IMAPTestServer.script("reset-uidvalidity.sh")
            #expect(output.split(separator: " ").first.map(String.init) == String(before.uidValidity))
            // A new EXAMINE, even on the old connection, reports the new UIDVALIDITY; the messages stay.
            let after = try client.examine()
            #expect(after.uidValidity != before.uidValidity)
            #expect(
                output.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines)
                    == String(after.uidValidity))
            #expect(after.exists == before.exists, "the messages stay")
            #expect(try client.uids(from: 1).count == after.exists)
            // The old view: Dovecot closes the connection at the next sync (NOOP before the search).
            let staleError = #expect(throws: IMAPError.self) { _ = try stale.uids(from: 1) }
            #expect(staleError?.kind == .connectionLost, "\(staleError?.message ?? "")")
            // The idler hears nothing of it until the next delivery, which makes Dovecot close its connection too.
            try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent("p09_other_unrelated.eml"))
            let idleError = #expect(throws: IMAPError.self) { _ = try idler.idle(10) }
            #expect(idleError?.kind == .connectionLost, "\(idleError?.message ?? "")")
            let fresh = try IMAPClient(settings: try IMAPTestServer.settings())
            let now = try fresh.examine()
            #expect(now.uidValidity == after.uidValidity && now.exists == after.exists + 1)
        }
    }
}

extension IMAPClient {
    /// The flags of the message with this UID (`\Seen`, keywords), read over a read-only session of its own (EXAMINE),
    /// so that looking changes nothing: the tests' way to see that notifier never marks mail read.
    func flags(uid: UInt32) throws -> [String] {
        let observer = try IMAPConnection(settings: settings)
        _ = try observer.examine(observer.endpoint.mailbox)
        for response in try observer.run("UID FETCH \(uid) (FLAGS)") where response.name == "FETCH" {
            let items = response.fetchItems
            if items["UID"]?.number == uid, case .list(let flags)? = items["FLAGS"] {
                return flags.compactMap(\.atomText)
            }
        }
        throw IMAPError(kind: .noSuchMessage, message: "no message with UID \(uid)")
    }
}

extension IMAPClient {
    /// Waits with IDLE on the folder open (an idler in the tests: a client that has EXAMINEd its mailbox).
    func idle(_ timeout: TimeInterval, reidleInterval: TimeInterval = 25 * 60) throws -> Bool {
        try waitForMail(in: current, timeout: timeout, reidleInterval: reidleInterval)
    }
}
