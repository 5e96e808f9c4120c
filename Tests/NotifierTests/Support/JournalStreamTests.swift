import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// Standard error as the journal: when `JOURNAL_STREAM` names standard error's own device and inode, every line
/// starts with its syslog priority; anywhere else the lines are as they were.
@Suite("the journal: priorities on standard error")
struct JournalStreamTests {
    /// Runs the binary with standard error into a file, `JOURNAL_STREAM` set by `stream` from that file's
    /// device and inode (nil: not set); returns the exit status and what standard error holds.
    static func run(
        _ arguments: [String], stdin: String = "", stream: ((UInt64, UInt64)) -> String?
    ) throws -> (status: Int32, stderr: String) {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let errors = folder.appendingPathComponent("stderr")
        let input = folder.appendingPathComponent("stdin")
        try Data().write(to: errors)
        try Data(stdin.utf8).write(to: input)
        let handle = try FileHandle(forWritingTo: errors)
        defer { try? handle.close() }
        var status = stat()
        try #require(fstat(handle.fileDescriptor, &status) == 0)
        var extra: [String: String] = [:]
        if let value = stream((UInt64(status.st_dev), UInt64(status.st_ino))) { extra["JOURNAL_STREAM"] = value }
        let process = Process()
        process.executableURL = try CLI.binary
        process.arguments = arguments
        var environment = CLI.environment(extra)
        if extra["JOURNAL_STREAM"] == nil { environment["JOURNAL_STREAM"] = nil }
        process.environment = environment
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = try FileHandle(forReadingFrom: input)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: errors, encoding: .utf8))
    }

    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    @Test func anErrorAndItsHintAreErrorsInTheJournal() throws {
        let result = try Self.run(["urls", "--fiscal-year", "abc"]) { "\($0.0):\($0.1)" }
        #expect(result.status == 64)
        let lines = Self.lines(result.stderr)
        #expect(lines.count >= 2, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("<3>notifier: ") == true, "\(result.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("<3>") }, "the hint too: \(result.stderr)")
    }

    @Test func warningsNoticesAndErrorsEachHaveTheirPriority() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("vendor.sqlite3").path
        // An expired OTP notice is a notice (5); a phishing notice a warning (4); a wrong code an error (3).
        let corpus = CLI.fixtures.appendingPathComponent("corpus")
        let otp = try Self.run(
            ["--db", database, "ingest", corpus.appendingPathComponent("p02_otp_utf8_base64.eml").path]
        ) { "\($0.0):\($0.1)" }
        #expect(otp.status == 0, "\(otp.stderr)")
        // First the warning that no sender authentication is checked, then the notice.
        #expect(Self.lines(otp.stderr).first?.hasPrefix("<4>notifier: sender authentication is not checked") == true)
        #expect(Self.lines(otp.stderr).last?.hasPrefix("<5>notifier: OTP notice ") == true, "\(otp.stderr)")
        #expect(Self.lines(otp.stderr).count == 2)
        let phishing = try Self.run(
            ["--db", database, "ingest", corpus.appendingPathComponent("p07_update_phishing_url_host.eml").path]
        ) { "\($0.0):\($0.1)" }
        #expect(phishing.status == 0, "\(phishing.stderr)")
        #expect(Self.lines(phishing.stderr).last?.hasPrefix("<4>notifier: suspected phishing") == true)
        #expect(Self.lines(phishing.stderr).allSatisfy { $0.hasPrefix("<4>") })

        let otpFixture = try OTPFixture()
        #expect(try otpFixture.runIssue().status == 0)
        let wrong = try Self.run(
            ["--db", otpFixture.databasePath, "otp", "verify", "--vendor", OTPFixture.vendor], stdin: "ZZZZZZZZ\n"
        ) { "\($0.0):\($0.1)" }
        #expect(wrong.status == 1 && wrong.stderr.hasPrefix("<3>notifier: wrong code for vendor"), "\(wrong.stderr)")
    }

    @Test(
        "no prefix when JOURNAL_STREAM is not standard error's own: unset, another inode, another device, malformed",
        arguments: [
            { (_: (UInt64, UInt64)) in String?.none },
            { "\($0.0):\($0.1 + 1)" },
            { "\($0.0 + 1):\($0.1)" },
            { "\($0.0):\($0.1):0" },
            { " \($0.0):\($0.1)" },
            { (_: (UInt64, UInt64)) in "" },
            { (_: (UInt64, UInt64)) in "journal" },
        ] as [@Sendable ((UInt64, UInt64)) -> String?])
    func noPrefixElsewhere(stream: @Sendable ((UInt64, UInt64)) -> String?) throws {
        let result = try Self.run(["urls", "--fiscal-year", "abc"], stream: stream)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("notifier: "), "\(result.stderr)")
        #expect(!result.stderr.contains("<3>"))
    }

    @Test func everyLineOfATextHasThePriorityOfItsLevel() {
        #expect(StandardError.lines(.error, "notifier: a", journal: true) == "<3>notifier: a\n")
        #expect(StandardError.lines(.warning, "notifier: a", journal: true) == "<4>notifier: a\n")
        #expect(StandardError.lines(.notice, "notifier: a", journal: true) == "<5>notifier: a\n")
        #expect(StandardError.lines(.info, "notifier: a", journal: true) == "<6>notifier: a\n")
        // A text of several lines (a server's multi-line reply) is filed whole at its priority.
        #expect(StandardError.lines(.error, "notifier: a\nb\n", journal: true) == "<3>notifier: a\n<3>b\n")
        #expect(StandardError.lines(.error, "notifier: a\nb", journal: false) == "notifier: a\nb\n")
    }

    @Test func theMatchIsStandardErrorsOwnDeviceAndInode() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("journal")
        try Data().write(to: file)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var status = stat()
        try #require(fstat(handle.fileDescriptor, &status) == 0)
        let descriptor = handle.fileDescriptor
        #expect(StandardError.isJournal(journalStream: "\(status.st_dev):\(status.st_ino)", descriptor: descriptor))
        #expect(
            !StandardError.isJournal(journalStream: "\(status.st_dev):\(status.st_ino + 1)", descriptor: descriptor))
        #expect(!StandardError.isJournal(journalStream: nil, descriptor: descriptor))
        #expect(!StandardError.isJournal(journalStream: "-1:-1", descriptor: descriptor))
        #expect(!StandardError.isJournal(journalStream: "\(status.st_dev):\(status.st_ino)", descriptor: -1))
    }
}
