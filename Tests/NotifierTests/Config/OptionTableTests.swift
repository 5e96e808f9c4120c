import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// The option tables: one declaration gives the parser, the configuration file reader and the help text.
@Suite("option tables")
struct OptionTableTests {
    /// Every command's flags are distinct, and its help shows every one of them.
    static func check<C: Command>(_ command: C.Type, parent: String? = nil) {
        let flags = C.options.compactMap(\.flag)
        #expect(Set(flags).count == flags.count, "\(C.name) declares a flag twice: \(flags)")
        // Words only: the help is wrapped.
        let help = C.help(parent: parent).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for option in C.options where option.kind != .refused {
            guard let flag = option.flag else { continue }
            #expect(help.contains(" \(flag) ") || help.contains(" \(flag)\n"), "\(C.name) --help does not show \(flag)")
            if let key = option.key { #expect(help.contains("configuration key \(key)"), "\(C.name): \(key)") }
        }
    }

    @Test func everyCommandDeclaresEachFlagOnceAndShowsIt() {
        Self.check(ParseCommand.self)
        Self.check(ComposeCommand.self)
        Self.check(SendCommand.self)
        Self.check(IngestCommand.self)
        Self.check(WatchCommand.self)
        Self.check(URLsCommand.self)
        Self.check(ResendURLCommand.self)
        Self.check(VendorsImportCommand.self, parent: "vendors")
        Self.check(VendorsListCommand.self, parent: "vendors")
        Self.check(NoticesSendCommand.self, parent: "notices")
        Self.check(NoticesRemindCommand.self, parent: "notices")
        Self.check(NoticesStatusCommand.self, parent: "notices")
        Self.check(NoticesLookupCommand.self, parent: "notices")
        Self.check(NoticesRequeueCommand.self, parent: "notices")
        Self.check(OTPIssueCommand.self, parent: "otp")
        Self.check(OTPVerifyCommand.self, parent: "otp")
        Self.check(OTPUnlockCommand.self, parent: "otp")
        #expect(Set(Configuration.keys).count == Configuration.keys.count)
    }

    @Test func wordsInlineValuesEndOfOptionsAndStandardInput() throws {
        let command: ParseCommand = try OptionParser.parse(
            Arguments(["--jobs=3", "--trust-host", "a.example", "--", "--json", "-"]), command: "parse")
        #expect(command.jobs == 3 && !command.json)
        #expect(command.files == ["--json", "-"] && command.trust.hosts == ["a.example"])
        #expect(throws: UsageError("--json takes no value")) {
            let _: ParseCommand = try OptionParser.parse(Arguments(["--json=yes", "x"]), command: "parse")
        }
        #expect(throws: UsageError("--jobs needs a value")) {
            let _: ParseCommand = try OptionParser.parse(Arguments(["x", "--jobs"]), command: "parse")
        }
        #expect(throws: UsageError("parse: no FILE given")) {
            let _: ParseCommand = try OptionParser.parse(Arguments(["--json"]), command: "parse")
        }
    }

    @Test func aListOnTheCommandLineReplacesTheConfigurationsAndAValueFillsOnlyWhatIsUnset() throws {
        let configuration = try Configuration.parse(
            "trust_host = b.example\ntrust_host = c.example\nsmtp_tls = required\nsmtp_timeout = 60\n", path: "config")
        let given: SendCommand = try OptionParser.parse(
            Arguments(["t", "--smtp-tls", "none"]), command: "send")
        #expect(given.transport.filled(from: configuration.transport).smtpTLS == SMTPSettings.TLSMode.none)
        #expect(given.transport.filled(from: configuration.transport).timeout == 60)
        let hosts: ParseCommand = try OptionParser.parse(
            Arguments(["--trust-host", "a.example", "f"]), command: "parse")
        #expect(hosts.trust.filled(from: configuration.trust).hosts == ["a.example"])
        #expect(TrustOptions().filled(from: configuration.trust).hosts == ["b.example", "c.example"])
    }

    @Test(
        "one parse for the flag and the key: the same reason, the value shown only on the command line",
        arguments: [
            ("--smtp-tls", "smtp_tls", "bogus", "must be auto, required or none"),
            ("--relay-timeout", "relay_timeout", "0", "takes a number of seconds from 1 to 3600"),
            ("--trust-sender", "trust_sender", "no-at-sign", "takes an address like name@example.jp"),
            ("--max-message-size", "max_message_size", "12Q", "takes a size from 1K to 1G, like 32M"),
        ])
    func oneParse(flag: String, key: String, value: String, reason: String) throws {
        let words = ["--maildir", "m", flag, value]
        #expect(throws: UsageError("\(flag) \(reason), not '\(value)'")) {
            let _: WatchCommand = try OptionParser.parse(Arguments(words), command: "watch")
        }
        #expect(throws: ConfigurationError("config:2: \(key) \(reason)")) {
            try Configuration.parse("# comment\n\(key) = \(value)\n", path: "config")
        }
    }

    @Test func aURLIsNeverRepeatedInAnError() throws {
        #expect(
            throws: UsageError("--imap must not carry a password: set NOTIFIER_IMAP_PASSWORD or --imap-password-file")
        ) {
            let _: WatchCommand = try OptionParser.parse(
                Arguments(["--imap", "imaps://u:Secret1@mail.example/INBOX"]), command: "watch")
        }
    }
}
