import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// The vendor side through the binary: watch a Maildir, ingest from a pipe, the vault, relays, resend-url.
@Suite("vendor side: watch, ingest, urls, resend-url")
struct VendorSideTests {
    let folder: URL
    var database: String { folder.appendingPathComponent("vendor.sqlite3").path }
    var mailbox: URL { folder.appendingPathComponent("Maildir") }
    static let corpus = CLI.fixtures.appendingPathComponent("corpus")

    init() throws {
        folder = try CLI.temporaryDirectory()
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: mailbox.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> CLI.Result {
        try CLI.run(["--db", database] + arguments, stdin: stdin)
    }

    func deliver(_ name: String, as file: String? = nil) throws {
        try FileManager.default.copyItem(
            at: Self.corpus.appendingPathComponent(name), to: mailbox.appendingPathComponent("new/\(file ?? name)"))
    }

    @Test func everyTrustedNoticeReachesTheVaultOnce() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // The sample notices (p*.eml); the deliveries (d*.eml) have a test of their own below.
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
        where name.hasPrefix("p") && name.hasSuffix(".eml") {
            try deliver(name)
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: mailbox.appendingPathComponent("new").path)
            .sorted()
        let first = try run(["watch", "--maildir", mailbox.path, "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("suspected phishing, not stored or relayed: p07_update_phishing_url_host.eml"))
        #expect(first.stderr.contains("p08_update_display_name_spoof.eml"))
        let urls = try run(["urls", "--json"]).stdout.split(separator: "\n")
        // The five trusted update notices of the corpus (p01, p03, p05, p11, p13), none of the three untrusted.
        #expect(urls.count == 5)
        for phishing in ["verify-cert.test", "VzSm55NPgkIlXTIclOcwx3p_3cx", "xrUTNz6Fl7n96CzPlkoqdqf4Z7z"] {
            #expect(!urls.contains { $0.contains(phishing) })
        }
        #expect(urls.allSatisfy { $0.contains("\"from\": \"nyusatsu@to-kousya.example\"") })
        // A second pass changes nothing; the mailbox is untouched.
        let second = try run(["watch", "--maildir", mailbox.path, "--once"])
        #expect(second.stdout.isEmpty && second.status == 0)
        #expect(try run(["urls", "--json"]).stdout.split(separator: "\n").count == 5)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: mailbox.appendingPathComponent("new").path).sorted()
                == before)
        // A copy of a stored notice under another name is recognised by its Message-ID.
        try deliver("p01_update_utf8_base64.eml", as: "copy-of-p01")
        let third = try run(["watch", "--maildir", mailbox.path, "--once"])
        #expect(third.stdout == "copy-of-p01: duplicate\n")
    }

    @Test func reportsSayTheReasonInWordsAndOnlyPhishingIsCalledSo() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in [
            "d01_update_m365_safelinks_alternative.eml", "d06_update_mimecast_html.eml",
            "d15_update_wrap_indented_disagrees_with_html.eml", "d19_update_mailing_list_rewrote_from.eml",
            "d20_update_forward_outlook.eml", "d09_update_safelinks_link_text_mismatch.eml",
        ] {
            try deliver(name)
        }
        let result = try run(["watch", "--maildir", mailbox.path, "--once"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        func report(_ file: String) -> String { lines.first { $0.contains(file) }.map(String.init) ?? "" }
        #expect(report("d01_").contains("link rewritten by Safe Links; stored the issuer's original"))
        #expect(report("d06_").contains("notifier: not trusted (url_rewritten), not stored or relayed"))
        #expect(report("d06_").contains("Mimecast") && report("d06_").contains("ask the mail administrator to exempt"))
        #expect(report("d15_").contains("notifier: not trusted (url_cut)"))
        #expect(
            report("d19_").contains("notifier: not trusted (sender_not_trusted)")
                && report("d19_").contains("mailing list"))
        #expect(report("d20_").contains("notifier: not trusted (forwarded)"))
        #expect(report("d09_").contains("notifier: suspected phishing, not stored or relayed"))
        #expect(lines.filter { $0.contains("phishing") }.count == 1)
        // Only the Safe Links notice is stored, and with the issuer's own URL.
        let urls = try run(["urls", "--json"]).stdout.split(separator: "\n")
        #expect(urls.count == 1)
        #expect(urls.first?.contains("\"url\": \"https://bid.to-kousya.example/cert/download?t=") == true)
        #expect(urls.first?.contains("safelinks") == false)
    }

    @Test func urlsFiltersAndResendURL() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try deliver("p01_update_utf8_base64.eml")
        try deliver("p11_update_utf8_base64_2.eml")
        _ = try run(["watch", "--maildir", mailbox.path, "--once"])
        let one = try run(["urls", "--vendor", "5184962", "--json"])
        #expect(
            one.stdout.hasPrefix(
                "{\"vendor_code\": \"5184962\", \"fiscal_year\": 2026, \"url\": \"https://bid.to-kousya.example/cert/download?t=ItUojLzHzskoosvjm4x1aAIPkPf\", \"received_at\": \""
            ))
        #expect(try run(["urls", "--fiscal-year", "2027"]).stdout.contains("7128062"))
        #expect(try run(["urls", "--fiscal-year", "2027"]).stdout.split(separator: "\n").count == 1)
        let printed = try run(["resend-url", "--vendor", "5184962", "--print"])
        #expect(printed.stdout == "https://bid.to-kousya.example/cert/download?t=ItUojLzHzskoosvjm4x1aAIPkPf\n")
        let missing = try run(["resend-url", "--vendor", "1234567", "--print"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no download URL is stored for vendor 1234567"))
        // Mailed with the resend_url template: it parses back to the same URL (untrusted: notifier is no issuer).
        let outbox = folder.appendingPathComponent("outbox")
        let mailed = try run([
            "resend-url", "--vendor", "7128062", "--to", "installer@example.test", "--from",
            "notifier@vendor.example", "--outbox", outbox.path,
        ])
        #expect(mailed.status == 0, "\(mailed.stderr)")
        let file = try #require(
            try FileManager.default.contentsOfDirectory(atPath: outbox.appendingPathComponent("new").path).first)
        let notice = NoticeReader.read([UInt8](try Data(contentsOf: outbox.appendingPathComponent("new/\(file)"))))
        #expect(notice.url == "https://bid.to-kousya.example/cert/download?t=EkNlYkUB6KldO6bbh1bbXchnJWNPlGpa")
        #expect(notice.vendorCode == "7128062" && !notice.trusted)
    }

    /// An OTP notice whose expiry is `minutes` from now, from the trusted issuer.
    static func otpNotice(code: String, minutes: Int, id: String) throws -> Data {
        let expiry = Date().addingTimeInterval(TimeInterval(minutes * 60))
        var composer = Composer(store: TemplateStore(directory: nil), messageIDDomain: "to-kousya.example")
        composer.random = { UInt64(abs(id.hashValue)) }
        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        let text = JapanClock.noticeText(expiry).replacingOccurrences(of: "/", with: "-").replacingOccurrences(
            of: " ", with: "T")
        let composed = try composer.compose(
            template: .otpNotice, from: sender, to: [sender],
            variables: ["otp": code, "expires_at": text + ":00+09:00"],
            charset: .utf8, strict: true)
        return Data(composed.bytes)
    }

    @Test func freshOTPIsRelayedExpiredIsNotLaterWins() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.otpNotice(code: "OldOld22", minutes: 10, id: "a").write(
            to: mailbox.appendingPathComponent("new/1-old"))
        try Self.otpNotice(code: "NewNew33", minutes: 25, id: "b").write(
            to: mailbox.appendingPathComponent("new/2-new"))
        try deliver("p02_otp_utf8_base64.eml", as: "0-expired")
        let outbox = folder.appendingPathComponent("relay-outbox")
        let relayed = folder.appendingPathComponent("relayed.json")
        let result = try run([
            "watch", "--maildir", mailbox.path, "--once", "--relay-to", "installer@example.test",
            "--from", "notifier@vendor.example", "--outbox", outbox.path,
            "--relay-command", "cat > '\(relayed.path)'",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains("0-expired: expired") && result.stdout.contains("1-old: superseded")
                && result.stdout.contains("2-new: relayed"))
        let json = try String(contentsOf: relayed, encoding: .utf8)
        #expect(json.hasPrefix("{\"otp\": \"NewNew33\", \"expires_at\": \""))
        // The relay mails (from 02-15 to 03-31 the missing-notice alarm's mail is there too).
        let mails = try FileManager.default.contentsOfDirectory(atPath: outbox.appendingPathComponent("new").path)
            .filter {
                NoticeReader.read([UInt8](try Data(contentsOf: outbox.appendingPathComponent("new/\($0)")))).kind
                    == .otp
            }
        #expect(mails.count == 1)
        let relayMail = NoticeReader.read(
            [UInt8](try Data(contentsOf: outbox.appendingPathComponent("new/\(mails[0])"))))
        #expect(relayMail.kind == .otp && relayMail.otp == "NewNew33")
        // The code is never in the database.
        let bytes =
            try Data(contentsOf: URL(fileURLWithPath: database))
            + ((try? Data(contentsOf: URL(fileURLWithPath: database + "-wal"))) ?? Data())
        for code in ["NewNew33", "OldOld22", "B7ESBKG3"] {
            #expect(bytes.range(of: Data(code.utf8)) == nil, "\(code) found in the database")
        }
        // A later, older OTP does not replace the relayed one.
        try Self.otpNotice(code: "Older444", minutes: 5, id: "c").write(
            to: mailbox.appendingPathComponent("new/3-older"))
        let again = try run([
            "watch", "--maildir", mailbox.path, "--once", "--relay-command", "cat > '\(relayed.path)'",
        ])
        #expect(again.stdout == "3-older: superseded\n")
    }

    @Test func aFreshOTPWithNowhereToGoIsSaidSo() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.otpNotice(code: "Fresh555", minutes: 20, id: "d").write(
            to: mailbox.appendingPathComponent("new/1-fresh"))
        let result = try run(["watch", "--maildir", mailbox.path, "--once"])
        #expect(result.stdout == "1-fresh: unrelayed\n")
        #expect(result.stderr.contains("give --relay-to ADDR or --relay-command CMD"))
        #expect(!result.stderr.contains("Fresh555") && !result.stdout.contains("Fresh555"))
    }

    @Test func ingestFromAPipe() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("p13_update_iso2022jp_2.eml"))
        let first = try run(["ingest"], stdin: data)
        #expect(first.status == 0 && first.stdout == "stored\n")
        let again = try run(["ingest", "-"], stdin: data)
        #expect(again.status == 0 && again.stdout == "already handled\n")
        let phishing = try run(["ingest", Self.corpus.appendingPathComponent("p07_update_phishing_url_host.eml").path])
        #expect(phishing.status == 0 && phishing.stdout == "untrusted\n")
        #expect(phishing.stderr.contains("suspected phishing"))
        #expect(try run(["urls"]).stdout.split(separator: "\n").count == 1)
    }

    @Test func ingestExits75WhenTheDatabaseIsLocked() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try run(["urls"])  // creates the schema
        let holder = try Database(path: database)
        try holder.execute("BEGIN IMMEDIATE")
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("p01_update_utf8_base64.eml"))
        let result = try run(["ingest"], stdin: data)
        try holder.execute("ROLLBACK")
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("try again later"))
        // Nothing was lost: the mail server delivers again, and now it is stored.
        #expect(try run(["ingest"], stdin: data).stdout == "stored\n")
    }

    @Test func ingestExits75WhenTheDiskIsFull() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("p01_update_utf8_base64.eml"))
        // A file size limit of 8 KiB: SQLite cannot create or grow its files, as on a full disk.
        let limited = try CLI.startProgram(
            "/bin/sh", ["-c", "ulimit -f 16; exec \"$0\" --db \"$1\" ingest", try CLI.binary.path, database],
            stdin: data
        ).finish()
        #expect(limited.status == 75, "\(limited.stderr)")
        #expect(try run(["ingest"], stdin: data).stdout == "stored\n")
    }
}
