/// What the `Watcher` does with the messages a source yields: the vendor pipeline today (vault, relay, phishing
/// reports), a bounce handler for the issuer later. The watcher knows no more of it than this.
package protocol MailHandler {
    /// What is kept of a message once it is read: its bytes are let go before the next message is fetched.
    associatedtype Read
    /// What became of a message, for the person watching (`KEY: outcome`).
    associatedtype Outcome

    /// Whether the message `key` of `source` was handled before: the source leaves it unread.
    func wasHandled(source: String, key: String) throws -> Bool

    /// Reads one message as it arrives.
    func read(_ message: RawMessage) -> Read

    /// Handles a batch of messages read, in order; nil for one found handled meanwhile (by another process).
    func handle(_ batch: [Read]) throws -> [Outcome?]

    /// Records a message too large to read as handled, so that it is reported once and never fetched again.
    func skip(_ message: OversizedMessage) throws -> Outcome

    /// Whether a message with this header section could be one the handler acts on, so that its body is worth
    /// downloading (a source that can read headers alone asks this first: POP3). Generous: a false "yes" costs a
    /// download, a false "no" loses the message. The default is yes.
    func isCandidate(headers: [UInt8]) -> Bool

    /// Records a message whose headers said it is no candidate as handled, without reading its body; nil when it
    /// was found handled meanwhile (by another process).
    func passOver(_ message: MessageHeader) throws -> Outcome?

    /// Why `error`, thrown by `handle`, leaves the batch to the next pass (in words for the person watching), or
    /// nil when it is not one to try again.
    func retryReason(for error: Error) -> String?
}

extension MailHandler {
    package func isCandidate(headers: [UInt8]) -> Bool { true }
}

/// What ends a watch, and how it pauses: `StopSignal` (SIGTERM, SIGINT) for the command, a scripted one in tests.
package protocol StopCondition: AnyObject {
    /// Whether a stop was asked for.
    var requested: Bool { get }
    /// Sleeps `seconds`, or less when a stop is requested.
    func wait(seconds: Double)
}

extension StopSignal: StopCondition {}

/// The one watch loop, whatever the mailbox and whatever is done with its mail: a pass takes the source's messages
/// through the handler batch by batch, the source checkpointing after each batch handled; then it waits (IDLE, or
/// `poll` seconds) and passes again, until stopped, or after one pass with `once`.
///
/// A batch whose handling failed for a reason that may mend (a relay that did not get through, a busy database)
/// is left for the next pass: nothing past the last checkpoint is kept, so nothing is lost. A lost connection or a
/// restarted server is met with a reconnect after 1, 2, 4 ... 60 seconds.
package struct Watcher<Handler: MailHandler> {
    package typealias Settings = WatchSettings

    /// How the last pass ended.
    package enum Outcome: Equatable {
        /// Every message was handled.
        case handled
        /// Some were left for the next pass, a reason said (the command's exit status 75).
        case retryLater
    }

    let source: any MailSource
    let handler: Handler
    var settings = Settings()
    let stop: any StopCondition
    var diagnostics = Diagnostics.silent
    /// Gets what became of each batch's messages, as they are handled (an oversized one on its own).
    var report: ([(key: String, outcome: Handler.Outcome)]) -> Void = { _ in }
    /// Runs after every pass that ended (the first one at start), for work of the command's own between passes (the
    /// vendor's missing-notice alarm); `.retryLater` when something was left to try again, which `once` returns.
    var afterPass: () -> Outcome = { .handled }

    package init(
        source: any MailSource, handler: Handler, settings: Settings = Settings(), stop: any StopCondition,
        diagnostics: Diagnostics = .silent,
        report: @escaping ([(key: String, outcome: Handler.Outcome)]) -> Void = { _ in },
        afterPass: @escaping () -> Outcome = { .handled }
    ) {
        self.source = source
        self.handler = handler
        self.settings = settings
        self.stop = stop
        self.diagnostics = diagnostics
        self.afterPass = afterPass
        self.report = report
    }

    /// Passes until stopped (or once); returns how the last pass ended. Throws what is neither to be tried again
    /// nor met with a reconnect; with `once`, a lost connection too.
    package func run() throws -> Outcome {
        var outcome = Outcome.handled
        var backoff: Double = 1
        repeat {
            do {
                outcome = try pass()
                let after = afterPass()
                if settings.once { return outcome == .handled ? after : outcome }
                backoff = 1
                try pause(after: outcome)
            } catch  where !settings.once && source.shouldReconnect(after: error) {
                diagnostics.warning("\(error.personMessage); reconnecting in \(Int(backoff)) s")
                source.disconnect()
                stop.wait(seconds: backoff)
                backoff = min(backoff * 2, settings.maxBackoff)
            }
        } while !stop.requested
        return outcome
    }

    /// One pass over the source. Each message is read as it is fetched, and the batch handled as a whole.
    func pass() throws -> Outcome {
        do {
            try source.pass(
                isHandled: { try handler.wasHandled(source: $0, key: $1) },
                handle: { batch in
                    var keys: [String] = []
                    var read: [Handler.Read] = []
                    func take(_ item: MailBatch.Item) throws {
                        switch item {
                        case .message(let message):
                            keys.append(message.key)
                            read.append(handler.read(message))
                        case .oversized(let message):
                            report([(message.key, try handler.skip(message))])
                            diagnostics.warning(
                                "message \(message.key) has \(message.size) bytes, more than --max-message-size "
                                    + "\(message.limit); skipped and recorded as oversized")
                        case .header(let header):
                            if handler.isCandidate(headers: header.bytes) {
                                // Gone meanwhile (another mail program deleted it): nothing to record.
                                if let whole = try header.fetch() { try take(whole) }
                            } else if let outcome = try handler.passOver(header) {
                                report([(header.key, outcome)])
                            }
                        }
                    }
                    try batch.forEachItem(take)
                    let outcomes = try handler.handle(read)
                    report(zip(keys, outcomes).compactMap { key, outcome in outcome.map { (key, $0) } })
                })
            return .handled
        } catch let error as SQLiteError where error.isBusy {
            // Another process holds the database (the source's checkpoint, or the handler's work): next pass.
            diagnostics.warning(error.message)
            return .retryLater
        } catch {
            guard let reason = handler.retryReason(for: error) else { throw error }
            diagnostics.warning(reason)
            return .retryLater
        }
    }

    /// Waits for the next pass: for new mail when the source can say so (as long as it takes: a quiet mailbox is
    /// not read again, and the command's own work runs every `quietWork` seconds meanwhile), else `poll` seconds.
    /// After a pass that left something to try again, IDLE would not wake for it (the mail is not new): the next
    /// pass comes after `idleTimeout` seconds.
    private func pause(after outcome: Outcome) throws {
        guard settings.idle, let source = source as? any IdlingMailSource else {
            stop.wait(seconds: settings.poll)
            return
        }
        if outcome == .retryLater {
            stop.wait(seconds: settings.idleTimeout)
            return
        }
        var workedAt = ContinuousClock.now
        while !stop.requested {
            if try source.waitForMail(timeout: settings.idleTimeout) { return }
            if ContinuousClock.now - workedAt >= .milliseconds(Int64(settings.quietWork * 1000)) {
                _ = afterPass()
                workedAt = .now
            }
        }
    }
}

/// How a `Watcher` passes: once or until stopped, waiting with IDLE or by polling, and how long it backs off.
package struct WatchSettings {
    /// One pass, then return (for cron).
    var once = false
    /// Wait for new mail with the source's IDLE between passes, when it has one.
    var idle = true
    /// Seconds between passes without IDLE.
    var poll: Double = 2
    /// Seconds one IDLE wait lasts before the stop flag is looked at again.
    var idleTimeout: Double = 2
    /// Seconds between runs of the command's own work (`Watcher.afterPass`) while IDLE waits on a quiet mailbox.
    var quietWork: Double = 600
    /// The longest pause before a reconnect; the first is one second, and each next one twice the last.
    var maxBackoff: Double = 60

    /// Seconds between passes without IDLE, for the person watching.
    package var pollSeconds: Double { poll }

    package init(
        once: Bool = false,
        idle: Bool = true,
        poll: Double = 2,
        idleTimeout: Double = 2,
        quietWork: Double = 600,
        maxBackoff: Double = 60
    ) {
        self.once = once
        self.idle = idle
        self.poll = poll
        self.idleTimeout = idleTimeout
        self.quietWork = quietWork
        self.maxBackoff = maxBackoff
    }
}
