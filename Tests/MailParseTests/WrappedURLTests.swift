import Foundation
import Testing

@testable import MailParse

/// URLs cut by line wrapping: format=flowed (RFC 3676), relays that hard-wrap at 76 octets, hrefs with line breaks,
/// and the cuts that cannot be decided, which are never trusted.
@Suite("Wrapped URLs")
struct WrappedURLTests {
    static let url = "https://bid.to-kousya.example/cert/download?t=Xk3_Vq9rTz1LmN0pQs7wYaHb2cDe"
    static let from = "From: nyusatsu@to-kousya.example"

    /// The notice's lines with the URL line cut after `cut` octets, and the rest on the next line.
    static func hardWrapped(at cut: Int, next: String? = nil) -> String {
        let line = Array("ダウンロードURL:\(url)".utf8)
        let rest = next ?? String(decoding: line[cut...], as: UTF8.self)
        return "業者コード:5184962\n有効期間:2027/04/01～2028/03/31\n"
            + String(decoding: line[..<cut], as: UTF8.self) + "\n" + rest + "\n\n※このメールは保存してください。\n"
    }

    @Test(arguments: [true, false])
    func flowedTextIsUnwrapped(delSp: Bool) {
        // DelSp=yes: the wrapper added the space and it goes; DelSp=no: the break was at a space that stays.
        let url = Self.url
        let urlLines =
            delSp
            ? "ダウンロードURL:\(url.prefix(40)) \r\n\(url.dropFirst(40))\r\n"
            : "ダウンロードURL: \r\n\(url)\r\n"
        let body = "新しいクライアント証明書の有効期間は 2027/04/01 ～ \r\n2028/03/31 です。\r\n業者コード:5184962\r\n" + urlLines
        let bytes = message(
            [
                Self.from, "Subject: s",
                "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=\(delSp ? "yes" : "no")",
            ],
            body: body)
        let notice = NoticeReader.read(bytes)
        #expect(notice.url == url)
        #expect(notice.validFrom?.description == "2027-04-01")
        #expect(notice.validUntil?.description == "2028-03-31")
        #expect(notice.trusted)
    }

    @Test func flowedQuotesAndSignature() {
        let text = "> a \r\n> b\r\n>> c \r\nd\r\n-- \r\nsig"
        #expect(FlowedText.unflow(text, deleteSpace: false) == "> a b\n>> c \nd\n-- \nsig")
        #expect(FlowedText.unflow(" >stuffed \r\nline", deleteSpace: true) == ">stuffedline")
    }

    @Test func aURLHardWrappedAt76OctetsIsJoined() {
        let notice = NoticeReader.read(message([Self.from, "Subject: s"], body: Self.hardWrapped(at: 76)))
        #expect(notice.url == Self.url)
        #expect(notice.trusted)
    }

    @Test func aLongURLWrappedOverFourLinesIsJoinedWhole() {
        // A Safe Links URL of some 300 characters, hard-wrapped at 76 octets: four lines of URL.
        let inner = Self.url
        let long =
            "https://nam12.safelinks.protection.outlook.com/?url="
            + (inner.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            + "&data=05%7C02%7Cnyusatsu-tanto%40aoba-kensetsu.example%7C8f0c2a4e1b3d4c5e9f70%7C0%7C0&sdata=Ab%2BcD%3D&reserved=0"
        var line = Array("ダウンロードURL:\(long)".utf8)[...]
        var wrapped: [String] = []
        while line.count > 76 {
            wrapped.append(String(decoding: line.prefix(76), as: UTF8.self))
            line = line.dropFirst(76)
        }
        wrapped.append(String(decoding: line, as: UTF8.self))
        #expect(wrapped.count >= 4)
        let body = "業者コード:5184962\n" + wrapped.joined(separator: "\n") + "\n\n※保存してください。\n"
        let notice = NoticeReader.read(message([Self.from, "Subject: s"], body: body))
        #expect(notice.url == inner)
        #expect(notice.trusted)
        #expect(notice.notes == ["link rewritten by Safe Links; stored the issuer's original"])
    }

    @Test func aURLThatEndsAwayFromAWrapColumnIsNotJoined() {
        // A 50-octet line is not wrapped by anyone: the next line is text of its own.
        let notice = NoticeReader.read(message([Self.from, "Subject: s"], body: Self.hardWrapped(at: 50)))
        #expect(notice.url == String(decoding: Array("ダウンロードURL:\(Self.url)".utf8)[22..<50], as: UTF8.self))
    }

    @Test func aLabelAfterAURLAtTheWrapColumnLeavesTheCutUndecided() {
        let notice = NoticeReader.read(
            message([Self.from, "Subject: s"], body: Self.hardWrapped(at: 76, next: "Code: 5184962")))
        #expect(!notice.trusted)
        #expect(notice.reason == .urlCut)
    }

    @Test func japaneseTextAfterTheURLIsNotJoined() {
        let notice = NoticeReader.read(
            message([Self.from, "Subject: s"], body: Self.hardWrapped(at: 76, next: "JKK東京 契約課")))
        #expect(notice.url?.hasSuffix("JKK") == false)
    }

    @Test func anISO2022JPLineIsMeasuredInItsOwnOctets() {
        // ESC $ B, クライアント証明書のダウンロード in 16 two-byte characters, ESC ( B, "URL:": 42 octets of label and
        // 34 of URL make 76 on the wire, though the line is 86 octets in UTF-8 (no wrap column there).
        let label: [UInt8] =
            [
                0x1B, 0x24, 0x42, 0x25, 0x2F, 0x25, 0x69, 0x25, 0x24, 0x25, 0x22, 0x25, 0x73, 0x25, 0x48, 0x3E, 0x5A,
                0x4C,
                0x40, 0x3D, 0x71, 0x24, 0x4E, 0x25, 0x40, 0x25, 0x26, 0x25, 0x73, 0x25, 0x6D, 0x21, 0x3C, 0x25, 0x49,
                0x1B,
                0x28, 0x42,
            ] + Array("URL:".utf8)
        let bytes =
            Array("\(Self.from)\nSubject: s\nContent-Type: text/plain; charset=iso-2022-jp\n\n".utf8) + label
            + Array("\(Self.url.prefix(34))\n\(Self.url.dropFirst(34))\n".utf8)
        #expect(label.count + 34 == 76)
        let notice = NoticeReader.read(bytes)
        #expect(notice.url == Self.url)
        #expect(notice.trusted)
    }

    @Test func anHrefWithLineBreaksOpensTheWholeURL() {
        let href = "\(Self.url.prefix(40))\r\n\t\(Self.url.dropFirst(40))"
        let html = "<p>業者コード:5184962<br>ダウンロードURL:<a href=\"\n \(href)\">こちら</a></p>"
        let notice = NoticeReader.read(
            message([Self.from, "Subject: s", "Content-Type: text/html; charset=utf-8"], body: html))
        #expect(notice.url == Self.url)
        #expect(notice.trusted)
        #expect(HTMLText.cleanedHref(" \t\(href)\n") == Self.url)
    }

    @Test func textAndHTMLThatDisagreeAreACut() {
        let plain = "業者コード:5184962\nダウンロードURL:\(Self.url.dropLast(8))\n"
        let html = "<p>業者コード:5184962<br>ダウンロードURL:<a href=\"\(Self.url)\">\(Self.url)</a></p>"
        let bytes = message(
            [Self.from, "Subject: s", "Content-Type: multipart/alternative; boundary=b"],
            body:
                "--b\nContent-Type: text/plain; charset=utf-8\n\n\(plain)\n--b\nContent-Type: text/html; charset=utf-8\n\n"
                + "\(html)\n--b--\n")
        let notice = NoticeReader.read(bytes)
        #expect(!notice.trusted)
        #expect(notice.reason == .urlCut)
        #expect(!notice.suspectedPhishing)
    }

    @Test func aTokenShorterThanTheIssuersIsACut() {
        let body = "業者コード:5184962\nダウンロードURL:https://bid.to-kousya.example/cert/download?t=Xk3_Vq9r\n"
        let bytes = message([Self.from, "Subject: s"], body: body)
        // The built-in issuer's tokens are 22 characters at least (128 bits in base64url); another issuer's length
        // is checked only when it is given.
        #expect(TrustPolicy.builtIn.minimumTokenLength == 22)
        #expect(NoticeReader.read(bytes).reason == .urlCut)
        var other = TrustPolicy(senders: ["nyusatsu@to-kousya.example"], hosts: ["bid.to-kousya.example"])
        #expect(NoticeReader.read(bytes, trust: other).trusted)
        other.minimumTokenLength = 9
        #expect(NoticeReader.read(bytes, trust: other).reason == .urlCut)
    }
}
