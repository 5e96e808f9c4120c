import Foundation
import Testing

@testable import MailParse

/// The bounce reader over `Fixtures/bounces` (303 real bounces from sisimai/set-of-emails, BSD-licensed): hit rate,
/// exact results against `expected.jsonl` (checked against flufl.bounce and by hand before it was committed), a
/// sample of formats read by hand, and what must never be taken for a bounce.
@Suite("Bounces")
struct BounceReaderTests {
    static func read(_ file: String) throws -> Notice {
        NoticeReader.read(try Fixture.bytes("bounces/\(file)"))
    }

    /// A plausible addr-spec: one "@", a local part without white space, a domain of two labels or more.
    static func isPlausible(_ address: String) -> Bool {
        let pieces = address.split(separator: "@", omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty, pieces[1].contains("."),
            !address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" })
        else { return false }
        return address == address.lowercased()
    }

    @Test func corpusHitRate() throws {
        let names = Fixture.names("bounces")
        #expect(names.count == 303)
        var hits = 0
        for name in names {
            let notice = try Self.read(name)
            guard let bounce = notice.bounce else { continue }
            #expect(notice.kind == .bounce && !notice.trusted)
            if !bounce.recipients.isEmpty { hits += 1 }
            for recipient in bounce.recipients { #expect(Self.isPlausible(recipient), "\(name): \(recipient)") }
        }
        // 97% of 303 is 293.9: at least 294 files with a recipient (flufl.bounce: 251 with a non-empty address).
        #expect(hits >= 294, "a recipient in \(hits) of \(names.count)")
    }

    @Test("expected.jsonl", arguments: Fixture.names("bounces"))
    func expected(file: String) throws {
        let want = try #require(try Fixture.expectations("bounces").first { $0.file == file }?.fields)
        let notice = try Self.read(file)
        #expect(notice.kind.rawValue == want["kind"] as? String)
        #expect(notice.bounce?.recipients == want["bounce_recipients"] as? [String])
        #expect(notice.bounce?.status == want["bounce_status"] as? String)
        #expect(notice.bounce?.permanent == want["bounce_permanent"] as? Bool)
        #expect(notice.bounce?.originalMessageID == want["original_message_id"] as? String)
    }

    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var recipients: [String]
        var status: String?
        var permanent: Bool
        var originalMessageID: String?
        var description: String { file }
    }

    /// Read by hand from each file.
    static let sample: [Case] = [
        // RFC 3464 from Sendmail; the attached original is itself a bounce, whose recipient is not this one's.
        Case(
            file: "lhost-sendmail-41.eml", recipients: ["this-local-part-does-not-exist@yahoo.com"], status: "5.0.0",
            permanent: true, originalMessageID: "201609121950.u8CJoQN3016081@mx2.example.jp"),
        // Postfix DSN: Action failed with 4.4.1 (the queue lifetime ran out): given up, so permanent.
        Case(
            file: "lhost-postfix-08.eml", recipients: ["kijitora@example.com"], status: "4.4.1", permanent: true,
            originalMessageID: "143E20AB-3911-4809-8B49-BB1A17513571@mail.ru"),
        // qmail, text only; the sender wrote to itself, and the reply has no x.y.z code.
        Case(
            file: "lhost-qmail-08.eml", recipients: ["shironeko@example.ad.jp"], status: nil, permanent: true,
            originalMessageID: nil),
        // Exim: "A message sent by <sender>" names the sender first; the failed address follows "failed:".
        Case(
            file: "lhost-exim-08.eml", recipients: ["kijitora@example.org"], status: nil, permanent: true,
            originalMessageID: "000000000000000000000000xx@host5.example.org"),
        // Exim delay warning: not yet delivered, will retry.
        Case(
            file: "lhost-exim-38.eml", recipients: ["kijitora@example.co.jp"], status: nil, permanent: false,
            originalMessageID: nil),
        // Exchange 2003: "did not reach the following recipient(s):"; the quoted "To:" is the sender's.
        Case(
            file: "lhost-exchange2003-01.eml", recipients: ["kijitora@example.jp"], status: nil, permanent: true,
            originalMessageID: nil),
        // Google Groups in Japanese: "kijitora@example.jp 様" greets the sender; X-Failed-Recipients names the group.
        Case(
            file: "lhost-googlegroups-01.eml", recipients: ["libsisimai@googlegroups.com"], status: nil,
            permanent: true, originalMessageID: "D0E3D626-1C96-4749-8101-62C0CE13B1D5@example.jp"),
        // Amazon SES through SNS: JSON in the body.
        Case(
            file: "lhost-amazonses-09.eml", recipients: ["bounce@simulator.amazonses.com"], status: "5.1.1",
            permanent: true, originalMessageID: nil),
        // KDDI: no report sender or subject; "Could not be delivered to: <addr>" and the original attached.
        Case(
            file: "lhost-kddi-03.eml", recipients: ["kijitora@00000000000000.dion.ne.jp"], status: nil,
            permanent: true, originalMessageID: "00000000.000000000000000@exampe.cat"),
        // IMail: "Delivery failed 20 attempts: addr".
        Case(
            file: "lhost-imailserver-04.eml", recipients: ["kijitora@example.com"], status: nil, permanent: true,
            originalMessageID: nil),
        // A relay that forwards the bounce it got: the inner report's recipient, not the inner report's To.
        Case(
            file: "lhost-x5-01.eml", recipients: ["kijitora@neko.example.org"], status: "5.1.1", permanent: true,
            originalMessageID: "201510150656.CAT22222@vrrr-22.int.example.co.jp"),
        // Biglobe: the bounced address really is a postmaster.
        Case(
            file: "lhost-biglobe-01.eml", recipients: ["postmaster@mxr.biglobe.ne.jp"], status: nil,
            permanent: true, originalMessageID: "000000000000000000000000000000@example.com"),
        // Zoho: one line with the address, reply code and status; the quoted original's sender is not taken.
        Case(
            file: "lhost-zoho-01.eml", recipients: ["kijitora@example.co.jp"], status: "5.1.1", permanent: true,
            originalMessageID: "14a3e1b4b5a.10b1a4c5610175.8588386083425091336@zoho.example.com"),
    ]

    @Test("formats read by hand", arguments: sample)
    func byHand(_ want: Case) throws {
        let notice = try Self.read(want.file)
        let bounce = try #require(notice.bounce)
        #expect(notice.kind == .bounce)
        #expect(bounce.recipients == want.recipients)
        #expect(bounce.status == want.status)
        #expect(bounce.permanent == want.permanent)
        #expect(bounce.originalMessageID == want.originalMessageID)
    }

    /// In the corpus but no bounce: a success DSN, an SES complaint (feedback) and delivery notice, a mailing
    /// list's loop alert.
    @Test(arguments: ["rfc3464-28.eml", "lhost-amazonses-11.eml", "lhost-amazonses-13.eml", "lhost-fml-03.eml"])
    func notBouncesInTheCorpus(file: String) throws {
        let notice = try Self.read(file)
        #expect(notice.kind != .bounce && notice.bounce == nil)
    }

    @Test(
        "notices and ordinary mail are never bounces",
        arguments: Fixture.names("corpus").map { "corpus/\($0)" }
            + Fixture.names("variants").map { "variants/\($0)" })
    func notices(path: String) throws {
        let notice = NoticeReader.read(try Fixture.bytes(path))
        #expect(notice.kind != .bounce && notice.bounce == nil)
    }

    /// A bounce that returns an update notice is a bounce, not an (untrusted) notice.
    @Test func bounceOfANotice() throws {
        let original = String(decoding: try Fixture.bytes("corpus/p01_update_utf8_base64.eml"), as: UTF8.self)
        let bytes = message(
            [
                "From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)", "To: nyusatsu@to-kousya.example",
                "Subject: Undelivered Mail Returned to Sender", "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"",
            ],
            body: """
                --B
                Content-Type: text/plain

                <info@aoba-kensetsu.example>: host mx.aoba-kensetsu.example said: 550 5.1.1 User unknown

                --B
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.jp

                Final-Recipient: rfc822; info@aoba-kensetsu.example
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 User unknown

                --B
                Content-Type: message/rfc822

                \(original)
                --B--
                """)
        let notice = NoticeReader.read(bytes)
        #expect(notice.kind == .bounce && !notice.trusted && notice.url == nil)
        #expect(notice.bounce?.recipients == ["info@aoba-kensetsu.example"])
        #expect(notice.bounce?.status == "5.1.1" && notice.bounce?.permanent == true)
        #expect(notice.bounce?.diagnostic == "550 5.1.1 User unknown")
        let originalID = Message.parse(Array(original.utf8)).messageID
        #expect(originalID != nil && notice.bounce?.originalMessageID == originalID)
    }

    /// RFC 3834 §5: a vacation reply, marked auto-replied and with a null return path, is no bounce.
    @Test func autoReplyIsNotABounce() {
        let vacation = message(
            [
                "From: Aoba Kensetsu <info@aoba-kensetsu.example>", "To: nyusatsu@to-kousya.example",
                "Subject: Auto: 電子証明書更新のお知らせ", "Auto-Submitted: auto-replied", "Return-Path: <>",
            ],
            body:
                "I am out of the office until 2027-02-01 and could not be reached. Mail to <desk@aoba-kensetsu.example>.\n"
        )
        #expect(NoticeReader.read(vacation).kind == .other)
        let plain = message(
            [
                "From: info@aoba-kensetsu.example", "To: nyusatsu@to-kousya.example", "Subject: Re: お知らせ",
                "Auto-Submitted: auto-replied",
            ],
            body: "<info@aoba-kensetsu.example>: 550 5.1.1 this is a reply that quotes a bounce\n")
        #expect(NoticeReader.read(plain).kind == .other)
    }

    /// RFC 5965: an abuse feedback report is about a message that was delivered.
    @Test func feedbackReportIsNotABounce() {
        let arf = message(
            [
                "From: abuse@mail.example.net", "To: nyusatsu@to-kousya.example", "Subject: FW: abuse report",
                "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"",
            ],
            body: """
                --F
                Content-Type: text/plain

                This is an email abuse report for an email message received from IP 192.0.2.1.

                --F
                Content-Type: message/feedback-report

                Feedback-Type: abuse
                User-Agent: SomeGenerator/1.0
                Version: 1
                Original-Rcpt-To: <info@aoba-kensetsu.example>

                --F
                Content-Type: text/rfc822-headers

                From: nyusatsu@to-kousya.example
                To: info@aoba-kensetsu.example
                Message-ID: <n1@to-kousya.example>

                --F--
                """)
        #expect(NoticeReader.read(arf).kind == .other)
    }

    /// A success DSN (Action: delivered) is no bounce.
    @Test func successReportIsNotABounce() {
        let delivered = message(
            [
                "From: MAILER-DAEMON@mx.example.jp", "To: nyusatsu@to-kousya.example",
                "Subject: Successful Mail Delivery Report", "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"",
            ],
            body: "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n"
                + "Final-Recipient: rfc822; info@aoba-kensetsu.example\nAction: delivered\nStatus: 2.0.0\n--B--\n")
        #expect(NoticeReader.read(delivered).kind == .other)
    }

    /// Hostile: 10 MB of recipients in one report stays linear and keeps at most `Bounce.maxRecipients`.
    @Test func manyRecipientsAreCapped() {
        let groups = (0..<160_000).map {
            "\nFinal-Recipient: rfc822; user\($0)@example.com\nAction: failed\nStatus: 5.1.1\n"
        }
        let dsn = "Reporting-MTA: dns; mx.example.jp\n" + groups.joined()  // about 10 MB
        let bytes = message(
            [
                "From: MAILER-DAEMON@mx.example.jp", "Subject: Undelivered Mail Returned to Sender",
                "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"",
            ],
            body: "--B\nContent-Type: message/delivery-status\n\n\(dsn)--B--\n")
        let start = Date()
        let bounce = NoticeReader.read(bytes).bounce
        #expect(bounce?.recipients.count ?? 0 > 0 && bounce?.recipients.count ?? 0 <= Bounce.maxRecipients)
        #expect(Date().timeIntervalSince(start) < 30)
    }

    /// Hostile: one address repeated and "@" everywhere in a 10 MB text report.
    @Test func hugeTextReport() {
        let body = String(repeating: "<a@example.com>: 550 5.1.1 x@y@z@", count: 300_000)
        let bytes = message(["From: MAILER-DAEMON@mx.example.jp", "Subject: failure notice"], body: body)
        let start = Date()
        let bounce = NoticeReader.read(bytes).bounce
        #expect(bounce?.recipients == ["a@example.com"])
        #expect(Date().timeIntervalSince(start) < 30)
    }
}
