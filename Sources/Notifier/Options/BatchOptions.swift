import Foundation
import MailParse
import NotifierCore

/// How a batch goes out (`notices send`, `notices remind`): how many connections at what pace, whether for real,
/// outside the renewal window, and whether deferred messages wait for their backoff. Together with the sender's and
/// the transport's options it makes the batch's `Campaign.Sending`.
struct BatchOptions: OptionGroup {
    var connections: Int?
    var rate: Int?
    var dryRun = false
    var force = false
    var retryDeferred = false

    static var options: [Option<Self>] {
        [
            .value(
                "--connections", "N", \.connections, "SMTP connections at work at once (default 1)",
                parse: Parse.number(1...64)),
            .value("--rate", "N/min", \.rate, "at most N messages a minute", parse: Self.rate),
            .flag("--dry-run", \.dryRun, "say who would get a message, and send nothing"),
            .flag("--force", \.force, "send outside the renewal window"),
            .flag(
                "--retry-deferred", \.retryDeferred, "try deferred messages now, without waiting for their backoff"),
        ]
    }

    /// `600/min` or `600`.
    static func rate(_ value: String) throws -> Int {
        let number = value.hasSuffix("/min") ? String(value.dropLast(4)) : value
        guard let perMinute = Int(number), perMinute > 0 else {
            throw InvalidValue("takes messages per minute like 600/min")
        }
        return perMinute
    }

    /// Refuses (bad usage) a batch for `fiscalYear` outside its renewal window, unless `--force`.
    func checkWindow(fiscalYear: Int, at now: Date) throws {
        guard !force else { return }
        do {
            try Campaign.checkWindow(fiscalYear: fiscalYear, at: now)
        } catch let closed as Campaign.OutsideWindow {
            throw UsageError(closed.message)
        }
    }

    /// How the batch is sent: from `sender` (with `options`, already filled from the configuration), through
    /// `transport` (likewise), at these options' pace; the progress line on a terminal counts `noun`.
    func sending(
        sender: Mailbox, options: SenderOptions, transport: TransportOptions, noun: String, context: CommandContext
    ) -> Campaign.Sending {
        Campaign.Sending(
            sender: sender, returnPath: options.returnPath, messageIDDomain: options.messageIDDomain ?? sender.domain,
            charset: options.bodyCharset,
            templates: TemplateStore(directory: options.templates), connections: connections ?? 1,
            ratePerMinute: rate, retryDeferred: retryDeferred, transport: { try transport.transport(context: context) },
            progress: isatty(STDERR_FILENO) == 1 ? .terminalLine(noun: noun) : nil)
    }
}
