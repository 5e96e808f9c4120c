import Testing

@testable import MailParse

@Suite("HTML to text")
struct HTMLTextTests {
    @Test func tagsEntitiesAndBreaks() {
        let text = HTMLText.text(
            fromHTML:
                "<p>a&amp;b&lt;c&gt;&#x3042;&#12354;&nbsp;&unknown;</p><br>x<script>ダウンロードURL:bad</script><style>p{}</style><!-- c -->y"
        )
        #expect(text == "\na&b<c>ああ\u{00A0}&unknown;\n\nxy")
    }

    @Test(
        "link targets are kept",
        arguments: [
            (
                "<a href=\"https://h.example/a?x=1&amp;y=2\">https://h.example/a?x=1&amp;y=2</a>",
                "https://h.example/a?x=1&y=2"
            ),
            ("<a href='https://h.example/'>こちら</a>", "こちら <https://h.example/>"),
            // A URL as the text over a different target: the target is what a click opens.
            ("<A HREF=https://evil.test/>https://trusted.example/</A>", "https://evil.test/"),
            ("<a href=\"mailto:x@example.jp\">mail</a>", "mail"),
        ])
    func links(html: String, expected: String) {
        #expect(HTMLText.text(fromHTML: html) == expected)
    }

    @Test func unclosedTagsStayLinear() {
        let hostile = String(repeating: "<\"", count: 100_000)
        #expect(HTMLText.text(fromHTML: hostile).count == hostile.count)
    }
}
