import Foundation
import MailParse

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
                text: json ? jsonLine(notice, file: label, path: file) : summary(notice, file: label), error: failure)
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

    static func jsonLine(_ notice: Notice, file: String, path: String) -> String {
        var line = JSONLine()
        line.add("file", file)
        line.add("kind", notice.kind.rawValue)
        line.add("trusted", notice.trusted)
        line.add("vendor_code", notice.vendorCode)
        line.add("url", notice.url)
        line.add("valid_from", notice.validFrom?.description)
        line.add("valid_until", notice.validUntil?.description)
        line.add("otp", notice.otp)
        line.add("expires_at", notice.expiresAt?.description)
        line.add("subject", notice.subject)
        line.add("from", notice.from?.addrSpec)
        line.add("message_id", notice.messageID)
        line.add("authenticated", notice.authenticated)
        line.add("reason", notice.reason?.rawValue)
        line.add("path", path)
        // Bounce keys last (null unless kind is bounce).
        line.add("bounce_recipients", notice.bounce?.recipients)
        line.add("bounce_status", notice.bounce?.status)
        line.add("bounce_permanent", notice.bounce?.permanent)
        line.add("original_message_id", notice.bounce?.originalMessageID)
        if let error = notice.error { line.add("error", error) }
        return line.line + "\n"
    }

    static func summary(_ notice: Notice, file: String) -> String {
        var lines: [String] = []
        let trust = notice.kind == .other || notice.kind == .bounce ? "" : notice.trusted ? ", trusted" : ", NOT trusted"
        let kind: String
        switch notice.kind {
        case .updateNotice: kind = "certificate update notice"
        case .otp: kind = "one-time password notice"
        case .other: kind = notice.error == nil ? "not a notice" : "unreadable"
        case .bounce: kind = "bounce (delivery failure report)"
        }
        lines.append("\(file): \(kind)\(trust)")
        if let error = notice.error { lines.append("  error:    \(error)") }
        if let reason = notice.distrustReason {
            lines.append("  why:      \(reason)\(notice.suspectedPhishing ? " (suspected phishing)" : "")")
        }
        for note in notice.notes { lines.append("  note:     \(note)") }
        if let subject = notice.subject { lines.append("  subject:  \(subject.replacingControlCharacters())") }
        if let from = notice.from { lines.append("  from:     \(from.description.replacingControlCharacters())") }
        if let code = notice.vendorCode { lines.append("  vendor:   \(code)") }
        if let from = notice.validFrom, let until = notice.validUntil { lines.append("  valid:    \(from) to \(until)") }
        if let url = notice.url { lines.append("  url:      \(url)") }
        if let otp = notice.otp { lines.append("  otp:      \(otp)") }
        if let expiry = notice.expiresAt { lines.append("  expires:  \(expiry)") }
        if let bounce = notice.bounce {
            let permanence = bounce.permanent ? "permanent" : "temporary"
            lines.append("  bounced:  \(bounce.recipients.joined(separator: ", ").replacingControlCharacters())")
            lines.append("  status:   \(bounce.status ?? "-") (\(permanence))")
            if let diagnostic = bounce.diagnostic { lines.append("  reason:   \(diagnostic.replacingControlCharacters())") }
            if let id = bounce.originalMessageID { lines.append("  original: <\(id.replacingControlCharacters())>") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
