import Testing

@testable import MailParse

/// Charsets: the Japanese legacy sets through cp932, aliases, detection of missing or wrong labels.
@Suite("Charsets")
struct CharsetTests {
    @Test func cp932Extensions() {
        // 髙 (FB FC), ① (87 40), FULLWIDTH TILDE (81 60), half-width katakana ｱ (B1)
        #expect(Charset.cp932.decode([0xFB, 0xFC, 0x87, 0x40, 0x81, 0x60, 0xB1]) == "髙①～ｱ")
    }

    @Test(
        "Shift_JIS aliases decode as cp932",
        arguments: [
            "Shift_JIS", "shift-jis", "SJIS", "x-sjis", "Windows-31J", "cp932", "MS932", "ms_kanji", "csShiftJIS",
        ])
    func shiftJISAliases(label: String) {
        #expect(Charset(label: label) == .cp932)
        #expect(Charset.decode([0x87, 0x40, 0x82, 0xA0], label: label) == "①あ")
    }

    @Test func invalidBytesBecomeReplacementCharacters() {
        #expect(Charset.cp932.decode([0x82, 0xA0, 0x82, 0x20, 0x41]) == "あ\u{FFFD} A")
        #expect(Charset.utf8.decode([0xE3, 0x81, 0x82, 0xFF]) == "あ\u{FFFD}")
    }

    @Test func iso2022JPWithWindowsExtensions() {
        // ESC $ B, あ (24 22), ① (2D 21, NEC row 13), ESC ( I, ｱ (31), ESC ( B, "A"
        let bytes: [UInt8] = [0x1B, 0x24, 0x42, 0x24, 0x22, 0x2D, 0x21, 0x1B, 0x28, 0x49, 0x31, 0x1B, 0x28, 0x42, 0x41]
        #expect(Charset.iso2022JP.decode(bytes) == "あ①ｱA")
    }

    @Test func iso2022JPNeverLeaksEscapes() {
        // Unknown designations, a truncated pair, a missing ESC ( B before the line end, JIS X 0212.
        let bytes: [UInt8] = [
            0x1B, 0x2E, 0x41, 0x1B, 0x24, 0x42, 0x24, 0x22, 0x24, 0x0A, 0x41, 0x1B, 0x24, 0x28, 0x44,
            0x30, 0x21, 0x1B, 0x28, 0x42,
        ]
        let text = Charset.iso2022JP.decode(bytes)
        #expect(!text.unicodeScalars.contains("\u{1B}"))
        #expect(text.hasPrefix("あ"))
        #expect(text.contains("\nA"))
    }

    @Test func eucJP() {
        // あ (A4 A2), ① (AD A1, NEC row 13), half-width ｱ (8E B1), 〜 (A1 C1)
        #expect(Charset.decode([0xA4, 0xA2, 0xAD, 0xA1, 0x8E, 0xB1, 0xA1, 0xC1], label: "EUC-JP") == "あ①ｱ～")
    }

    @Test func westernCharsets() {
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9], label: "ISO-8859-1") == "café")
        #expect(Charset.decode([0x80, 0x93, 0x94], label: "windows-1252") == "€“”")
        #expect(Charset.decode([0x81], label: "cp1252") == "\u{81}")
    }

    @Test(
        "missing or unknown labels are detected from the bytes",
        arguments: [nil, "x-unknown", "us-ascii", "utf-8"] as [String?])
    func detection(label: String?) {
        let iso2022: [UInt8] = [0x1B, 0x24, 0x42, 0x24, 0x22, 0x1B, 0x28, 0x42]
        #expect(Charset.decode(iso2022, label: label) == "あ")
        #expect(Charset.decode([0x82, 0xA0, 0x82, 0xA2], label: label) == "あい")  // Shift_JIS
        #expect(Charset.decode([0xA4, 0xA2, 0xA4, 0xA4], label: label) == "あい")  // EUC-JP
        #expect(Charset.decode(Array("あい".utf8), label: label) == "あい")
    }

    @Test func languageSuffixAndQuotesInLabels() {
        #expect(Charset(label: "UTF-8*ja") == .utf8)
        #expect(Charset(label: "\"iso-2022-jp\"") == .iso2022JP)
        // Labels notifier has no decoder for go to glibc's iconv; a label neither knows is no Japanese guess.
        #expect(Charset(label: "koi8-r") == .iconv("KOI8-R"))
        #expect(Charset(label: "x-no-such-charset") == .unknown)
        #expect(Charset(label: "unknown-8bit") == nil)
    }
}
