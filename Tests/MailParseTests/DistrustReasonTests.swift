import Testing

@testable import MailParse

/// Why a notice is not trusted, and which distrust is phishing: only look-alike hosts, spoofed display names and links
/// whose text shows another host.
@Suite("Distrust reasons")
struct DistrustReasonTests {
    static let body = "業者コード:5184962\nダウンロードURL:https://bid.to-kousya.example/cert/download?t=Xk3_Vq9rTz1LmN0pQs7wYa\n"

    @Test(
        "sample messages",
        arguments: [
            ("corpus/p06_update_forwarded_inline.eml", DistrustReason.forwarded, false),
            ("corpus/p07_update_phishing_url_host.eml", .urlHostNotTrusted, true),
            ("corpus/p08_update_display_name_spoof.eml", .senderNotTrusted, true),
            ("variants/v05_update_forwarded_as_attachment.eml", .forwarded, false),
            ("variants/v06_update_outlook_quoted_forward.eml", .forwarded, false),
            ("variants/v12_update_deceptive_html_link.eml", .linkTextMismatch, true),
            ("variants/v13_update_userinfo_url.eml", .urlHostNotTrusted, true),
            ("variants/v14_update_punycode_host.eml", .urlHostNotTrusted, true),
            ("variants/v18_update_two_from_fields.eml", .senderNotTrusted, false),
        ])
    func fixtures(file: String, reason: DistrustReason, phishing: Bool) throws {
        let notice = NoticeReader.read(try Fixture.bytes(file))
        #expect(!notice.trusted)
        #expect(notice.reason == reason)
        #expect(notice.suspectedPhishing == phishing)
        #expect(notice.distrustReason != nil)
    }

    @Test func trustedNoticesHaveNoReason() throws {
        let notice = NoticeReader.read(try Fixture.bytes("corpus/p01_update_utf8_base64.eml"))
        #expect(notice.trusted && notice.reason == nil && notice.distrustReason == nil && !notice.suspectedPhishing)
    }

    @Test func aMailingListThatRewroteFromIsNotPhishing() {
        let bytes = message(
            [
                "From: \"'nyusatsu@to-kousya.example' via 入札情報\" <nyusatsu-info@groups.example>",
                "List-Id: <nyusatsu-info.groups.example>", "Reply-To: nyusatsu@to-kousya.example", "Subject: s",
            ],
            body: Self.body)
        let notice = NoticeReader.read(bytes)
        #expect(notice.reason == .senderNotTrusted)
        #expect(!notice.suspectedPhishing)
        #expect(notice.distrustReason?.contains("mailing list") == true)
    }

    @Test func someoneElseIsNotPhishing() {
        let notice = NoticeReader.read(message(["From: tanaka@aoba-kensetsu.example", "Subject: s"], body: Self.body))
        #expect(notice.reason == .senderNotTrusted)
        #expect(!notice.suspectedPhishing)
    }

    @Test func aForwardSubjectMakesAForward() {
        let notice = NoticeReader.read(
            message(["From: tanaka@aoba-kensetsu.example", "Subject: 転送: 【電子入札システム】"], body: Self.body))
        #expect(notice.reason == .forwarded)
        #expect(!notice.suspectedPhishing)
    }

    @Test func plainHTTPOnTheTrustedHost() {
        let body = Self.body.replacingOccurrences(of: "https://", with: "http://")
        let notice = NoticeReader.read(message(["From: nyusatsu@to-kousya.example", "Subject: s"], body: body))
        #expect(notice.reason == .urlNotHTTPS)
        #expect(!notice.suspectedPhishing)
    }

    @Test func anUnrelatedHostIsNotCalledALookAlike() {
        let body = "業者コード:5184962\nダウンロードURL:https://files.example.net/d?t=abcdefgh\n"
        let notice = NoticeReader.read(message(["From: nyusatsu@to-kousya.example", "Subject: s"], body: body))
        #expect(notice.reason == .urlHostNotTrusted)
        #expect(!notice.suspectedPhishing)
    }

    @Test func reasonCodesAreTheContract() {
        #expect(
            DistrustReason.allCases.map(\.rawValue) == [
                "forwarded", "sender_not_trusted", "url_host_not_trusted", "url_not_https", "url_cut", "url_rewritten",
                "link_text_mismatch", "not_authenticated", "implausible_expiry",
            ])
    }

    @Test func aFooterLinkThroughAClickCounterIsNotAMismatch() {
        let html =
            "<p>業者コード:5184962<br>ダウンロードURL:<a href=\"https://bid.to-kousya.example/cert/download?t="
            + "Xk3_Vq9rTz1LmN0pQs7wYa\">こちら</a></p><p><a href=\"https://click.news.example/c?u=1\">"
            + "https://www.to-kousya-group.example/</a></p>"
        let notice = NoticeReader.read(
            message(
                ["From: nyusatsu@to-kousya.example", "Subject: s", "Content-Type: text/html; charset=utf-8"], body: html
            ))
        #expect(notice.trusted)
        #expect(notice.reason == nil)
    }
}
