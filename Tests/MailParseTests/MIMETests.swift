import Testing

@testable import MailParse

/// MIME structure (RFC 2045-2049): multiparts, attached messages, transfer encodings, parameters.
@Suite("MIME (RFC 2045-2049)")
struct MIMETests {
    private func texts(_ entity: Entity) -> [String] {
        var result: [String] = []
        entity.walk { if let text = $0.text { result.append(text) } }
        return result
    }

    @Test func nestedMultipart() {
        let bytes = message(
            ["Content-Type: multipart/mixed; boundary=\"a\""],
            body: """
                preamble
                --a
                Content-Type: multipart/alternative; boundary=b

                --b
                Content-Type: text/plain; charset=utf-8

                plain
                --b
                Content-Type: text/html

                <p>html</p>
                --b--
                --a
                Content-Type: application/octet-stream

                xx
                --a--
                epilogue
                """)
        let parsed = Message.parse(bytes)
        guard case .multipart(let parts) = parsed.root.body else {
            Issue.record("not a multipart")
            return
        }
        #expect(parts.count == 2)
        #expect(parts[0].contentType.mimeType == "multipart/alternative")
        #expect(texts(parsed.root) == ["plain", "<p>html</p>"])
        #expect(parsed.defects.isEmpty)
    }

    @Test func boundaryMustStandAtLineStartAndAlone() {
        let bytes = message(
            ["Content-Type: multipart/mixed; boundary=abc"],
            body: "--abc\n\nfirst --abc inside\n--abcdef is not it\n--abc  \n\nsecond\n--abc--\n")
        #expect(texts(Message.parse(bytes).root) == ["first --abc inside\n--abcdef is not it", "second"])
    }

    @Test func missingClosingBoundary() {
        let parsed = Message.parse(message(["Content-Type: multipart/mixed; boundary=x"], body: "--x\n\nlast part\n"))
        #expect(texts(parsed.root) == ["last part\n"])
        #expect(parsed.defects.contains { $0.contains("closing boundary") })
    }

    @Test func multipartWithoutBoundaryIsText() {
        let parsed = Message.parse(message(["Content-Type: multipart/mixed"], body: "just text"))
        #expect(texts(parsed.root) == ["just text"])
    }

    @Test func attachedMessageIsParsed() {
        let bytes = message(
            ["Content-Type: message/rfc822"],
            body: "Subject: =?utf-8?B?5pu05paw?=\nContent-Type: text/plain; charset=utf-8\n\ninner text")
        let parsed = Message.parse(bytes)
        guard case .message(let inner) = parsed.root.body else {
            Issue.record("not parsed as a message")
            return
        }
        #expect(inner.subject == "更新")
        #expect(inner.text == "inner text")
    }

    @Test func digestPartsDefaultToMessages() {
        let bytes = message(
            ["Content-Type: multipart/digest; boundary=d"], body: "--d\n\nSubject: one\n\nbody one\n--d--\n")
        let parsed = Message.parse(bytes)
        guard case .multipart(let parts) = parsed.root.body, case .message(let inner) = parts.first?.body else {
            Issue.record("digest part not read as message/rfc822")
            return
        }
        #expect(inner.subject == "one")
    }

    @Test func depthIsLimited() {
        var body = "innermost"
        for level in stride(from: 99, through: 0, by: -1) {
            body = "--b\(level)\nContent-Type: multipart/mixed; boundary=b\(level + 1)\n\n" + body
        }
        let bytes = message(["Content-Type: multipart/mixed; boundary=b0"], body: body)
        let parsed = Message.parse(bytes, limits: ParseLimits(maxDepth: 10))
        #expect(parsed.defects.contains { $0.contains("deeper than 10") })
    }

    @Test(
        "base64 tolerates junk and missing padding",
        arguments: [
            ("5pu0\n5paw\n", "更新"), ("5p u0*5p\taw", "更新"), ("5pu05paw5pu0", "更新更"), ("YWI", "ab"),
            ("YQ==junk", "a"), ("", ""),
        ])
    func base64(input: String, expected: String) {
        #expect(String(decoding: TransferEncoding.decodeBase64(Array(input.utf8)), as: UTF8.self) == expected)
    }

    @Test(
        "quoted-printable",
        arguments: [
            ("a=3Db", "a=b"), ("a=3db", "a=b"), ("soft=\nbreak", "softbreak"), ("soft=\r\nbreak", "softbreak"),
            ("pad= \nded", "padded"), ("bad=ZZ", "bad=ZZ"), ("end=", "end"), ("=E6=9B=B4", "更"),
        ])
    func quotedPrintable(input: String, expected: String) {
        #expect(String(decoding: TransferEncoding.decodeQuotedPrintable(Array(input.utf8)), as: UTF8.self) == expected)
    }

    @Test func rfc2231Parameters() throws {
        let type = try #require(
            ContentType.parse(
                Array("application/pdf; name*0*=utf-8''%E6%89%8B; name*1*=%E9%A0%86; name*2=.pdf; x=\"q\\\"t\"".utf8)[
                    ...]))
        #expect(type.mimeType == "application/pdf")
        #expect(type.parameter("name") == "手順.pdf")
        #expect(type.parameter("x") == "q\"t")
        let single = try #require(ContentType.parse(Array("text/plain; CHARSET*=iso-8859-1'en'caf%E9".utf8)[...]))
        #expect(single.parameter("charset") == "café")
    }

    @Test func contentTypeIsCaseInsensitiveAndTolerant() throws {
        let type = try #require(ContentType.parse(Array("Text/PLAIN (comment); Charset=\"UTF-8\"".utf8)[...]))
        #expect(type.mimeType == "text/plain")
        #expect(type.parameter("charset") == "UTF-8")
        #expect(ContentType.parse(Array("garbage".utf8)[...]) == nil)
    }

    @Test func attachmentTextIsNotMessageText() {
        let bytes = message(
            ["Content-Type: multipart/mixed; boundary=m"],
            body: "--m\n\nbody\n--m\nContent-Disposition: attachment; filename=a.txt\n\nattached\n--m--\n")
        var own: [String] = []
        Message.parse(bytes).root.walk { if let text = $0.text, !$0.isAttachment { own.append(text) } }
        #expect(own == ["body"])
    }
}
