import Foundation
import MailParse
import Testing

@testable import Notifier
@testable import NotifierCore

/// The vendor side against forged mail: a From nobody authenticated, an OTP that lives too long, a spoof that takes
/// a genuine notice's Message-ID first, an address with a space in it.
@Suite("vendor side: trust against forged mail")
struct TrustTests {
    let folder: URL
    var database: String { folder.appendingPathComponent("vendor.sqlite3").path }

    init() throws { folder = try CLI.temporaryDirectory() }

    func ingest(_ mail: Data, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["--db", database, "ingest"] + extra, stdin: mail)
    }

    /// An OTP mail in the issuer's words, written by hand: `date` as its Date, `expiry` as its 有効期限 (Japan time).
    static func otpMail(
        from: String = "nyusatsu@to-kousya.example", date: Date, expiry: Date, code: String,
        messageID: String, trace: [String] = []
    ) -> Data {
        let dateText = JapanClock.rfc5322(date)
        let expiryText = JapanClock.noticeText(expiry)
        let lines =
            trace + [
                "From: JKK東京 電子入札システム <\(from)>", "To: tanto@aoba-kensetsu.example", "Subject: OTP",
                "Date: \(dateText)", "Message-ID: <\(messageID)>", "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "",
                "ワンタイムパスワード:\(code)", "有効期限:\(expiryText)", "",
            ]
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    /// The attack of the issue: the issuer's From, an OTP valid until 2099. It is recorded as implausible, never
    /// relayed, and the genuine OTP after it is relayed, not "superseded".
    @Test func aForgedOTPThatLivesTooLongIsNeverRelayed() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("relayed")
        let relay = ["--relay-command", "cat >> '\(log.path)'"]
        let now = Date()
        let forged = Self.otpMail(
            date: now, expiry: Date(timeIntervalSince1970: 4_102_444_740), code: "Fake2222",
            messageID: "forged@evil.test")
        let first = try ingest(forged, relay)
        #expect(first.status == 0 && first.stdout == "implausible\n", "\(first.stdout) \(first.stderr)")
        #expect(first.stderr.contains("implausible OTP notice") && !first.stderr.contains("Fake2222"))
        // Dated in the future too, so that its Date cannot vouch for it: the arrival time still catches it.
        let lying = Self.otpMail(
            date: now.addingTimeInterval(86_400), expiry: now.addingTimeInterval(86_400 + 1_200),
            code: "Fake3333", messageID: "lying@evil.test")
        #expect(try ingest(lying, relay).stdout == "implausible\n")
        #expect(!FileManager.default.fileExists(atPath: log.path))
        let genuine = Self.otpMail(
            date: now, expiry: now.addingTimeInterval(1_800), code: "Real4444", messageID: "real@to-kousya.example")
        let second = try ingest(genuine, relay)
        #expect(second.stdout == "relayed\n", "\(second.stderr)")
        #expect(try String(contentsOf: log, encoding: .utf8).contains("Real4444"))
        let decisions = try Database(path: database).rows("SELECT decision FROM handled_messages ORDER BY handled_at")
            .compactMap { $0.text(0) }
        #expect(decisions.sorted() == ["implausible", "implausible", "relayed"])
    }

    /// A spoof carrying a genuine notice's Message-ID, ingested first, does not make the genuine one a duplicate.
    @Test func anUntrustedMessageNeverClaimsAMessageID() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let genuine = try Data(contentsOf: CLI.fixtures.appendingPathComponent("corpus/p01_update_utf8_base64.eml"))
        let text = String(decoding: genuine, as: UTF8.self)
        let spoof = Data(
            text.replacingOccurrences(of: "nyusatsu@to-kousya.example", with: "nyusatsu@kousya-portal.test").utf8)
        #expect(try ingest(spoof).stdout == "untrusted\n")
        let result = try ingest(genuine)
        #expect(result.stdout == "stored\n", "\(result.stderr)")
        #expect(try CLI.run(["--db", database, "urls"]).stdout.split(separator: "\n").count == 1)
        // A trusted copy is still a duplicate of the trusted original.
        #expect(try ingest(Data(text.replacingOccurrences(of: "To: ", with: "Cc: ").utf8)).stdout == "duplicate\n")
    }

    /// With an authserv-id to trust, only the vendor's own server's Authentication-Results vouch for the sender.
    @Test func authenticationDecidesWhenAnAuthservIDIsTrusted() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = Date()
        let received =
            "Received: from mail.to-kousya.example (mail.to-kousya.example [203.0.113.25]) by mail.aoba-kensetsu.example (Postfix) with ESMTPS id 4Q1"
        let passed = Self.otpMail(
            date: now, expiry: now.addingTimeInterval(1_500), code: "Good5555", messageID: "a@to-kousya.example",
            trace: [
                "Authentication-Results: mail.aoba-kensetsu.example; dmarc=pass (p=reject dis=none) header.from=to-kousya.example",
                received,
            ])
        let forged = Self.otpMail(
            date: now, expiry: now.addingTimeInterval(1_700), code: "Bad66666", messageID: "b@evil.test",
            trace: [
                received,
                "Authentication-Results: mail.aoba-kensetsu.example; dmarc=pass header.from=to-kousya.example",
            ])
        let files = [("passed.eml", passed), ("forged.eml", forged)].map { name, data in
            let url = folder.appendingPathComponent(name)
            try? data.write(to: url)
            return url.path
        }
        // parse --json: authenticated after the other keys; null with no policy.
        let parsed = try CLI.run(["parse", "--json", "--trust-authserv-id", "mail.aoba-kensetsu.example"] + files)
        let lines = parsed.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("\"message_id\": \"a@to-kousya.example\", \"authenticated\": true, "), "\(lines[0])")
        #expect(lines[1].contains("\"trusted\": false") && lines[1].contains("\"authenticated\": false, "))
        #expect(
            try CLI.run(["parse", "--json"] + files).stdout.split(separator: "\n").allSatisfy {
                $0.contains("\"authenticated\": null, ")
            })

        // ingest, with the id from the configuration: the forged one is untrusted, the authenticated one relayed.
        let config = folder.appendingPathComponent("config")
        try "trust_authserv_id = mail.aoba-kensetsu.example\n".write(to: config, atomically: true, encoding: .utf8)
        let log = folder.appendingPathComponent("relayed")
        let relay = ["--relay-command", "cat >> '\(log.path)'"]
        let bad = try CLI.run(["--config", config.path, "--db", database, "ingest"] + relay, stdin: forged)
        #expect(bad.stdout == "untrusted\n" && bad.stderr.contains("not authenticated"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("sender authentication is not checked"))
        let good = try CLI.run(["--config", config.path, "--db", database, "ingest"] + relay, stdin: passed)
        #expect(good.stdout == "relayed\n", "\(good.stderr)")
        #expect(try String(contentsOf: log, encoding: .utf8).contains("Good5555"))
        // Without any policy, the watcher and ingest say once that From alone decides.
        let unset = try ingest(
            Self.otpMail(
                date: now, expiry: now.addingTimeInterval(600), code: "Warn7777", messageID: "w@to-kousya.example"))
        #expect(unset.stderr.components(separatedBy: "sender authentication is not checked").count == 2)
    }

    @Test func theProvidersOwnAuthservIDIsTheDefaultForItsIMAPServer() {
        #expect(TrustOptions().policy(imapHost: "imap.gmail.com").authservIDs == ["mx.google.com"])
        #expect(
            TrustOptions().policy(imapHost: "outlook.office365.com").authservIDs == [SenderAuthentication.microsoft365])
        #expect(TrustOptions().policy(imapHost: "imap.example.jp").authservIDs.isEmpty)
        var configuration = Configuration()
        configuration.trust.authservIDs = ["mail.aoba-kensetsu.example"]
        #expect(
            TrustOptions().filled(from: configuration.trust).policy(imapHost: "imap.gmail.com").authservIDs
                == ["mail.aoba-kensetsu.example"])
    }

    /// `nyusatsu@to-kousya.exa mple` is no address, so never the trusted one.
    @Test(arguments: ["nyusatsu@to-kousya.exa mple", "nyu satsu@to-kousya.example"])
    func anAddressWithASpaceIsNoAddress(from: String) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(
            contentsOf: CLI.fixtures.appendingPathComponent("corpus/p01_update_utf8_base64.eml"), encoding: .utf8)
        let file = folder.appendingPathComponent("spaced.eml")
        try original.replacingOccurrences(of: "<nyusatsu@to-kousya.example>", with: from).write(
            to: file, atomically: true, encoding: .utf8)
        let parsed = try CLI.run(["parse", "--json", file.path])
        #expect(
            parsed.stdout.contains("\"trusted\": false") && parsed.stdout.contains("\"from\": null"), "\(parsed.stdout)"
        )
    }
}
