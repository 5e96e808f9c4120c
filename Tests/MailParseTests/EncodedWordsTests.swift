import Testing

@testable import MailParse

/// RFC 2047 encoded words.
@Suite("Encoded words (RFC 2047)")
struct EncodedWordsTests {
    @Test(
        "decodes",
        arguments: [
            ("=?utf-8?B?5pu05paw?=", "更新"),
            ("=?UTF-8?b?5pu05paw?=", "更新"),
            ("=?utf-8?Q?=E6=9B=B4=E6=96=B0_ok?=", "更新 ok"),
            ("=?iso-8859-1?q?caf=E9?=", "café"),
            // White space between adjacent encoded words is dropped (§6.2); folds too.
            ("=?utf-8?B?5pu0?= =?utf-8?B?5paw?=", "更新"),
            ("=?utf-8?B?5pu0?=\r\n =?utf-8?B?5paw?=", "更新"),
            // ... but kept between an encoded word and plain text.
            ("Re: =?utf-8?B?5pu05paw?= now", "Re: 更新 now"),
            // A character split across two words (bytes E6 9B | B4) survives because the bytes are joined first.
            ("=?utf-8?B?5ps=?= =?utf-8?B?tA==?=", "更"),
            // ISO-2022-JP shift state across words: ESC $ B in the first, the characters and ESC ( B in the second.
            ("=?iso-2022-jp?B?GyRC?= =?iso-2022-jp?B?OTk/NxsoQg==?=", "更新"),
            // Seen in practice: glued to text, glued to each other, an RFC 2231 language, no padding.
            ("Fwd:=?utf-8?B?5pu05paw?=", "Fwd:更新"),
            ("=?utf-8?B?5pu0?==?utf-8?B?5paw?=", "更新"),
            ("=?utf-8*ja?B?5pu05paw?=", "更新"),
            ("=?utf-8?B?5pu05paw5pu0?=", "更新更"),
            // Not encoded words: left alone.
            ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
            ("=?utf-8?B?abc", "=?utf-8?B?abc"),
            ("a =? b ?= c", "a =? b ?= c"),
            ("plain text", "plain text"),
        ])
    func decodes(input: String, expected: String) {
        #expect(EncodedWords.decodeUnstructured(Array(input.utf8)[...]) == expected)
    }

    @Test func unknownCharsetIsDetected() {
        #expect(EncodedWords.decode("=?x-unknown?B?5pu05paw?=") == "更新")
    }

    @Test func hostileRepetitionStaysLinear() {
        // Every "=?x?q?" opens a word whose text never closes: without the resume rule each would scan to the end.
        let unclosed = String(repeating: "=?x?q?a", count: 200_000)
        #expect(EncodedWords.decode(unclosed) == unclosed)
        let spaced = String(repeating: "=?utf-8?q?a ", count: 100_000)
        #expect(EncodedWords.decode(spaced) == spaced)
    }
}
