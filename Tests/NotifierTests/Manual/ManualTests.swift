import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// The man pages and the shell completion are made from the option tables that `--help` shows: every command's
/// options, configuration keys and exit status are in its page and in the completion, and nothing hidden is.
@Suite("man pages and completion")
struct ManualTests {
    static let edition = ManualPage.Edition(date: "2027-01-20", version: "notifier 0.1.0")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../..").standardized

    /// Every listed command and group, depth first.
    static var entries: [CommandEntry] { RootCommand.commands.flatMap(\.allEntries) }

    /// The options a page and the completion must show: those with a flag that are not refused.
    static func shown(_ page: CommandPage) -> [OptionDoc] { page.options.filter { $0.flag != nil && $0.isShown } }

    @Test func everyCommandHasAPageWithEachOptionItsKeyAndItsExitStatus() throws {
        let pages = ManualPage.all(Self.edition)
        #expect(pages.count == Self.entries.count + 1)
        #expect(Set(pages.map(\.name)).count == pages.count)
        #expect(pages.contains { $0.name == "notifier-notices-send.1" })
        #expect(pages.contains { $0.name == "notifier-otp-verify.1" })
        for entry in Self.entries {
            let page = entry.page()
            let name = ManualPage.name(of: page.path) + ".1"
            let text = try #require(pages.first { $0.name == name }?.text, "no page \(name)")
            #expect(text.contains(".SH NAME\n\(ManualPage.text(ManualPage.name(of: page.path))) \\- "))
            for option in Self.shown(page) {
                let flag = ManualPage.text(option.flag ?? "")
                let head = "\\fB\(flag)\\fR" + (option.valueName.map { " \\fI\(ManualPage.text($0))\\fR" } ?? "")
                #expect(text.contains(".TP\n\(head)\n"), "\(name) lacks \(option.flag ?? "")")
                if let key = option.key {
                    #expect(text.contains("Configuration key: \\fB\(key)\\fR."), "\(name) lacks the key \(key)")
                }
            }
            for refused in page.options where !refused.isShown {
                #expect(
                    !text.contains("\\fB\(ManualPage.text(refused.flag ?? "?"))\\fR"), "\(name) shows a refused one")
            }
            // The exit status: every code the footer names is in the page's EXIT STATUS section.
            if page.footer.contains("Exit status") {
                let section = try #require(text.components(separatedBy: ".SH EXIT STATUS\n").last)
                let codes = page.footer.matches(of: /\b(0|1|6[4-9]|7[0-8])\b/).map { String($0.output.1) }
                #expect(!codes.isEmpty)
                for code in codes { #expect(section.contains(code), "\(name): exit status \(code)") }
            } else {
                #expect(!text.contains(".SH EXIT STATUS"))
            }
            for subcommand in page.subcommands {
                #expect(text.contains("\\fB\(ManualPage.text(ManualPage.name(of: subcommand.path)))\\fR(1)"))
            }
        }
    }

    @Test func notifierOnePageListsCommandsGlobalOptionsEveryConfigurationKeyAndTheExitCodes() throws {
        let text = ManualPage.root(Self.edition)
        for entry in RootCommand.commands { #expect(text.contains(".TP\n\\fB\(ManualPage.text(entry.name))\\fR\n")) }
        for option in RootCommand.globalOptions { #expect(text.contains("\\fB\(ManualPage.text(option.flag!))\\fR")) }
        for key in Configuration.keys { #expect(text.contains(".TP\n\\fB\(key)\\fR = "), "notifier(1) lacks \(key)") }
        #expect(text.contains(".SH EXIT STATUS\nExit codes (sysexits(3) from 64 on"))
        // The hidden command has no page and is not listed (the first line names it as the pages' maker).
        #expect(!text.contains("notifier-internal") && !text.contains("\\fBinternal\\fR"))
        #expect(!ManualPage.all(Self.edition).contains { $0.name.contains("internal") })
        #expect(!RootCommand.help.split(separator: "\n").contains { $0.hasPrefix("  internal ") })
    }

    @Test func roffTextEscapesItsControlCharacters() {
        #expect(ManualPage.text("--smtp-tls") == "\\-\\-smtp\\-tls")
        #expect(ManualPage.text("e-bidding 03-31 -h (--vendor=a-b)") == "e-bidding 03-31 \\-h (\\-\\-vendor=a-b)")
        #expect(ManualPage.text("C:\\path") == "C:\\epath")
        // A summary starting with a dot or a quote would be a roff request: the NAME line is never at line start,
        // and a paragraph gets a zero-width \& first.
        let page = CommandPage(
            path: "x", summary: ".so /etc/passwd", usage: ["x"], about: ".so /etc/shadow\n\n'br",
            options: [], footer: "", subcommands: [])
        let text = ManualPage.command(page, Self.edition)
        #expect(text.contains("\\&.so /etc/shadow\n"))
        #expect(text.contains("\\&'br\n"))
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix(".so") || $0.hasPrefix("'") })
    }

    @Test func everyCommandsOptionsAreInTheZshCompletionAndNothingHidden() throws {
        let zsh = Completion.zsh
        for entry in Self.entries {
            let page = entry.page()
            let block = try #require(
                zsh.components(separatedBy: "    (\(Completion.quoted(page.path)))\n").dropFirst().first?
                    .components(separatedBy: ";;").first, "zsh: no row for \(page.path)")
            for option in Self.shown(page) {
                #expect(block.contains("'\(option.flag!):"), "zsh: \(page.path) lacks \(option.flag!)")
            }
            for subcommand in page.subcommands { #expect(block.contains("'\(subcommand.name):")) }
        }
        #expect(
            !Completion.rows.contains {
                $0.path.hasPrefix("internal") || $0.subcommands.contains { $0.name == "internal" }
            })
        #expect(!zsh.contains("'internal:") && !zsh.contains("('internal"))
        #expect(!Completion.bash.contains(" internal'") && !Completion.bash.contains("'internal"))
    }

    /// The bash script, run by bash: after each command path and `--`, exactly that command's options and
    /// `--help`; after a group, its subcommands; after an option that takes a folder, folders.
    @Test func bashCompletesEveryCommandsOptionsAndSubcommands() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("notifier")
        try Completion.bash.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("mail dir"), withIntermediateDirectories: true)
        var driver = "source \(script.path)\n"
        driver += "complete_words() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _notifier; "
        driver += "printf '%s\\n' \"== $*\" \"${COMPREPLY[@]}\"; }\n"
        let entries = Self.entries.map { $0.page() }
        for page in entries {
            driver += "complete_words notifier --db x.db \(page.path) --\n"
            if !page.subcommands.isEmpty { driver += "complete_words notifier \(page.path) ''\n" }
        }
        driver += "cd \(folder.path) && complete_words notifier watch --maildir 'mail'\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", driver]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        var offered: [String: [String]] = [:]
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== ") {
                current = String(line.dropFirst(3))
            } else if !line.isEmpty {
                offered[current, default: []].append(String(line))
            }
        }
        for page in entries {
            let flags =
                Self.shown(page).map { $0.flag! }
                + (Self.shown(page).contains { $0.flag == "--help" } ? [] : ["--help"])
            #expect(Set(offered["notifier --db x.db \(page.path) --"] ?? []) == Set(flags), "bash: \(page.path) --")
            if !page.subcommands.isEmpty {
                #expect(offered["notifier \(page.path) "] == page.subcommands.map(\.name), "bash: \(page.path)")
            }
        }
        #expect(offered["notifier watch --maildir mail"] == ["mail dir"])
    }

    /// The example configuration names every key, and with every key uncommented it is a valid configuration.
    @Test func theExampleConfigurationHasEveryKeyAndEveryValueParses() throws {
        let path = Self.repository.appendingPathComponent("contrib/notifier.conf.example").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try Configuration.parse(text, path: path).transport.smtpURL == nil)
        for key in Configuration.keys { #expect(text.contains("\n# \(key) = "), "the example lacks \(key)") }
        let uncommented = text.split(separator: "\n").map { line in
            Configuration.keys.contains { line.hasPrefix("# \($0) = ") } ? String(line.dropFirst(2)) : String(line)
        }.joined(separator: "\n")
        let configuration = try Configuration.parse(uncommented, path: path)
        #expect(configuration.transport.smtpURL != nil)
        #expect(configuration.imap.url != nil)
        #expect(configuration.trust.hosts == ["bid.to-kousya.example"])
    }

    @Test func internalManWritesEveryPageAndCompletionRefusesAnotherShell() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("man-\(UUID().uuidString)/man1")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let result = try CLI.run(["internal", "man", folder.path], environment: ["SOURCE_DATE_EPOCH": "1800000000"])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(written.count == Self.entries.count + 1)
        let root = try String(contentsOf: folder.appendingPathComponent("notifier.1"), encoding: .utf8)
        #expect(root.contains(".TH NOTIFIER 1 \"2027-01-15\" \"notifier \(RootCommand.version)\""))

        let fish = try CLI.run(["internal", "completion", "fish"])
        #expect(fish.status == 64)
        #expect(fish.stderr.contains("takes bash or zsh, not 'fish'"))
        let bash = try CLI.run(["internal", "completion", "bash"])
        #expect(bash.status == 0 && bash.stdout == Completion.bash)

        let file = folder.deletingLastPathComponent().appendingPathComponent("a file")
        try Data().write(to: file)
        let blocked = try CLI.run(["internal", "man", file.appendingPathComponent("man1").path])
        #expect(blocked.status == 73)
        #expect(blocked.stderr.contains("cannot write"))
    }
}
