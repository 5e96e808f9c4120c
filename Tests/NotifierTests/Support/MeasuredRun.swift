import Foundation
import Testing

/// Runs the built `notifier` under `/usr/bin/time -v` (Debian's package `time`) and `timeout(1)`, for the tests of
/// hostile servers: the peak resident set size is measured by the kernel (wait4's ru_maxrss over the process tree),
/// and the run is bounded whatever the binary does (an old build may never stop, or grow without end).
struct MeasuredRun {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Peak resident set size in KiB ("Maximum resident set size (kbytes)").
    let maxRSSKiB: Int
    let seconds: Double

    var maxRSSMiB: Double { Double(maxRSSKiB) / 1024 }

    /// `timeout --foreground -k 5 -s SIGNAL SECONDS notifier ARGUMENTS`: SIGNAL (TERM: a clean stop, as systemd
    /// does) after `seconds`; status 124 then, when notifier stopped on it, 137 after KILL. --foreground: timeout
    /// signals notifier alone and waits for it, so its peak RSS is counted (without it, a KILL goes to timeout's
    /// whole process group, timeout included, and time(1) would measure timeout alone).
    static func run(
        _ arguments: [String], seconds: Int, signal: String = "KILL", environment: [String: String] = [:]
    ) throws -> MeasuredRun {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("time-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "install the Debian package time")
        process.arguments =
            [
                "-v", "-o", report.path, "timeout", "--foreground", "-k", "5", "-s", signal, String(seconds),
                try CLI.binary.path,
            ] + arguments
        process.environment = CLI.environment(environment)
        // Files, not pipes: a chatty standard error cannot block the child while the other stream is read.
        let outFile = report.appendingPathExtension("out")
        let errFile = report.appendingPathExtension("err")
        try Data().write(to: outFile)
        try Data().write(to: errFile)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        process.waitUntilExit()
        let outData = (try? Data(contentsOf: outFile)) ?? Data()
        let errData = (try? Data(contentsOf: errFile)) ?? Data()
        let text = (try? String(contentsOf: report, encoding: .utf8)) ?? ""
        let rss = text.split(separator: "\n").first { $0.contains("Maximum resident set size") }
            .flatMap { $0.split(separator: ":").last }.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        try #require(rss != nil, "no RSS in /usr/bin/time's report: \(text)")
        // GNU time exits with the command's status (timeout's: 124 on SIGTERM/-s, 137 after SIGKILL).
        return MeasuredRun(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), maxRSSKiB: rss ?? 0,
            seconds: Date().timeIntervalSince(started))
    }
}
