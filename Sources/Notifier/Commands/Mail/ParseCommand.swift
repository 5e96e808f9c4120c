import Foundation
import MailParse
import NotifierCore

/// `notifier parse [--json] [--trust-sender ADDR]... [--trust-host HOST]... FILE...`: reads messages and says what
/// each one is. A contract other tools depend on: one JSON object per input, in input order, keys in a fixed order.
struct ParseCommand: Command {
    static let name = "parse"
    static let summary = "Read messages and print the notice found in each (kind, fields, trust)"
    static let usage = ["parse [--json] [--trust-sender ADDR]... [--trust-host HOST]... FILE..."]
    static let about = """
        Reads each FILE (raw RFC 5322 message; '-' is standard input) and prints what it is: a certificate
        update notice, an OTP notice, a bounce, or other, with the fields read from it and whether it is trusted.
        """
    static let footer = """
        A notice is trusted only when its From field is exactly one trusted address and its download URL is
        https:// on a trusted host, exactly. Built-in defaults: nyusatsu@to-kousya.example, bid.to-kousya.example.

        Exit status: 0 every file was read, 66 a file could not be opened (its record has an error), 64 bad usage.
        """
    static var options: [Option<Self>] {
        [
            .flag(
                "--json", \.json,
                "one JSON object per input per line, keys in this order: file, kind, trusted, vendor_code, url, "
                    + "valid_from, valid_until, otp, expires_at, subject, from, message_id, authenticated, reason, "
                    + "path, bounce_recipients, bounce_status, bounce_permanent, original_message_id (null where "
                    + "absent; authenticated is null when no authserv-id is trusted; reason is null when trusted; "
                    + "path is FILE as given; the bounce keys are null unless kind is bounce), and error when the "
                    + "input could not be read")
        ] + TrustOptions.options.lifted(\.trust) + [
            .value(
                "--jobs", "N", \.jobs,
                "read N files at once (default: the number of processors); output order is input order",
                parse: Parse.number(1...256)),
            Option.positionals("FILE", \.files).required,
        ]
    }

    var json = false
    var trust = TrustOptions()
    var files: [String] = []
    var jobs: Int?

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 { throw UsageError("parse: standard input (-) can be read only once") }
    }

    func run(_ context: CommandContext) throws -> ExitCode {
        let policy = trust.filled(from: try context.configuration().trust).policy()
        let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let output = StandardOutput.shared
        var status = ExitCode.success
        // Files are read and parsed `jobs` at a time in windows, and written in input order after each window, so
        // memory stays bounded by the window however many files there are.
        let window = max(jobs * 32, 1)
        var start = 0
        while start < files.count {
            let batch = Array(files[start..<min(start + window, files.count)])
            let results = Self.read(batch, policy: policy, jobs: jobs, json: json)
            for result in results {
                if let error = result.error {
                    Diagnostics.standardError.error(error.message)
                    status = .noInput
                }
                output.write(result.text)
            }
            start += window
        }
        return status
    }

    private struct Result: Sendable {
        var text = ""
        var error: InputError?
    }

    /// Reads and renders each file, `jobs` at a time; the results in input order.
    private static func read(_ files: [String], policy: TrustPolicy, jobs: Int, json: Bool) -> [Result] {
        let results = Slots<Result>(count: files.count, initial: Result())
        let work: @Sendable (Int) -> Void = { index in
            let file = files[index]
            let label = file == "-" ? "-" : (file as NSString).lastPathComponent
            var notice: Notice
            var failure: InputError?
            do {
                notice = NoticeReader.read(try InputFile.read(file), trust: policy)
            } catch let error as InputError {
                notice = Notice()
                notice.error = error.message
                failure = error
            } catch {
                notice = Notice()
                notice.error = "\(error)"
            }
            // Each index is written by exactly one worker.
            results[index] = Result(
                text: json ? notice.jsonLine(file: label, path: file) : notice.summary(file: label), error: failure)
        }
        if jobs <= 1 || files.count == 1 {
            for index in files.indices { work(index) }
        } else {
            let chunk = max(1, files.count / (jobs * 4))
            DispatchQueue.concurrentPerform(iterations: (files.count + chunk - 1) / chunk) { slice in
                for index in (slice * chunk)..<min((slice + 1) * chunk, files.count) { work(index) }
            }
        }
        return results.values
    }
}
