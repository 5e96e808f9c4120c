import Foundation
import Testing

/// Runs the built `notifier` binary, the way users and other tools do.
struct CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The binary SwiftPM built beside the test bundle, or `$NOTIFIER_TEST_BINARY` (to run the CLI tests against
    /// a release build, or an older one to see a new test fail there).
    static var binary: URL {
        get throws {
            let url =
                ProcessInfo.processInfo.environment["NOTIFIER_TEST_BINARY"].map { URL(fileURLWithPath: $0) }
                ?? Bundle.main.bundleURL.appendingPathComponent("notifier")
            try #require(FileManager.default.isExecutableFile(atPath: url.path), "notifier not built at \(url.path)")
            return url
        }
    }

    /// The repository's test fixtures (shared with MailParseTests).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../MailParseTests/Fixtures").standardized

    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], directory: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = try binary
        process.arguments = arguments
        process.environment = Self.environment(environment)
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// The environment every test run of the binary gets (`run`, `start`, `startProgram`, `MeasuredRun`): this
    /// process's, without anything of the developer's own that notifier reads. Every `NOTIFIER_*` variable goes
    /// (configuration, database, OTP key file, SMTP and IMAP passwords), and every `XDG_*` one: XDG_CONFIG_HOME and
    /// XDG_DATA_HOME point into the temporary folder, so neither `~/.config/notifier/config` nor the database and
    /// outbox under `~/.local/share/notifier` is read or written. A test sets what it means to in `extra`.
    /// The XDG configuration folder of every run: its `notifier/config` says only `expect_notice_by = off`, so that
    /// from 02-15 to 03-31 a `watch` in a test neither says nor mails the missing-notice alarm (its vault has no URL
    /// for the coming year); the alarm's own tests give `--expect-notice-by`, and a test's `--config` replaces it.
    static let testConfigHome: String = {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("notifier-test-config-\(getpid())")
        let folder = home.appendingPathComponent("notifier")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("config")
        let written = FileManager.default.createFile(
            atPath: file.path, contents: Data("expect_notice_by = off\n".utf8), attributes: [.posixPermissions: 0o600])
        precondition(written, "cannot write the tests' configuration \(file.path)")
        return home.path
    }()

    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("NOTIFIER_") && !$0.key.hasPrefix("XDG_")
        }
        let temporary = FileManager.default.temporaryDirectory
        environment["XDG_CONFIG_HOME"] = testConfigHome
        environment["XDG_DATA_HOME"] = temporary.appendingPathComponent("notifier-test-data").path
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// The binary started in the background, with the same environment as `run`; `finish()` waits for it and
    /// collects what it said (through files, so that nothing blocks on a full pipe).
    final class Running {
        let process = Process()
        private let folder: URL
        private var held: (pipe: Pipe, data: Data)?

        /// With `holding`, standard input is a pipe that stays empty until `release()`: a notifier that reads its
        /// input first waits there, so many can be let go at one instant.
        fileprivate init(
            _ arguments: [String], stdin: Data?, holding: Bool, environment: [String: String], executable: URL? = nil
        ) throws {
            folder = try CLI.temporaryDirectory()
            process.executableURL = try executable ?? CLI.binary
            process.arguments = arguments
            process.environment = CLI.environment(environment)
            let input = folder.appendingPathComponent("stdin")
            try (stdin ?? Data()).write(to: input)
            for name in ["stdout", "stderr"] {
                try Data().write(to: folder.appendingPathComponent(name))
            }
            if holding {
                let pipe = Pipe()
                held = (pipe, stdin ?? Data())
                process.standardInput = pipe
            } else {
                process.standardInput = try FileHandle(forReadingFrom: input)
            }
            process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout"))
            process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var isRunning: Bool { process.isRunning }

        /// Writes the held input and closes it.
        func release() throws {
            guard let held else { return }
            held.pipe.fileHandleForWriting.write(held.data)
            try held.pipe.fileHandleForWriting.close()
            self.held = nil
        }

        /// What it has written to standard error so far.
        var stderrSoFar: String {
            (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        }

        func finish() -> Result {
            process.waitUntilExit()
            defer { try? FileManager.default.removeItem(at: folder) }
            let read = { (name: String) in
                (try? String(contentsOf: self.folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            }
            return Result(status: process.terminationStatus, stdout: read("stdout"), stderr: read("stderr"))
        }
    }

    /// Starts the binary in the background (see `Running`).
    static func start(
        _ arguments: [String], stdin: Data? = nil, holding: Bool = false, environment: [String: String] = [:]
    ) throws -> Running {
        try Running(arguments, stdin: stdin, holding: holding, environment: environment)
    }

    /// Starts another program (a shell, to set limits first) with the binary's test environment.
    static func startProgram(
        _ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]
    ) throws -> Running {
        try Running(
            arguments, stdin: stdin, holding: false, environment: environment,
            executable: URL(fileURLWithPath: executable))
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("notifier-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
