import Testing

@testable import MailParse

/// Link rewriters of mail security gateways: the reversible ones give back the issuer's URL exactly, the opaque ones
/// are named.
@Suite("Link rewriters")
struct LinkRewriterTests {
    static let original = "https://bid.to-kousya.example/cert/download?t=Ab_c-1"

    @Test(
        "reversible rewriters give the original back exactly",
        arguments: [
            (
                "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fbid.to-kousya.example%2Fcert%2F"
                    + "download%3Ft%3DAb_c-1&data=05%7C02%7C&sdata=xyz%3D&reserved=0", "Safe Links"
            ),
            (
                "https://urldefense.proofpoint.com/v2/url?u=https-3A__bid.to-2Dkousya.example_cert_download-3Ft-3DAb-5Fc-2D1"
                    + "&d=DwMFaQ&c=euGZstcaTDllvimEN8b7jXrwqOf-v5A_CdpgnVfiiMM&r=abc&m=def&s=ghi&e=",
                "Proofpoint URL Defense"
            ),
            (
                "https://urldefense.com/v3/__https://bid.to-kousya.example/cert/download*t*Ab_c-1__;Pz0!!XyZ12!abcDEF$",
                "Proofpoint URL Defense"
            ),
            (
                "https://urldefense.com/v3/__https:/bid.to-kousya.example/cert/download*t*Ab_c-1__;Pz0!!XyZ12!abcDEF$",
                "Proofpoint URL Defense"
            ),
            (
                "https://urldefense.proofpoint.com/v1/url?u=https%3A%2F%2Fbid.to-kousya.example%2Fcert%2Fdownload%3Ft%3DAb_c-1"
                    + "&k=abc%0A&r=def&m=ghi&s=jkl", "Proofpoint URL Defense"
            ),
        ])
    func unwraps(url: String, gateway: String) {
        #expect(LinkRewriter.examine(url) == .unwrapped(url: Self.original, gateway: gateway))
    }

    @Test func proofpointV3RunsOfReplacedCharacters() {
        // "**A" stands for a run of two replaced characters ("?&"), "*" for one ("=").
        let url = "https://urldefense.com/v3/__https://bid.to-kousya.example/cert/download**At*xyz__;PyY9!!AbC!dEf$"
        #expect(
            LinkRewriter.examine(url)
                == .unwrapped(
                    url: "https://bid.to-kousya.example/cert/download?&t=xyz", gateway: "Proofpoint URL Defense"))
    }

    @Test func safeLinksAroundProofpoint() {
        let inner = "https://urldefense.com/v3/__https://bid.to-kousya.example/cert/download*t*Ab_c-1__;Pz0!!XyZ12!abc$"
        var encoded = ""
        for byte in inner.utf8 {
            encoded +=
                ASCII.isAlphanumeric(byte) || byte == 0x2E || byte == 0x2D || byte == 0x5F
                ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16, uppercase: true)
        }
        let url = "https://eur03.safelinks.protection.outlook.com/?url=\(encoded)&data=05%7C01&sdata=a%2Bb&reserved=0"
        #expect(
            LinkRewriter.examine(url)
                == .unwrapped(url: Self.original, gateway: "Safe Links and Proofpoint URL Defense"))
    }

    @Test(
        "opaque rewriters and unreadable rewritten links are named",
        arguments: [
            ("https://protect-eu.mimecast.com/s/Ab1CDeFgHiJkLmNo?domain=bid.to-kousya.example", "Mimecast"),
            ("https://protect2.mimecastprotect.com/s/xYz?domain=bid.to-kousya.example", "Mimecast"),
            (
                "https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fbid.to-kousya.example&c=E,1,x&typo=1",
                "Barracuda Link Protection"
            ),
            ("https://nam12.safelinks.protection.outlook.com/?data=05%7C02&reserved=0", "Safe Links"),
            (
                "https://urldefense.com/v3/__https://bid.to-kousya.example/cert/download*t*x__;!!AbC$",
                "Proofpoint URL Defense"
            ),
        ])
    func opaque(url: String, gateway: String) {
        #expect(LinkRewriter.examine(url) == .opaque(gateway: gateway))
    }

    @Test(
        "look-alikes of rewriters are not rewriters",
        arguments: [
            "https://nam12.safelinks.protection.outlook.com.evil.test/?url=https%3A%2F%2Fbid.to-kousya.example%2F",
            "https://evil.test/?url=https%3A%2F%2Fbid.to-kousya.example%2F",
            "https://safelinks.protection.outlook.com@evil.test/?url=https%3A%2F%2Fbid.to-kousya.example%2F",
            "https://bid.to-kousya.example/cert/download?t=abc",
        ])
    func notRewriters(url: String) {
        #expect(LinkRewriter.examine(url) == .plain)
    }

    @Test func aSafeLinkToAnotherHostIsJudgedByThatHost() {
        let body =
            "業者コード:5184962\nダウンロードURL:https://nam12.safelinks.protection.outlook.com/?url="
            + "https%3A%2F%2Fbid-to-kousya.verify.test%2Fd%3Ft%3Dabc&data=05%7C02&sdata=x&reserved=0\n"
        let notice = NoticeReader.read(message(["From: nyusatsu@to-kousya.example", "Subject: s"], body: body))
        #expect(!notice.trusted)
        #expect(notice.reason == .urlHostNotTrusted)
        #expect(notice.url == "https://bid-to-kousya.verify.test/d?t=abc")
        #expect(notice.suspectedPhishing)
    }

    @Test func aForwardedSafeLinksNoticeReportsTheOriginalAndStoresNothing() {
        let body =
            "業者コード:5184962\nダウンロードURL:https://nam12.safelinks.protection.outlook.com/?url="
            + "https%3A%2F%2Fbid.to-kousya.example%2Fcert%2Fdownload%3Ft%3DAb_c-1&data=05%7C02&sdata=x&reserved=0\n"
        let notice = NoticeReader.read(
            message(["From: tanaka@aoba-kensetsu.example", "Subject: FW: 更新のお知らせ"], body: body))
        #expect(notice.reason == .forwarded)
        #expect(notice.url == Self.original)
        #expect(notice.notes.isEmpty)
    }
}
