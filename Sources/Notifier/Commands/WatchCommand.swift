import Dispatch
import Foundation

/// `notifier watch --maildir DIR` (and, later, `--imap URL`): handles every message of a mailbox once, then keeps
/// watching until SIGTERM, or stops after one pass with `--once` (for cron).
struct WatchCommand: Command {
    static let name = "watch"
    static let summary = "Watch a mailbox (Maildir) for notices: vault the URLs, relay fresh OTPs, report phishing"
    static let help = """
        Usage: notifier watch --maildir DIR [--once] [--poll SECONDS] [relay and trust options]

        Handles every message of the mailbox not handled before (remembered in the database), then keeps
        watching until SIGTERM or SIGINT, or stops after one pass with --once. Read-only: mail is never moved,
        flagged or deleted. A trusted update notice's URL goes into the vault; a trusted OTP notice that has not
        expired is relayed (when several arrive together, only the newest); an untrusted notice is reported on
        standard error and never stored or relayed.

        Options:
          --maildir DIR         the mailbox, a Maildir (new/ and cur/)
          --once                one pass, then exit (for cron)
          --poll SECONDS        how often to look again (default 2)
        \(VendorOptions.help)
        """

    var maildir: String?
    var once = false
    var poll: Double = 2
    var options = VendorOptions()
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        while let word = arguments.next() {
            switch word {
            case .option("--maildir", let inline):
                maildir = try arguments.value(for: "--maildir", inlineValue: inline)
            case .option("--once", let inline):
                try Arguments.flag("--once", inlineValue: inline)
                once = true
            case .option("--poll", let inline):
                let value = try arguments.value(for: "--poll", inlineValue: inline)
                guard let seconds = Double(value), seconds >= 0.1, seconds <= 3600 else {
                    throw UsageError("--poll takes seconds from 0.1 to 3600, not '\(value)'")
                }
                poll = seconds
            default:
                guard try options.take(word, from: &arguments) else { throw UsageError("watch: unexpected '\(word.text)'") }
            }
        }
        guard maildir != nil else { throw UsageError("watch: give --maildir DIR") }
        try options.transport.validate()
    }

    func run() throws -> ExitCode {
        let configuration = try context.configuration()
        let database = try context.openDatabase()
        let pipeline = VendorPipeline(settings: try options.settings(configuration: configuration, context: context), database: database)
        let source = MaildirSource(path: maildir ?? "")
        let stop = StopSignal()
        var status = ExitCode.success
        repeat {
            do {
                let batch = try source.unhandled(vault: pipeline.vault)
                let decisions = try pipeline.handle(batch)
                report(pipeline, batch: batch, decisions: decisions)
                status = .success
            } catch let error as VendorPipeline.RelayError {
                FileHandle.standardError.write(Data("notifier: \(error.message); trying again\n".utf8))
                status = .temporaryFailure
            } catch let error as SQLiteError where error.isBusy {
                FileHandle.standardError.write(Data("notifier: \(error.message)\n".utf8))
                status = .temporaryFailure
            }
            if once { break }
            stop.wait(seconds: poll)
        } while !stop.requested
        return status
    }

    private func report(_ pipeline: VendorPipeline, batch: [VendorPipeline.Incoming], decisions: [VendorPipeline.Decision?]) {
        let output = StandardOutput.shared
        for (message, decision) in zip(batch, decisions) {
            if let decision { output.write("\(message.key): \(decision.rawValue)\n") }
        }
        output.flush()
        for line in pipeline.reports { FileHandle.standardError.write(Data("notifier: \(line)\n".utf8)) }
        pipeline.clearReports()
    }
}

/// SIGTERM and SIGINT end the watch at the next pass, never in the middle of a message.
final class StopSignal: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    private(set) var requested = false

    init() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.requested = true
                self?.semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Sleeps `seconds`, or less when a stop is requested.
    func wait(seconds: Double) {
        _ = semaphore.wait(timeout: .now() + seconds)
    }
}
