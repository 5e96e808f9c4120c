import Foundation
import Testing

@testable import MailParse

/// Trust by mail authentication (RFC 8601, RFC 7489): Authentication-Results fields in the forms real receiving
/// servers write them, where they stand in the header, and who may have written them.
@Suite("Sender authentication (RFC 8601)")
struct SenderAuthenticationTests {
    // MARK: the field as each server writes it

    /// Gmail (mx.google.com): header.i rather than header.d, comments, DMARC with its policy in a comment.
    static let gmail = """
        mx.google.com;
               dkim=pass header.i=@to-kousya.example header.s=s2027 header.b=Xy3kQ1aB;
               spf=pass (google.com: domain of bounce@to-kousya.example designates 203.0.113.25 as permitted sender) smtp.mailfrom=bounce@to-kousya.example;
               dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=to-kousya.example
        """
    /// Microsoft 365 (Exchange Online Protection): no authserv-id, action= and compauth=.
    static let microsoft = """
        spf=pass (sender IP is 203.0.113.25) smtp.mailfrom=to-kousya.example; dkim=pass (signature was verified)
         header.d=to-kousya.example;dmarc=pass action=none header.from=to-kousya.example;compauth=pass reason=100
        """
    /// OpenDKIM as a Postfix milter.
    static let openDKIM = """
        mail.aoba-kensetsu.example; dkim=pass (2048-bit key; unprotected) header.d=to-kousya.example header.i=@to-kousya.example header.a=rsa-sha256 header.s=s2027 header.b="Xy3kQ1aB"; dkim-atps=neutral
        """
    /// OpenDMARC as a Postfix milter.
    static let openDMARC = "mail.aoba-kensetsu.example; dmarc=pass (p=reject dis=none) header.from=to-kousya.example"
    /// rspamd as a Postfix milter, the form Dovecot then delivers into the mailbox.
    static let rspamd = """
        mail.aoba-kensetsu.example;
        	dkim=pass header.d=to-kousya.example header.s=s2027 header.b=Xy3kQ1aB;
        	dmarc=pass (policy=reject) header.from=to-kousya.example;
        	spf=pass (mail.aoba-kensetsu.example: domain of bounce@to-kousya.example designates 203.0.113.25 as permitted sender) smtp.mailfrom=bounce@to-kousya.example
        """

    @Test func gmailForm() throws {
        let parsed = try #require(AuthenticationResults.parse(Self.gmail))
        #expect(parsed.authservID == "mx.google.com")
        #expect(parsed.results.map(\.method) == ["dkim", "spf", "dmarc"])
        #expect(parsed.results[0].properties["header.i"] == "@to-kousya.example")
        #expect(
            parsed.results[2].result == "pass" && parsed.results[2].properties["header.from"] == "to-kousya.example")
    }

    @Test func microsoftFormHasNoAuthservID() throws {
        let parsed = try #require(AuthenticationResults.parse(Self.microsoft))
        #expect(parsed.authservID == nil)
        #expect(parsed.results.map(\.method) == ["spf", "dkim", "dmarc", "compauth"])
        #expect(parsed.results[1].properties["header.d"] == "to-kousya.example")
        #expect(parsed.results[2].properties["action"] == "none")
    }

    @Test func milterForms() throws {
        let dkim = try #require(AuthenticationResults.parse(Self.openDKIM))
        #expect(dkim.authservID == "mail.aoba-kensetsu.example")
        #expect(dkim.results.first?.properties["header.d"] == "to-kousya.example")
        #expect(dkim.results.first?.properties["header.b"] == "Xy3kQ1aB")
        let dmarc = try #require(AuthenticationResults.parse(Self.openDMARC))
        #expect(
            dmarc.results == [.init(method: "dmarc", result: "pass", properties: ["header.from": "to-kousya.example"])])
        let rspamd = try #require(AuthenticationResults.parse(Self.rspamd))
        #expect(rspamd.results.map(\.method) == ["dkim", "dmarc", "spf"])
    }

    @Test func spacesAroundTheSpecialsAndCase() throws {
        let parsed = try #require(
            AuthenticationResults.parse("MX.Example.JP 1; DKIM = Pass header . d = Example.JP; none"))
        #expect(parsed.authservID == "mx.example.jp")
        #expect(parsed.results.first == .init(method: "dkim", result: "pass", properties: ["header.d": "Example.JP"]))
    }

    @Test func receivedByHost() {
        #expect(
            AuthenticationResults.receivedByHost(
                "from mail.to-kousya.example (mail.to-kousya.example. [203.0.113.25]) by mx.google.com with ESMTPS id x1 for <a@b>; Mon, 25 Jan 2027 10:00:00 -0800 (PST)"
            ) == "mx.google.com")
        #expect(
            AuthenticationResults.receivedByHost("from x (by evil.test) by MAIL.Vendor.Example. with ESMTP")
                == "mail.vendor.example")
        #expect(AuthenticationResults.receivedByHost("from x with local") == nil)
    }

    // MARK: whole messages

    static let body =
        "業者コード:5184962\r\nダウンロードURL:https://bid.to-kousya.example/cert/download?t=Abc123Def456Ghi789Jkl0\r\n"

    /// A notice from the trusted sender with `trace` (header lines, top first) above its own header.
    static func notice(trace: [String], from: String = "nyusatsu@to-kousya.example") -> [UInt8] {
        let own = [
            "From: JKK東京 <\(from)>", "To: tanto@aoba-kensetsu.example", "Subject: notice",
            "Message-ID: <n1@to-kousya.example>", "Date: Mon, 25 Jan 2027 10:00:00 +0900", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
        ]
        return Array(((trace + own).joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    static let gmailReceived =
        "Received: from mail.to-kousya.example (mail.to-kousya.example. [203.0.113.25]) by mx.google.com with ESMTPS id x1; Mon, 25 Jan 2027 10:00:01 +0900"
    static let vendorReceived =
        "Received: from mail.to-kousya.example (mail.to-kousya.example [203.0.113.25]) by mail.aoba-kensetsu.example (Postfix) with ESMTPS id 4Q1; Mon, 25 Jan 2027 10:00:01 +0900"

    static func read(_ bytes: [UInt8], ids: [String]) -> Notice {
        NoticeReader.read(
            bytes,
            trust: TrustPolicy(senders: TrustPolicy.builtIn.senders, hosts: TrustPolicy.builtIn.hosts, authservIDs: ids)
        )
    }

    @Test func gmailBlockAuthenticates() {
        let message = Self.notice(trace: [
            "Received: by 2002:a05:7000:1:b0:1 with SMTP id 1; Mon, 25 Jan 2027 10:00:02 +0900",
            "ARC-Authentication-Results: i=1; mx.google.com; dmarc=pass header.from=to-kousya.example",
            Self.gmailReceived,
            "Received-SPF: pass (google.com: domain of bounce@to-kousya.example designates 203.0.113.25 as permitted sender)",
            "Authentication-Results: " + Self.gmail.replacingOccurrences(of: "\n", with: "\r\n"),
        ])
        let notice = Self.read(message, ids: ["mx.google.com"])
        #expect(notice.authenticated == true && notice.trusted)
        // The same message judged with no policy: From alone, and authenticated is unknown.
        #expect(NoticeReader.read(message).authenticated == nil && NoticeReader.read(message).trusted)
    }

    @Test func microsoft365AboveItsEntry() {
        let message = Self.notice(trace: [
            "Received: from DM6PR12MB.namprd12.prod.outlook.com (2603:10b6::1) by SN6PR12MB.namprd12.prod.outlook.com with HTTPS",
            "Authentication-Results: " + Self.microsoft.replacingOccurrences(of: "\n", with: "\r\n"),
            "Received-SPF: Pass (protection.outlook.com: domain of to-kousya.example designates 203.0.113.25 as permitted sender) receiver=protection.outlook.com",
            "Received: from mail.to-kousya.example (203.0.113.25) by DM6NAM11FT012.mail.protection.outlook.com (10.13.172.1) with Microsoft SMTP Server",
        ])
        #expect(Self.read(message, ids: [SenderAuthentication.microsoft365]).authenticated == true)
        // Microsoft's id-less fields do not count for anyone else's id.
        #expect(Self.read(message, ids: ["mx.google.com"]).authenticated == false)
    }

    @Test func openDKIMAndOpenDMARCMilters() {
        for field in [Self.openDKIM, Self.openDMARC, Self.rspamd] {
            let message = Self.notice(trace: [
                "Authentication-Results: " + field.replacingOccurrences(of: "\n", with: "\r\n"), Self.vendorReceived,
            ])
            let notice = Self.read(message, ids: ["mail.aoba-kensetsu.example"])
            #expect(notice.authenticated == true && notice.trusted, "\(field)")
        }
    }

    /// The attacks: a forged field that came with the message, another server's id, failing or unaligned results.
    @Test(arguments: [
        // Forged below the vendor's entry: it came with the message.
        [
            vendorReceived,
            "Authentication-Results: mail.aoba-kensetsu.example; dmarc=pass header.from=to-kousya.example",
        ],
        // Forged right after Gmail's own field: only the first below Gmail's Received counts.
        [
            gmailReceived, "Authentication-Results: mx.google.com; dmarc=fail header.from=to-kousya.example",
            "Authentication-Results: mx.google.com; dmarc=pass header.from=to-kousya.example",
        ],
        // No Received by the vendor's server at all.
        ["Authentication-Results: mail.aoba-kensetsu.example; dmarc=pass header.from=to-kousya.example"],
        // Another server's id.
        ["Authentication-Results: mx.evil.test; dmarc=pass header.from=to-kousya.example", vendorReceived],
        // The right id, but failing, or for another domain, or aligned only to a public suffix.
        [
            "Authentication-Results: mail.aoba-kensetsu.example; dmarc=fail header.from=to-kousya.example; dkim=fail header.d=to-kousya.example",
            vendorReceived,
        ],
        ["Authentication-Results: mail.aoba-kensetsu.example; dkim=pass header.d=kousya-portal.test", vendorReceived],
        ["Authentication-Results: mail.aoba-kensetsu.example; dkim=pass header.d=example", vendorReceived],
        [
            "Authentication-Results: mail.aoba-kensetsu.example; spf=pass smtp.mailfrom=to-kousya.example",
            vendorReceived,
        ],
        // A Received field whose "by" merely contains the id as a comment or a longer name.
        [
            "Authentication-Results: mail.aoba-kensetsu.example; dmarc=pass header.from=to-kousya.example",
            "Received: from x (by mail.aoba-kensetsu.example) by mail.aoba-kensetsu.example.evil.test with ESMTP",
        ],
    ])
    func forgedOrFailingResultsDoNotAuthenticate(trace: [String]) {
        let notice = Self.read(Self.notice(trace: trace), ids: ["mail.aoba-kensetsu.example", "mx.google.com"])
        #expect(notice.authenticated == false && !notice.trusted)
        #expect(notice.distrustReason?.contains("not authenticated") == true)
    }

    @Test func relaxedAlignment() {
        #expect(SenderAuthentication.aligned("to-kousya.example", "to-kousya.example"))
        #expect(SenderAuthentication.aligned("to-kousya.or.jp", "mail.to-kousya.or.jp"))
        #expect(SenderAuthentication.aligned("mail.to-kousya.or.jp", "to-kousya.or.jp"))
        #expect(!SenderAuthentication.aligned("or.jp", "to-kousya.or.jp"))
        #expect(!SenderAuthentication.aligned("jp", "to-kousya.jp"))
        #expect(!SenderAuthentication.aligned("evil-to-kousya.example", "to-kousya.example"))
    }

    // MARK: OTP plausibility

    /// The issuer's OTP is valid 30 minutes: an expiry more than 35 minutes after the mail's Date is implausible.
    @Test(arguments: [
        ("2027/01/25 10:30", true), ("2027/01/25 10:35", true), ("2027/01/25 10:36", false),
        ("2099/12/31 23:59", false),
    ])
    func otpExpiryAgainstTheDate(expiry: String, plausible: Bool) {
        let text = """
            From: JKK東京 <nyusatsu@to-kousya.example>\r
            Subject: OTP\r
            Date: Mon, 25 Jan 2027 10:00:00 +0900\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            ワンタイムパスワード:Abcd2345\r
            有効期限:\(expiry)\r

            """
        let notice = NoticeReader.read(Array(text.utf8))
        #expect(notice.kind == .otp)
        #expect(notice.trusted == plausible && notice.implausibleExpiry == !plausible)
    }

    @Test(arguments: [
        ("Mon, 25 Jan 2027 10:00:00 +0900", "2027-01-25T01:00:00Z"), ("25 Jan 2027 01:00 GMT", "2027-01-25T01:00:00Z"),
        ("Sun, 24 Jan 27 17:00:00 -0800 (PST)", "2027-01-25T01:00:00Z"),
        ("Mon,25 Jan 2027 10:00:00 JST", "2027-01-25T01:00:00Z"),
        ("Mon, 31 Feb 2027 10:00:00 +0900", nil), ("yesterday", nil),
    ])
    func dates(text: String, expected: String?) {
        let formatter = ISO8601DateFormatter()
        #expect(MailDate.parse(text).map(formatter.string(from:)) == expected)
    }
}
