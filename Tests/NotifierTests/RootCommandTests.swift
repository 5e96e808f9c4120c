import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// The root command line: help on every level, version, global options, default paths.
@Suite("notifier command line")
struct RootCommandTests {
    @Test(
        "help on every level",
        arguments: [
            ["--help"], ["-h"], ["help"], ["parse", "--help"], ["help", "parse"],
            ["--db", "x.db", "parse", "-h"],
        ])
    func help(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Usage: notifier"))
        if arguments.contains("parse") { #expect(result.stdout.contains("--trust-sender ADDR")) }
    }

    @Test func versionNamesTheLinkedLibraries() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("libcurl/"))
        #expect(result.stdout.contains("SQLite/3."))
    }

    @Test func databasePath() throws {
        let paths = Paths(environment: ["HOME": "/home/u"])
        #expect(try paths.database(override: nil) == "/home/u/.local/share/notifier/notifier.sqlite3")
        #expect(try paths.database(override: "/x.db") == "/x.db")
        let xdg = Paths(environment: ["HOME": "/home/u", "XDG_DATA_HOME": "/data"])
        #expect(try xdg.database(override: nil) == "/data/notifier/notifier.sqlite3")
        let relative = Paths(environment: ["HOME": "/home/u", "XDG_DATA_HOME": "data"])
        #expect(try relative.database(override: nil) == "/home/u/.local/share/notifier/notifier.sqlite3")
        let env = Paths(environment: ["HOME": "/home/u", "NOTIFIER_DB": "/env.db", "XDG_DATA_HOME": "/data"])
        #expect(try env.database(override: nil) == "/env.db")
        #expect(throws: ConfigurationError.self) { try Paths(environment: [:]).database(override: nil) }
    }

    @Test func configurationPath() throws {
        let paths = Paths(environment: ["HOME": "/home/u"])
        #expect(try paths.configuration(override: nil)?.path == "/home/u/.config/notifier/config")
        #expect(try paths.configuration(override: nil)?.explicit == false)
        #expect(try Paths(environment: ["NOTIFIER_CONFIG": "/c"]).configuration(override: nil)?.explicit == true)
    }

    @Test func jsonEscaping() {
        var line = JSONLine()
        line.add("s", "a\"b\\c\n\u{01}\u{1B}日本")
        line.add("n", nil as String?)
        line.add("t", true)
        #expect(line.line == "{\"s\": \"a\\\"b\\\\c\\n\\u0001\\u001b日本\", \"n\": null, \"t\": true}")
    }
}

/// One scrubber for text notifier prints or stores from a server or a message.
@Suite("control characters")
struct ControlCharactersTests {
    @Test(arguments: [
        ("plain 日本語", "plain 日本語"), ("a\u{1B}[2Jb", "a\u{FFFD}[2Jb"), ("nul\u{0}", "nul\u{FFFD}"),
        ("c1\u{85}x\u{9B}", "c1\u{FFFD}x\u{FFFD}"), ("del\u{7F}", "del\u{FFFD}"),
    ])
    func scrubbed(text: String, shown: String) {
        #expect(text.replacingControlCharacters() == shown)
    }
}
