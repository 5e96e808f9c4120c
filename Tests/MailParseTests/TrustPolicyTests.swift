import Testing

@testable import MailParse

@Suite("Trust policy")
struct TrustPolicyTests {
    let policy = TrustPolicy(senders: ["nyusatsu@to-kousya.example"], hosts: ["bid.to-kousya.example"])

    @Test(
        "URLs",
        arguments: [
            ("https://bid.to-kousya.example/cert?t=1", true),
            ("HTTPS://BID.to-kousya.example/cert", true),
            ("https://bid.to-kousya.example:443/cert", true),
            ("https://bid.to-kousya.example", true),
            ("http://bid.to-kousya.example/cert", false),
            ("https://bid.to-kousya.example:8443/cert", false),
            ("https://bid.to-kousya.example@evil.test/cert", false),
            ("https://user:pw@bid.to-kousya.example/cert", false),
            ("https://bid.to-kousya.example.verify-cert.test/cert", false),
            ("https://bid.to-kousya.example./cert", false),
            ("https://xn--bid-to-kousya-9n3f.example/cert", false),
            ("https://bid.to-kousуa.example/cert", false),  // Cyrillic у
            ("https://bid%2eto-kousya.example/cert", false),
            ("https://bid.to-kousya.example\\@evil.test/", false),
            ("https://evil.test/bid.to-kousya.example", false),
            ("https://evil.test?bid.to-kousya.example", false),
        ])
    func urls(url: String, trusted: Bool) {
        #expect(policy.trustsURL(url) == trusted)
    }

    @Test func sendersCompareAddrSpecIgnoringASCIICase() {
        #expect(policy.trustsSender(Mailbox(displayName: nil, localPart: "NyuSatsu", domain: "TO-KOUSYA.example")))
        #expect(
            !policy.trustsSender(
                Mailbox(displayName: "nyusatsu@to-kousya.example", localPart: "x", domain: "evil.test")))
    }

    @Test func fromMustBeOneMailbox() {
        let body = "業者コード:5184962\nダウンロードURL:https://bid.to-kousya.example/d?t=abcdefgh\n"
        let two = message(["From: nyusatsu@to-kousya.example, other@evil.test", "Subject: s"], body: body)
        #expect(!NoticeReader.read(two, trust: policy).trusted)
        let one = message(["From: nyusatsu@to-kousya.example", "Subject: s"], body: body)
        #expect(NoticeReader.read(one, trust: policy).trusted)
        let none = message(["Subject: s"], body: body)
        #expect(!NoticeReader.read(none, trust: policy).trusted)
    }

    @Test func secondDownloadURLMustAlsoBeTrusted() {
        let body =
            "業者コード:5184962\nダウンロードURL:https://bid.to-kousya.example/d?t=abcdefgh\n"
            + "ダウンロードURL:https://evil.test/d?t=abcdefgh\n"
        let notice = NoticeReader.read(
            message(["From: nyusatsu@to-kousya.example", "Subject: s"], body: body), trust: policy)
        #expect(notice.kind == .updateNotice && !notice.trusted)
        #expect(notice.distrustReason != nil)
    }
}
