import Foundation
import Testing

/// README.ja.md says the same things as README.md: it names every flag, configuration key and command the English
/// manual names, so a flag added to one and not the other fails here.
@Suite("README.ja.md")
struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardized

    static func text(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    /// Every match of `pattern`'s first group in `text`.
    static func matches(_ pattern: String, in text: String) throws -> Set<String> {
        let expression = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        let range = NSRange(text.startIndex..., in: text)
        return Set(
            expression.matches(in: text, range: range).compactMap { match in
                Range(match.range(at: 1), in: text).map { String(text[$0]) }
            })
    }

    @Test func everyFlagKeyAndCommandOfTheEnglishManual() throws {
        let english = try Self.text("README.md")
        let japanese = try Self.text("README.ja.md")
        let flags = try Self.matches(#"(?<![\w-])(--[a-z][a-z0-9-]+)"#, in: english)
        let keys = try Self.matches(#"^#? ?([a-z_]+) = "#, in: english)
        let commands = try Self.matches(
            #"notifier ((?:vendors|notices|bounces|otp) [a-z]+|parse|compose|send|ingest|watch|urls|resend-url)\b"#,
            in: english)
        #expect(flags.count > 40 && keys.count > 20 && commands.count >= 20)
        for word in flags.union(keys) { #expect(japanese.contains(word), "README.ja.md does not name \(word)") }
        for command in commands {
            #expect(japanese.contains("notifier \(command)"), "README.ja.md has no 'notifier \(command)'")
        }
    }

    @Test func eachLinksTheOther() throws {
        #expect(try Self.text("README.md").contains("日本語: [README.ja.md](README.ja.md)"))
        #expect(try Self.text("README.ja.md").contains("English: [README.md](README.md)"))
    }
}
