import Foundation
import MailParse
import Testing

@testable import Notifier
@testable import NotifierCore

/// POP3 against the test servers' Dovecot (the IMAP user's INBOX is the POP3 maildrop) and faulty_pop3.py. Dovecot
/// logs every POP3 session's end with what it fetched (`top=N/BYTES, retr=N/BYTES, del=N/MESSAGES`): the tests read
/// that line to know what notifier downloaded and that it deleted nothing. Each test begins with an empty maildrop.
extension IMAPServerSuites {
    @Suite("watch --pop3", .serialized)
    struct POP3Tests {
        let folder: URL
        var database: String { folder.appendingPathComponent("vendor.sqlite3").path }

        init() throws { folder = try CLI.temporaryDirectory() }

        /// `pop3s://localhost:PORT` (implicit TLS) or `pop3://localhost:PORT` (STLS).
        static func url(_ scheme: String) throws -> String {
            "\(scheme)://\(try TestServers.value("IMAP_TLS_NAME")):\(try TestServers.port(scheme == "pop3s" ? "POP3S_PORT" : "POP3_PORT"))"
        }

        static func watch(_ scheme: String, database: String, command: [String] = ["watch"]) throws -> [String] {
            ["--db", database] + command + [
                "--pop3", try url(scheme), "--pop3-user", try TestServers.value("IMAP_USER"), "--ca-file",
                try TestServers.value("IMAP_CA_FILE"), "--once",
            ]
        }

        static var environment: [String: String] {
            get throws { ["NOTIFIER_POP3_PASSWORD": try TestServers.value("IMAP_PASSWORD")] }
        }

        /// The maildrop as another POP3 client sees it: `NUMBER UIDL SIZE` lines.
        static func maildrop() throws -> [String] {
            try pop3util(["list"]).split(separator: "\n").map(String.init)
        }

        @discardableResult
        static func pop3util(_ arguments: [String]) throws -> String {
            try IMAPTestServer.run(
                URL(fileURLWithPath: "/usr/bin/python3"),
                [
                    IMAPTestServer.scripts.appendingPathComponent("pop3util.py").path, arguments[0],
                    try TestServers.value("SERVERS_DIR"),
                ] + arguments.dropFirst())
        }

        /// What Dovecot says of the POP3 sessions that ended after the log had `offset` bytes: their TOP and RETR
        /// counts, their deletions, and whether every login was over TLS.
        struct Sessions: Equatable {
            var sessions = 0
            var tops = 0
            var retrievals = 0
            var deletions = 0
            var tlsLogins = 0
            var logins = 0
        }

        static func logSize() throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: try TestServers.value("IMAP_LOG"))[.size] as? Int) ?? 0
        }

        static func sessions(since offset: Int) throws -> Sessions {
            var result = Sessions()
            let log = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try TestServers.value("IMAP_LOG"))))
            let text = String(decoding: log.dropFirst(offset), as: UTF8.self)
            func number(_ line: Substring, _ name: String) -> Int {
                guard let range = line.range(of: " \(name)=") ?? line.range(of: "\(name)=") else { return 0 }
                return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
            }
            for line in text.split(separator: "\n") {
                if line.contains("pop3-login: Info: Login:") {
                    result.logins += 1
                    if line.contains(", TLS") { result.tlsLogins += 1 }
                }
                guard line.contains("pop3("), line.contains("Logged out") else { continue }
                result.sessions += 1
                result.tops += number(line, "top")
                result.retrievals += number(line, "retr")
                result.deletions += number(line, "del")
            }
            return result
        }

        /// A message no notice resembles: a colleague's mail about a site meeting.
        static func ordinary(_ index: Int) throws -> URL {
            let text = """
                From: Site Office <office\(index)@aoba-kensetsu.example>
                To: nyusatsu-tanto@aoba-kensetsu.example
                Subject: =?UTF-8?B?\(Data("現場定例会議 第\(index)回".utf8).base64EncodedString())?=
                Date: Mon, 19 Jan 2026 10:0\(index % 10):00 +0900
                Message-ID: <ordinary-\(index)-\(UUID().uuidString)@aoba-kensetsu.example>
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                \(String(repeating: "the agenda of the meeting, line by line\n", count: 200))
                """
            return try IMAPTestServer.temporaryFile(Array(text.utf8))
        }

        static func deliver(_ names: [String], ordinary count: Int = 0) throws {
            for name in names { try IMAPTestServer.deliver(IMAPTestServer.corpus.appendingPathComponent(name)) }
            for index in 0..<count {
                let file = try ordinary(index)
                defer { try? FileManager.default.removeItem(at: file) }
                try IMAPTestServer.deliver(file)
            }
        }

        func vault() throws -> [Substring] {
            try CLI.run(["--db", database, "urls", "--json"]).stdout.split(separator: "\n")
        }

        @Test(
            "a notice is vaulted once; only candidates are downloaded; nothing is deleted",
            arguments: ["pop3s", "pop3"])
        func onceAndReadOnly(scheme: String) throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.pop3util(["clear"])
            // A notice, an OTP mail, a phishing look-alike, a display-name spoof, and 12 messages no notice resembles.
            let candidates = [
                "p01_update_utf8_base64.eml", "p02_otp_utf8_base64.eml", "p07_update_phishing_url_host.eml",
                "p08_update_display_name_spoof.eml",
            ]
            try Self.deliver(
                candidates + ["p09_other_unrelated.eml", "p14_other_newsletter_iso2022jp.eml"], ordinary: 10)
            let before = try Self.maildrop()
            #expect(before.count == 16)
            var offset = try Self.logSize()
            let first = try CLI.run(try Self.watch(scheme, database: database), environment: try Self.environment)
            #expect(first.status == 0, "\(first.stderr)")
            let lines = first.stdout.split(separator: "\n")
            #expect(lines.count == 16, "\(first.stdout)")
            #expect(lines.filter { $0.hasSuffix(": other") }.count == 12, "\(first.stdout)")
            #expect(first.stderr.contains("suspected phishing"), "\(first.stderr)")
            let urls = try vault()
            #expect(urls.count == 1 && urls[0].contains("ItUojLzHzskoosvjm4x1aAIPkPf"), "\(urls)")
            var seen = try Self.sessions(since: offset)
            #expect(seen.sessions == 1 && seen.logins == 1 && seen.tlsLogins == 1, "\(seen)")
            #expect(seen.tops == 16, "every new message's header section is read")
            #expect(seen.retrievals == candidates.count, "only the candidates are downloaded: \(seen)")
            #expect(seen.deletions == 0)

            offset = try Self.logSize()
            let second = try CLI.run(try Self.watch(scheme, database: database), environment: try Self.environment)
            #expect(second.status == 0 && second.stdout.isEmpty, "\(second.stdout)\(second.stderr)")
            seen = try Self.sessions(since: offset)
            #expect(seen.sessions == 1 && seen.tops == 0 && seen.retrievals == 0 && seen.deletions == 0, "\(seen)")
            #expect(try vault().count == 1)
            let after = try Self.maildrop()
            #expect(after == before, "the maildrop is unchanged: the same messages, numbers and UIDLs")
            let handled = try Database(path: database).rows(
                "SELECT count(*) AS n FROM handled_messages WHERE source LIKE 'pop3:%'")
            #expect(try handled.first?["n"] as Int64? == 16)
        }

        @Test func twoWatchersOnOneDatabaseHandleEachMessageOnce() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.pop3util(["clear"])
            try Self.deliver(
                ["p01_update_utf8_base64.eml", "p11_update_utf8_base64_2.eml", "p13_update_iso2022jp_2.eml"],
                ordinary: 4)
            _ = try CLI.run(["--db", database, "urls"])  // the database exists before both start
            let first = try CLI.start(try Self.watch("pop3s", database: database), environment: try Self.environment)
            let second = try CLI.start(try Self.watch("pop3s", database: database), environment: try Self.environment)
            let results = [first.finish(), second.finish()]
            #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
            // A message one of them found handled meanwhile is not reported by the other.
            let lines = results.flatMap { $0.stdout.split(separator: "\n") }
            #expect(lines.count == 7 && Set(lines.map { $0.split(separator: ":")[0] }).count == 7, "\(lines)")
            #expect(lines.filter { $0.hasSuffix(": stored") }.count == 3, "each notice stored once: \(lines)")
            #expect(try vault().count == 3)
            let handled = try Database(path: database).rows("SELECT count(*) AS n FROM handled_messages")
            #expect(try handled.first?["n"] as Int64? == 7)
        }

        @Test func aMessageDeletedByAnotherMailProgramMeanwhileIsSkipped() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.pop3util(["clear"])
            try Self.deliver([
                "p01_update_utf8_base64.eml", "p11_update_utf8_base64_2.eml", "p13_update_iso2022jp_2.eml",
            ])
            let uids = try Self.maildrop().map { String($0.split(separator: " ")[1]) }
            try #require(uids.count == 3)
            let database = try Database.shared(path: database)
            var settings = POP3Settings(
                url: try Self.url("pop3s"),
                credentials: .password(
                    user: try TestServers.value("IMAP_USER"), password: try TestServers.value("IMAP_PASSWORD")),
                caFile: try TestServers.value("IMAP_CA_FILE"))
            settings.connectTimeout = 5
            let source = POP3Source(settings: settings)
            // Between the listing and the first TOP, another mail program downloads and deletes the first notice.
            source.afterListing = { try Self.pop3util(["delete", String(uids[0])]) }
            let pipeline = VendorPipeline(
                settings: .init(trust: .builtIn), database: database, diagnostics: .silent)
            var reported: [String] = []
            let watcher = Watcher(
                source: source, handler: pipeline, settings: .init(once: true), stop: StopSignal()
            ) { handled in reported += handled.map { "\($0.key): \($0.outcome.rawValue)" } }
            #expect(try watcher.run() == .handled)
            #expect(reported == ["\(uids[1]): stored", "\(uids[2]): stored"], "\(reported)")
            #expect(source.counts.vanished == 1 && source.counts.retrievals == 2, "\(source.counts)")
            #expect(!(try pipeline.wasHandled(source: source.name, key: String(uids[0]))), "nothing recorded for it")
            #expect(try Self.maildrop().map { String($0.split(separator: " ")[1]) } == Array(uids.dropFirst()))
            // The next pass finds nothing new and fetches nothing.
            source.afterListing = nil
            let counts = source.counts
            reported = []
            #expect(try watcher.run() == .handled)
            #expect(reported.isEmpty && source.counts == counts)
        }

        /// `watch --pop3 ... --once` as `user`, with the login options `login` and no password in the environment.
        func watch(_ scheme: String, user: String, login: [String]) throws -> CLI.Result {
            try CLI.run(
                [
                    "--db", database, "watch", "--pop3", try Self.url(scheme), "--pop3-user", user, "--ca-file",
                    try TestServers.value("IMAP_CA_FILE"), "--once",
                ] + login)
        }

        @Test("a token from --pop3-token-command logs in", arguments: ["xoauth2", "oauthbearer"])
        func oauth2(method: String) throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let user = try TestServers.value("IMAP_OAUTH_USER")
            let token = try TestServers.value("IMAP_OAUTH_TOKEN")
            let offset = try Self.logSize()
            let result = try watch(
                "pop3s", user: user,
                login: ["--pop3-auth", method, "--pop3-token-command", "printf '%s\\n' '\(token)'"])
            #expect(result.status == 0, "\(result.stderr)")
            let log = try Data(contentsOf: URL(fileURLWithPath: try TestServers.value("IMAP_LOG")))
            #expect(
                String(decoding: log.dropFirst(offset), as: UTF8.self).contains(
                    "pop3-login: Info: Login: user=<\(user)>, method=\(method.uppercased())"),
                "Dovecot logged no POP3 \(method) login")
            // A token the server refuses is exit 77, and is never shown.
            let wrong = "Wrong\(UUID().uuidString.prefix(12))"
            let refused = try watch(
                "pop3s", user: user, login: ["--pop3-auth", method, "--pop3-token-command", "printf %s \(wrong)"])
            #expect(refused.status == 77, "\(refused.stderr)")
            #expect(!refused.stderr.contains(wrong) && !refused.stdout.contains(wrong))
        }

        @Test func aPasswordFromACommandAndACommandThatFails() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("pop3-password")
            try (try TestServers.value("IMAP_PASSWORD") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let user = try TestServers.value("IMAP_USER")
            let result = try watch("pop3", user: user, login: ["--pop3-password-command", "cat '\(file.path)'"])
            #expect(result.status == 0, "\(result.stderr)")
            let failing = try watch(
                "pop3s", user: user, login: ["--pop3-password-command", "echo 'pass: no such entry' >&2; exit 1"])
            #expect(failing.status == 77, "\(failing.stderr)")
            #expect(
                failing.stderr.contains("--pop3-password-command (pop3_password_command) exited with status 1")
                    && failing.stderr.contains("pass: no such entry"), "\(failing.stderr)")
            // A file and a command together are a usage error; a token command needs --pop3-auth.
            let both = try watch(
                "pop3s", user: user, login: ["--pop3-password-file", file.path, "--pop3-password-command", "true"])
            #expect(both.status == 64, "\(both.stderr)")
            let tokenAlone = try watch("pop3s", user: user, login: ["--pop3-token-command", "true"])
            #expect(tokenAlone.status == 64 && tokenAlone.stderr.contains("--pop3-auth"), "\(tokenAlone.stderr)")
        }

        @Test func bouncesWatchDownloadsOnlyWhatCouldBeABounce() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.pop3util(["clear"])
            let bounce = CLI.fixtures.appendingPathComponent("bounces/lhost-postfix-02.eml")
            try IMAPTestServer.deliver(bounce)
            try Self.deliver(["p09_other_unrelated.eml"], ordinary: 3)
            let offset = try Self.logSize()
            let result = try CLI.run(
                try Self.watch("pop3s", database: database, command: ["bounces", "watch"]),
                environment: try Self.environment)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 5 && lines.filter { $0.contains(": not_bounce") }.count == 4, "\(result.stdout)")
            #expect(lines.contains { $0.contains(": unmatched") }, "\(result.stdout)")
            let seen = try Self.sessions(since: offset)
            #expect(seen.tops == 5 && seen.retrievals == 1 && seen.deletions == 0, "\(seen)")
        }

        @Test func aCandidateOverTheSizeLimitIsNotDownloadedAndAnOrdinaryOneIsOther() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.pop3util(["clear"])
            try Self.deliver(["p01_update_utf8_base64.eml"], ordinary: 1)  // both over 1K
            let offset = try Self.logSize()
            let result = try CLI.run(
                try Self.watch("pop3s", database: database) + ["--max-message-size", "1K"],
                environment: try Self.environment)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            let uids = try Self.maildrop().map { String($0.split(separator: " ")[1]) }
            #expect(lines.sorted() == ["\(uids[0]): oversized", "\(uids[1]): other"].sorted(), "\(result.stdout)")
            #expect(result.stderr.contains("more than --max-message-size 1024"), "\(result.stderr)")
            let seen = try Self.sessions(since: offset)
            #expect(seen.tops == 2 && seen.retrievals == 0, "\(seen)")
            #expect(try vault().isEmpty)
        }

        // MARK: - Clear text (faulty_pop3.py: no STLS, any login)

        static func cleartext(_ host: String, _ extra: [String] = [], database: String) throws -> CLI.Result {
            let port = try TestServers.port("FAULTY_POP3_PORT_CLEARTEXT")
            return try CLI.run(
                ["--db", database, "watch", "--pop3", "pop3://\(host):\(port)", "--pop3-user", "tanto", "--once"]
                    + extra,
                environment: ["NOTIFIER_POP3_PASSWORD": "S3cret-pop"])
        }

        static func cleartextLog() throws -> [String] {
            try TestServers.faultyLog("pop3-cleartext")
        }

        @Test func aServerWithoutTOPIsReadWithRETR() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let port = try TestServers.port("FAULTY_POP3_PORT_NOTOP")
            let before = try TestServers.faultyLog("pop3-notop").count
            let result = try CLI.run(
                ["--db", database, "watch", "--pop3", "pop3://127.0.0.1:\(port)", "--pop3-user", "tanto", "--once"],
                environment: ["NOTIFIER_POP3_PASSWORD": "S3cret-pop"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "notice-1: stored\nnotice-2: stored\n", "\(result.stdout)")
            let sent = try TestServers.faultyLog("pop3-notop").dropFirst(before)
            #expect(sent.filter { $0.contains(" RETR ") }.count == 2, "\(sent)")
            #expect(!sent.contains { $0.contains(" DELE") })
        }

        @Test func aMaildropInUseIsTriedAgainLater() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let port = try TestServers.port("FAULTY_POP3_PORT_IN_USE")
            let result = try CLI.run(
                ["--db", database, "watch", "--pop3", "pop3://127.0.0.1:\(port)", "--pop3-user", "tanto", "--once"],
                environment: ["NOTIFIER_POP3_PASSWORD": "S3cret-pop"])
            #expect(result.status == 75, "a locked maildrop is no wrong password: \(result.stderr)")
            #expect(result.stderr.contains("in use by another session") && result.stderr.contains("[IN-USE]"))
            #expect(!result.stderr.contains("S3cret-pop"))
            let wrong = try CLI.run(
                try Self.watch("pop3s", database: database), environment: ["NOTIFIER_POP3_PASSWORD": "not-it"])
            #expect(wrong.status == 77 && wrong.stderr.contains("login refused"), "\(wrong.stderr)")
            #expect(POP3Error.isTemporaryRefusal("-ERR [SYS/TEMP] try later"))
            #expect(!POP3Error.isTemporaryRefusal("-ERR [AUTH] Authentication failed."))
        }

        @Test func aLoginInClearToAHostThatIsNotLoopbackIsRefused() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let before = try Self.cleartextLog().count
            let refused = try Self.cleartext("mail.localhost", database: database)
            #expect(refused.status == 69, "\(refused.stderr)")
            #expect(refused.stderr.contains("password would go out in clear"), "\(refused.stderr)")
            #expect(refused.stderr.contains("pop3s://mail.localhost") && refused.stderr.contains("--pop3-tls none"))
            #expect(!refused.stderr.contains("S3cret-pop"))
            let sent = try Self.cleartextLog().dropFirst(before)
            #expect(!sent.contains { $0.contains(" USER") || $0.contains(" PASS") || $0.contains(" AUTH") }, "\(sent)")
            let allowed = try Self.cleartext(
                "mail.localhost", ["--pop3-tls", "none"], database: folder.appendingPathComponent("b.db").path)
            #expect(allowed.status == 0, "\(allowed.stderr)")
            #expect(allowed.stdout.split(separator: "\n").count == 2, "\(allowed.stdout)")
            let loopback = try Self.cleartext("127.0.0.1", database: folder.appendingPathComponent("c.db").path)
            #expect(loopback.status == 0, "\(loopback.stderr)")
            let required = try Self.cleartext(
                "127.0.0.1", ["--pop3-tls", "required"], database: folder.appendingPathComponent("d.db").path)
            #expect(required.status == 69, "\(required.stderr)")
            #expect(!(try Self.cleartextLog()).contains { $0.contains(" DELE") })
        }
    }
}

/// What a header section alone says, and the POP3 options, without a server.
@Suite struct POP3CandidateTests {
    static let corpus = CLI.fixtures.appendingPathComponent("corpus")
    static let bounces = CLI.fixtures.appendingPathComponent("bounces")

    /// The header section of a file, as TOP n 0 gives it.
    static func header(_ file: URL) throws -> [UInt8] {
        let bytes = try [UInt8](Data(contentsOf: file))
        for index in bytes.indices.dropLast(1) {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return Array(bytes[...index]) }
            if index + 3 < bytes.count, bytes[index..<index + 4].elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) {
                return Array(bytes[..<(index + 4)])
            }
        }
        return bytes
    }

    static func expected(_ folder: URL) throws -> [(file: String, kind: String)] {
        let text = try String(contentsOf: folder.appendingPathComponent("expected.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return (object["file"] as? String ?? "", object["kind"] as? String ?? "")
        }
    }

    @Test func everyNoticeAndLookAlikeOfTheCorpusIsACandidateAndOrdinaryMailIsNot() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = VendorPipeline(
            settings: .init(trust: .builtIn),
            database: try Database.shared(path: folder.appendingPathComponent("v.db").path), diagnostics: .silent)
        let expected = try Self.expected(Self.corpus)
        #expect(expected.count > 40)
        for (file, kind) in expected {
            let candidate = pipeline.isCandidate(headers: try Self.header(Self.corpus.appendingPathComponent(file)))
            if kind == "other" {
                // A subject that cannot be decoded is looked at whole: it might say anything.
                let undecodable = file.contains("unknown_charset")
                #expect(candidate == undecodable, "\(file): ordinary mail, downloaded for nothing")
            } else {
                #expect(candidate, "\(file): a \(kind) would be lost")
            }
        }
    }

    @Test func everyBounceOfTheFixturesIsACandidate() throws {
        let expected = try Self.expected(Self.bounces)
        #expect(expected.count > 50)
        for (file, kind) in expected where kind == "bounce" {
            let header = try Self.header(Self.bounces.appendingPathComponent(file))
            #expect(Candidate.mayBeBounce(Message.parse(header)), "\(file): a bounce would be lost")
        }
        for name in ["p01_update_utf8_base64.eml", "p09_other_unrelated.eml", "p14_other_newsletter_iso2022jp.eml"] {
            let header = try Self.header(Self.corpus.appendingPathComponent(name))
            #expect(!Candidate.mayBeBounce(Message.parse(header)), "\(name) is no report")
        }
    }

    @Test func hostileHeadersAreCandidates() {
        let trust = TrustPolicy.builtIn
        #expect(Candidate.mayBeNotice(Message.parse(Array("garbage without a colon\r\n\r\n".utf8)), trust: trust))
        #expect(Candidate.mayBeNotice(Message.parse(Array("Subject: hello\r\n\r\n".utf8)), trust: trust), "no From")
        let spoof = "From: \"nyusatsu@to-kousya.example\" <x@evil.test>\r\nSubject: hi\r\n\r\n"
        #expect(Candidate.mayBeNotice(Message.parse(Array(spoof.utf8)), trust: trust))
        let lookalike = "From: notice@kousya-portal.test\r\nSubject: =?UTF-8?B?44GK55+l44KJ44Gb?=\r\n\r\n"
        #expect(Candidate.mayBeNotice(Message.parse(Array(lookalike.utf8)), trust: trust))
        let plain = "From: friend@example.org\r\nSubject: lunch\r\n\r\n"
        #expect(!Candidate.mayBeNotice(Message.parse(Array(plain.utf8)), trust: trust))
        let nullSender = "Return-Path: <>\r\nFrom: someone@example.org\r\nSubject: hello\r\n\r\n"
        #expect(Candidate.mayBeBounce(Message.parse(Array(nullSender.utf8))))
    }

    @Test func aListingIsReadStrictly() throws {
        let listing = try POP3Client.entries(
            uidl: Array("1 a1\r\n2 b2\r\n3 c3\r\n".utf8), list: Array("1 100\r\n3 300\r\n".utf8))
        #expect(
            listing == [.init(number: 1, uid: "a1", size: 100), .init(number: 3, uid: "c3", size: 300)],
            "message 2, gone from LIST, is left out")
        let hostile = [
            "1 a b\r\n", "1 a\u{7}b\r\n", "1 a\r\n2 a\r\n", "1 \(String(repeating: "x", count: 71))\r\n", "x a\r\n",
            "-1 a\r\n", "99999999999999999999999 a\r\n", "1 é\r\n",
        ]
        for uidl in hostile {
            #expect(throws: POP3Error.self, "\(uidl.debugDescription)") {
                try POP3Client.entries(uidl: Array(uidl.utf8), list: Array("1 10\r\n2 10\r\n".utf8))
            }
        }
        #expect(throws: POP3Error.self) { try POP3Client.entries(uidl: [], list: Array("1 -5\r\n".utf8)) }
    }

    @Test func pop3PollsEvery60SecondsUnlessTold() throws {
        let watch: WatchCommand = try OptionParser.parse(
            Arguments(["--pop3", "pop3s://pop.example.jp"]), command: "watch")
        #expect(watch.mailbox.watchSettings.poll == 60)
        let told: WatchCommand = try OptionParser.parse(
            Arguments(["--pop3", "pop3s://pop.example.jp", "--poll", "300"]), command: "watch")
        #expect(told.mailbox.watchSettings.poll == 300)
    }

    @Test func theURLIsCheckedAndThePasswordNeverTakenFromArgv() throws {
        #expect(try POP3Settings.serverURL(of: "pop3s://pop.example.jp") == "pop3s://pop.example.jp/")
        #expect(try POP3Settings.serverURL(of: "pop3://pop.example.jp:110/") == "pop3://pop.example.jp:110/")
        for bad in ["imap://pop.example.jp", "pop3s://pop.example.jp/1", "pop3s://", "pop3s://h:99999", "pop3s://h/?x"]
        {
            #expect(throws: InvalidValue.self, "\(bad)") { try POP3Settings.serverURL(of: bad) }
        }
        #expect(throws: UsageError.self) {
            let _: WatchCommand = try OptionParser.parse(
                Arguments(["--pop3", "pop3s://u:Secret1@pop.example.jp"]), command: "watch")
        }
        let refused = try CLI.run(["watch", "--pop3", "pop3s://pop.example.jp", "--pop3-password", "S3cret"])
        #expect(refused.status == 64 && refused.stderr.contains("NOTIFIER_POP3_PASSWORD"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("S3cret"))
        let both = try CLI.run(["watch", "--imap", "imaps://h/INBOX", "--pop3", "pop3s://h"])
        #expect(both.status == 64 && both.stderr.contains("--pop3 URL"), "\(both.stderr)")
    }
}
