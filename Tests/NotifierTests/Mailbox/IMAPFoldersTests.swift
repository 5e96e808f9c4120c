import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// Folder names in modified UTF-7 (RFC 3501 §5.1.3), and how the junk folder is picked from a LIST.
@Suite struct IMAPMailboxNameTests {
    @Test func encodesRFC3501Examples() {
        // RFC 3501 §5.1.3: "~peter/mail/台北/日本語" is "~peter/mail/&U,BTFw-/&ZeVnLIqe-".
        #expect(IMAPMailboxName.encoded("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
        #expect(IMAPMailboxName.encoded("&") == "&-")
        #expect(IMAPMailboxName.encoded("INBOX") == "INBOX")
        // Dovecot's name for 迷惑メール (also checked on disk against the real Dovecot below).
        #expect(IMAPMailboxName.encoded("迷惑メール") == "&j,dg0TDhMPww6w-")
        #expect(IMAPMailboxName.encoded("Junk E-mail") == "Junk E-mail")
        // A character outside the BMP: a surrogate pair in one run.
        #expect(IMAPMailboxName.encoded("a😀b") == "a&2D3eAA-b")
        #expect(IMAPMailboxName.quoted("迷惑 \"メール\"") == "\"&j,dg0Q- \\\"&MOEw,DDr-\\\"\"")
    }

    @Test func decodesWhatItEncodesAndTheRFCExample() {
        #expect(IMAPMailboxName.decoded(Array("~peter/mail/&U,BTFw-/&ZeVnLIqe-".utf8)) == "~peter/mail/台北/日本語")
        for name in ["迷惑メール", "INBOX", "A&B", "&&-", "[Gmail]/Spam", "a😀b", "受信箱/業者 2026", "&-&"] {
            #expect(IMAPMailboxName.decoded(Array(IMAPMailboxName.encoded(name).utf8)) == name, "\(name)")
        }
    }

    @Test(
        "hostile or malformed names decode to nothing",
        arguments: [
            "&AGE-",  // "a" encoded: printable ASCII must stand for itself
            "&ABs-",  // ESC encoded: a control character
            "&AIU-",  // U+0085 (C1) encoded
            "&U,BTFw",  // no closing "-"
            "&U,BTF-",  // 3 bytes: not whole UTF-16
            "&2D0-",  // a lone high surrogate
            "&U/BTFw-",  // "/" is not modified base64
            "&U,BTFw==-",  // padding
            "Junk\u{1B}[2J",  // a raw control character
        ])
    func rejectsMalformed(name: String) {
        #expect(IMAPMailboxName.decoded(Array(name.utf8)) == nil)
    }

    @Test func junkFolderBySpecialUseThenByName() {
        typealias Folder = IMAPClient.Folder
        let flagged = [
            Folder(name: "INBOX", attributes: []), Folder(name: "Spam", attributes: []),
            Folder(name: "Quarantine", attributes: ["\\HasNoChildren", "\\Junk"]),
        ]
        #expect(IMAPSource.junkFolder(in: flagged)?.name == "Quarantine")
        #expect(IMAPSource.junkFolder(in: flagged)?.by == "SPECIAL-USE \\Junk")
        let named = [Folder(name: "INBOX", attributes: []), Folder(name: "迷惑メール", attributes: [])]
        #expect(IMAPSource.junkFolder(in: named)?.name == "迷惑メール")
        #expect(IMAPSource.junkFolder(in: named)?.by == "its name")
        // Junk comes before Spam; a folder that cannot be opened is no junk folder; INBOX.Junk counts.
        #expect(
            IMAPSource.junkFolder(in: [
                Folder(name: "spam", attributes: []), Folder(name: "INBOX.Junk", attributes: []),
            ])?
            .name == "INBOX.Junk")
        #expect(IMAPSource.junkFolder(in: [Folder(name: "[Gmail]/Spam", attributes: [])])?.name == "[Gmail]/Spam")
        #expect(IMAPSource.junkFolder(in: [Folder(name: "Junk", attributes: ["\\Noselect"])]) == nil)
        #expect(IMAPSource.junkFolder(in: [Folder(name: "Junkyard", attributes: [])]) == nil)
    }

    @Test func theStartLineNamesEveryFolderAndWhereIDLEWaits() {
        let url = "imaps://mail.vendor.example/INBOX"
        let folders = [
            IMAPSource.Folder(name: "INBOX", sourceName: "a", isJunk: false, foundBy: nil),
            IMAPSource.Folder(name: "迷惑メール", sourceName: "b", isJunk: true, foundBy: "its name"),
        ]
        let line = WatchCommand.startLine(
            mailbox: MailboxOptions(), imapURL: url, trust: TrustOptions(), idles: true, folders: folders)
        #expect(
            line.contains(
                "waiting with IDLE on each of the 2 folders, a connection each; folders: INBOX, "
                    + "迷惑メール (the junk folder, found by its name);"), "\(line)")
        // The server not reached yet: the folders named, and the junk folder still to be found.
        let pending = WatchCommand.startLine(
            mailbox: MailboxOptions(), imapURL: url, trust: TrustOptions(), idles: true, folderNames: ["A", "B"],
            junkPending: true)
        #expect(pending.contains("waiting with IDLE; folders: A, B and the junk folder, looked for once connected;"))
    }

    @Test func imapFolderRepeatsInTheConfigurationAndTheCommandLineReplacesIt() throws {
        let configuration = try Configuration.parse(
            "imap_folder = INBOX\nimap_folder = 迷惑メール\n", path: "/etc/notifier.conf")
        #expect(configuration.imap.folders == ["INBOX", "迷惑メール"])
        var options = IMAPOptions()
        #expect(options.filled(from: configuration.imap).folders == ["INBOX", "迷惑メール"])
        options.folders = ["Spam"]
        #expect(options.filled(from: configuration.imap).folders == ["Spam"])
        #expect(throws: ConfigurationError.self) {
            try Configuration.parse("imap_folder = a\u{1B}b\n", path: "/etc/notifier.conf")
        }
    }
}

extension IMAPServerSuites {
    /// Several folders and the junk folder against the real Dovecot, for the user IMAP_FOLDERS_USER whose Maildir
    /// is its own (its Junk folder has SPECIAL-USE \Junk, see start.sh).
    @Suite("watch --imap with folders", .serialized)
    struct IMAPFoldersTests {
        let folder: URL
        var database: String { folder.appendingPathComponent("vendor.sqlite3").path }
        static let sender = "nyusatsu@to-kousya.example"

        init() throws { folder = try CLI.temporaryDirectory() }

        var user: String { get throws { try TestServers.value("IMAP_FOLDERS_USER") } }

        func watch(_ extra: [String], url path: String = "") throws -> CLI.Result {
            try CLI.run(try arguments(extra, url: path), environment: try environment)
        }

        func arguments(_ extra: [String], url path: String = "") throws -> [String] {
            let port = try TestServers.port("IMAPS_PORT")
            return [
                "--db", database, "watch", "--imap",
                "imaps://\(try TestServers.value("IMAP_TLS_NAME")):\(port)/\(path)",
                "--imap-user", try user, "--ca-file", try TestServers.value("IMAP_CA_FILE"),
            ] + extra
        }

        var environment: [String: String] {
            get throws { ["NOTIFIER_IMAP_PASSWORD": try TestServers.value("IMAP_PASSWORD")] }
        }

        func deliver(_ name: String, to mailbox: String) throws {
            try IMAPTestServer.script(
                "deliver.sh", [IMAPTestServer.corpus.appendingPathComponent(name).path, mailbox, try user])
        }

        /// An ordinary message with a Message-ID of its own.
        func deliverOrdinary(to mailbox: String) throws {
            let file = try IMAPTestServer.temporaryFile(
                Array(
                    "From: a@example.test\nTo: b@example.test\nSubject: hello\nMessage-ID: <\(UUID())@example.test>\n\nhi\n"
                        .utf8))
            defer { try? FileManager.default.removeItem(at: file) }
            try IMAPTestServer.script("deliver.sh", [file.path, mailbox, try user])
        }

        func vault() throws -> [Substring] {
            try CLI.run(["--db", database, "urls", "--json"]).stdout.split(separator: "\n")
        }

        func states() throws -> [String] {
            let db = try Database(path: database)
            return try db.rows("SELECT mailbox FROM mailbox_state ORDER BY mailbox").map { try $0["mailbox"] as String }
        }

        @Test func aTrustedNoticeInTheSpecialUseJunkFolderIsVaultedAndReportedOnce() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try deliver("p01_update_utf8_base64.eml", to: "Junk")
            let first = try watch(["--once"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(
                first.stderr.contains("found in the junk folder (Junk): mark \(Self.sender) as a safe sender"),
                "\(first.stderr)")
            #expect(first.stderr.contains("folders: INBOX, Junk (the junk folder, found by SPECIAL-USE \\Junk)"))
            #expect(first.stdout.contains(": stored"), "\(first.stdout)")
            #expect(try vault().count == 1)
            #expect(try states().contains { $0.hasSuffix("/Junk") })
            let second = try watch(["--once"])
            #expect(second.status == 0 && second.stdout.isEmpty, "\(second.stdout)")
            #expect(!second.stderr.contains("junk folder (Junk): mark"), "reported once: \(second.stderr)")
        }

        @Test func aFolderNamed迷惑メールIsReadAndIsTheJunkFolderByItsName() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            try deliver("p03_update_iso2022jp.eml", to: "迷惑メール")
            // Dovecot keeps the folder under its modified UTF-7 name.
            let maildir = URL(fileURLWithPath: try TestServers.value("SERVERS_DIR")).appendingPathComponent(
                "folders-maildir/.&j,dg0TDhMPww6w-")
            #expect(FileManager.default.fileExists(atPath: maildir.path), "\(maildir.path)")
            let run = try watch(["--once", "--folder", "迷惑メール"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("folders: 迷惑メール (the junk folder);"), "\(run.stderr)")
            #expect(
                run.stderr.contains("found in the junk folder (迷惑メール): mark \(Self.sender) as a safe sender"),
                "\(run.stderr)")
            #expect(run.stdout.split(separator: "\n").count == 1 && run.stdout.hasSuffix(": stored\n"), "\(run.stdout)")
            #expect(try vault().count == 1)
            // Named as a folder, 迷惑メール is the junk folder: Junk (SPECIAL-USE) is not read besides.
            let host = "\(try TestServers.value("IMAP_TLS_NAME")):\(try TestServers.port("IMAPS_PORT"))"
            #expect(try states() == ["imap:\(try user)@imaps://\(host)/%E8%BF%B7%E6%83%91%E3%83%A1%E3%83%BC%E3%83%AB"])
        }

        @Test func twoFoldersKeepTheirOwnUIDState() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let a = "folders-a-\(UUID().uuidString.prefix(8))"
            let b = "受信箱-\(UUID().uuidString.prefix(8))"
            try deliverOrdinary(to: a)
            try deliverOrdinary(to: a)
            try deliverOrdinary(to: b)
            let folders = ["--folder", a, "--folder", b]
            let first = try watch(["--once"] + folders)
            #expect(first.status == 0, "\(first.stderr)")
            // Both folders' UIDs start at 1, each under its own name.
            let keys = first.stdout.split(separator: "\n")
            #expect(keys.filter { $0.hasSuffix("/1: other") }.count == 2, "\(first.stdout)")
            #expect(keys.filter { $0.hasSuffix("/2: other") }.count == 1, "\(first.stdout)")
            let states = try states()
            #expect(states.filter { $0.hasSuffix(a) || $0.contains("%E5%8F%97") }.count == 2, "\(states)")
            let second = try watch(["--once"] + folders)
            #expect(second.status == 0 && second.stdout.isEmpty, "nothing is read again: \(second.stdout)")
            try deliverOrdinary(to: b)
            let third = try watch(["--once"] + folders)
            #expect(
                third.stdout.split(separator: "\n").map(String.init).map { $0.hasSuffix("/2: other") } == [true],
                "\(third.stdout)")
        }

        @Test("a folder that does not exist is exit 66, naming it", arguments: ["Nowhere", "存在しない"])
        func aMissingFolderIsAnError(name: String) throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = try watch(["--once", "--folder", "INBOX", "--folder", name])
            #expect(run.status == 66, "\(run.stderr)")
            #expect(run.stderr.contains("the folder \"\(name)\""), "\(run.stderr)")
            #expect(run.stderr.contains("--folder (imap_folder)") && run.stderr.contains("INBOX"), "\(run.stderr)")
            if name != "Nowhere" { #expect(run.stderr.contains("(\(IMAPMailboxName.encoded(name)) on the wire)")) }
        }

        @Test func idleWaitsOnEveryFolder() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let first = "idle-\(UUID().uuidString.prefix(8))"
            let other = "other-\(UUID().uuidString.prefix(8))"
            try deliverOrdinary(to: first)
            try deliverOrdinary(to: other)
            let process = try CLI.start(
                try arguments(["--folder", first, "--folder", other]), environment: try environment)
            defer { if process.isRunning { process.process.terminate() } }
            /// Whether the vault got the notice with this Message-ID within 15 s.
            func waitForVault(_ messageID: String) throws -> Bool {
                for _ in 0..<150 {
                    if try vault().contains(where: { $0.contains(messageID) }) { return true }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                return false
            }
            try deliver("p11_update_utf8_base64_2.eml", to: other)
            #expect(try waitForVault("679596326249.3a395f1856@to-kousya.example"), "the other folder was not read")
            try deliver("p13_update_iso2022jp_2.eml", to: first)
            #expect(try waitForVault("982303090516.475767f8f5@to-kousya.example"), "the IDLE folder was not read")
            process.process.terminate()
            let result = process.finish()
            #expect(
                result.stderr.contains(
                    "waiting with IDLE on each of the 3 folders, a connection each"),
                "\(result.stderr)")
        }

        @Test func twoWatchersOnOneDatabaseReportTheJunkNoticeOnce() throws {
            defer { try? FileManager.default.removeItem(at: folder) }
            let junk = "Spam"  // junk by its name, and used by no other test
            try deliver("p05_update_multipart_alternative_html.eml", to: junk)
            let watchers = try (0..<2).map { _ in
                try CLI.start(try arguments(["--once", "--folder", junk]), environment: try environment)
            }
            let results = watchers.map { $0.finish() }
            #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
            let reports = results.map {
                $0.stderr.components(separatedBy: "found in the junk folder (\(junk))").count - 1
            }
            #expect(reports.reduce(0, +) == 1, "\(results.map(\.stderr))")
            #expect(try vault().count == 1)
        }
    }
}
