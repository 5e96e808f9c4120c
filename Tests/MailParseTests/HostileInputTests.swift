import Foundation
import Testing

@testable import MailParse

/// Hostile input gives a record, never a crash or a hang. Time and memory for these inputs are measured by
/// `make bench` (release build), not asserted here.
@Suite("Hostile input")
struct HostileInputTests {
    @Test func tenThousandHeaderFields() {
        var text = ""
        for index in 0..<10_000 { text += "X-Field-\(index): value \(index)\n" }
        text += "From: nyusatsu@to-kousya.example\nSubject: last\n\nbody"
        let parsed = Message.parse(Array(text.utf8))
        #expect(parsed.headers.count == 10_002)
        #expect(parsed.subject == "last")
    }

    @Test func headerFieldsBeyondTheLimitAreCountedNotKept() {
        var text = ""
        for index in 0..<300 { text += "X-\(index): v\n" }
        let parsed = Message.parse(Array((text + "\nbody").utf8), limits: ParseLimits(maxHeaderFields: 100))
        #expect(parsed.headers.count == 100)
        #expect(parsed.defects.contains { $0.contains("200 not kept") })
    }

    @Test func multipartsNestedAThousandDeep() {
        var body = "業者コード:5184962\n"
        for level in stride(from: 999, through: 0, by: -1) {
            body = "--b\(level)\nContent-Type: multipart/mixed; boundary=b\(level + 1)\n\n" + body + "\n--b\(level)--\n"
        }
        let bytes = message(["From: x@example.jp", "Content-Type: multipart/mixed; boundary=b0"], body: body)
        let notice = NoticeReader.read(bytes)
        #expect(notice.kind == .other)  // the notice text lies beyond the depth limit
        #expect(notice.error == nil)
    }

    @Test func tenMegabyteLine() {
        let line = String(repeating: "ダウンロードURL:https://a", count: 400_000)
        let bytes = message(["Subject: " + String(repeating: "=?utf-8?B?", count: 100_000)], body: line)
        let notice = NoticeReader.read(bytes)
        #expect(bytes.count > 10_000_000)
        #expect(notice.subject?.isEmpty == false)
    }

    @Test func invalidBytesEverywhere() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let bytes = (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = NoticeReader.read(bytes)
        }
        let sparse: [UInt8] =
            Array("Subject: ".utf8) + [0xFF, 0xFE, 0x1B, 0x24] + Array("\nFrom: \u{1B}$B\n\n".utf8)
            + [0x80, 0x1B, 0x28, 0x49, 0xFF]
        let notice = NoticeReader.read(sparse)
        #expect(notice.kind == .other)
        #expect(notice.subject?.unicodeScalars.contains("\u{1B}") == false)
    }

    @Test func emptyInputIsAnError() {
        #expect(NoticeReader.read([]).error != nil)
    }

    @Test func largeMessage() {
        // 20 MB of base64 attachment behind a notice: parsed, the notice still found.
        let attachment = String(repeating: String(repeating: "QUJD", count: 19) + "\n", count: 260_000)
        let body = """
            --m
            Content-Type: text/plain; charset=utf-8

            業者コード:5184962
            ダウンロードURL:https://bid.to-kousya.example/d?t=abcdefghijklmnopqrstuv
            --m
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            \(attachment)
            --m--

            """
        let bytes = message(
            ["From: nyusatsu@to-kousya.example", "Content-Type: multipart/mixed; boundary=m"], body: body)
        let notice = NoticeReader.read(bytes)
        #expect(bytes.count > 20_000_000)
        #expect(notice.kind == .updateNotice && notice.trusted)
    }

    // Issue 11's paths: each input is large enough that a quadratic step would not finish.

    @Test func twoHundredThousandURLLinesAtTheWrapColumn() {
        // Every line is 76 octets of URL characters, so every line joins the one before.
        let first = "ダウンロードURL:https://bid.to-kousya.example/" + String(repeating: "a", count: 76 - 59) + "\n"
        let body = first + String(repeating: String(repeating: "b", count: 76) + "\n", count: 200_000)
        let notice = NoticeReader.read(message(["From: nyusatsu@to-kousya.example"], body: body))
        #expect(notice.kind == .updateNotice)
        #expect((notice.url?.utf8.count ?? 0) > 15_000_000)
    }

    @Test func aMillionFlowedLines() {
        let body = String(repeating: "> a \r\n", count: 1_000_000) + "end\r\n"
        let text = FlowedText.unflow(body, deleteSpace: true)
        #expect(text.hasPrefix("> aaaa"))
        let bytes = message(["Content-Type: text/plain; format=flowed; delsp=yes"], body: body)
        #expect(NoticeReader.read(bytes).kind == .other)
    }

    @Test func rewrittenLinksOfEveryShape() {
        let stars =
            "https://urldefense.com/v3/__https://a.example/" + String(repeating: "**_", count: 300_000) + "__;QQ!!x$"
        #expect(LinkRewriter.examine(stars) == .opaque(gateway: "Proofpoint URL Defense"))
        var nested = "https://bid.to-kousya.example/"
        for _ in 0..<200 {
            nested =
                "https://nam12.safelinks.protection.outlook.com/?url="
                + (nested.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + "&reserved=0"
        }
        if case .unwrapped(let inner, _) = LinkRewriter.examine(nested) {
            #expect(inner.contains("safelinks"))  // three layers at most are undone
        } else {
            Issue.record("a Safe Links URL was not unwrapped")
        }
        let href =
            "<a href=\"https://bid.to-kousya.example/" + String(repeating: "\n\t", count: 1_000_000) + "x\">t</a>"
        #expect(HTMLText.text(fromHTML: href) == "t <https://bid.to-kousya.example/x>")
    }
}
