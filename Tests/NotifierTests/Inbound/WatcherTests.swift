import CSQLite
import Synchronization
import Testing

@testable import NotifierCore

/// The watch loop on its own: a scripted source, a recording handler and a stop that counts the waits, so the
/// backoff, the checkpoints and the retry rule are seen without a mail server or the CLI.
@Suite struct WatcherTests {
    /// What the fake source does on one pass: lose its connection, or yield these batches of keys.
    enum Pass {
        case lose
        case batches([[String]])
        case oversized(key: String, size: Int)
        /// Header sections first (POP3): a key with `gone` vanishes before its body is fetched.
        case headers([String])
    }

    struct Lost: Error {}
    struct Refused: Error {}

    /// A source that follows a script, pass by pass (the last pass repeats), and logs what it does.
    final class ScriptedSource: MailSource {
        let name = "fake:inbox"
        var script: [Pass]
        var passes = 0
        var checkpoints: [[String]] = []
        var disconnects = 0
        let log: Log

        init(_ script: [Pass], log: Log) {
            self.script = script
            self.log = log
        }

        func pass(isHandled: (String, String) throws -> Bool, handle: (MailBatch) throws -> Void) throws {
            let step = script[min(passes, script.count - 1)]
            passes += 1
            switch step {
            case .lose:
                throw Lost()
            case .oversized(let key, let size):
                try handle(
                    MailBatch { body in
                        try body(.oversized(OversizedMessage(source: self.name, key: key, size: size, limit: 100)))
                    })
                checkpoints.append([key])
            case .headers(let keys):
                try handle(
                    MailBatch { [log, name] body in
                        for key in keys {
                            log.append("top \(key)")
                            try body(
                                .header(
                                    MessageHeader(source: name, key: key, bytes: Array("Subject: \(key)".utf8)) {
                                        log.append("retr \(key)")
                                        if key.contains("gone") { return nil }
                                        return .message(RawMessage(source: name, key: key, bytes: Array(key.utf8)))
                                    }))
                        }
                    })
            case .batches(let batches):
                for keys in batches {
                    let wanted = try keys.filter { !(try isHandled(name, $0)) }
                    try handle(
                        MailBatch { [log, name] body in
                            for key in wanted {
                                log.append("fetch \(key)")
                                try body(.message(RawMessage(source: name, key: key, bytes: Array(key.utf8))))
                            }
                        })
                    checkpoints.append(wanted)
                }
            }
        }

        func shouldReconnect(after error: Error) -> Bool { error is Lost }

        func disconnect() { disconnects += 1 }
    }

    /// The same source, with IDLE.
    final class IdlingSource: MailSource, IdlingMailSource {
        let inner: ScriptedSource
        var idleWaits: [Double] = []
        var name: String { inner.name }

        init(_ inner: ScriptedSource) { self.inner = inner }

        func pass(isHandled: (String, String) throws -> Bool, handle: (MailBatch) throws -> Void) throws {
            try inner.pass(isHandled: isHandled, handle: handle)
        }

        func shouldReconnect(after error: Error) -> Bool { inner.shouldReconnect(after: error) }
        func disconnect() { inner.disconnect() }

        /// What each wait answers, in order (true: new mail); false once they are used up.
        var wakes: [Bool] = []
        /// Runs at each wait (a test's stop).
        var onWait: () -> Void = {}

        func waitForMail(timeout: Double) throws -> Bool {
            idleWaits.append(timeout)
            onWait()
            return idleWaits.count <= wakes.count ? wakes[idleWaits.count - 1] : false
        }
    }

    /// A handler that records what it was given; `failing` keys make `handle` throw `failure`.
    final class RecordingHandler: MailHandler {
        var handled: Set<String> = []
        var batches: [[String]] = []
        var skipped: [OversizedMessage] = []
        var failing: Set<String> = []
        var failure: Error = Refused()
        let log: Log

        init(log: Log) { self.log = log }

        func wasHandled(source: String, key: String) throws -> Bool { handled.contains(key) }

        func read(_ message: RawMessage) -> String {
            log.append("read \(message.key)")
            return message.key
        }

        func handle(_ batch: [String]) throws -> [String?] {
            if batch.contains(where: failing.contains) { throw failure }
            batches.append(batch)
            handled.formUnion(batch)
            return batch.map { _ in "done" }
        }

        func skip(_ message: OversizedMessage) throws -> String {
            skipped.append(message)
            handled.insert(message.key)
            return "oversized"
        }

        /// Only headers that say `Subject: wanted` are candidates (POP3 sources read headers first).
        func isCandidate(headers: [UInt8]) -> Bool { String(decoding: headers, as: UTF8.self).contains("wanted") }

        func passOver(_ message: MessageHeader) throws -> String? {
            log.append("passed over \(message.key)")
            handled.insert(message.key)
            return "passed over"
        }

        func retryReason(for error: Error) -> String? { error is Refused ? "refused; trying again" : nil }
    }

    /// A stop that is asked for after `after` waits, and remembers how long each wait was.
    final class CountingStop: StopCondition {
        var waits: [Double] = []
        let after: Int

        init(after: Int) { self.after = after }

        var requested: Bool { waits.count >= after }
        func wait(seconds: Double) { waits.append(seconds) }
    }

    /// Lines, shared with a `Diagnostics` sink.
    final class Log: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var diagnostics: Diagnostics { Diagnostics { [self] level, text in append("\(level): \(text)") } }
    }

    private func watcher(
        _ source: any MailSource, _ handler: RecordingHandler, stop: CountingStop, once: Bool = false,
        idle: Bool = false, log: Log, reported: Log? = nil
    ) -> Watcher<RecordingHandler> {
        Watcher(
            source: source, handler: handler, settings: .init(once: once, idle: idle, poll: 5), stop: stop,
            diagnostics: log.diagnostics
        ) { handled in for (key, outcome) in handled { reported?.append("\(key): \(outcome)") } }
    }

    @Test func aLostConnectionIsRetriedAfter1_2_4UpTo60Seconds() throws {
        let log = Log()
        let source = ScriptedSource(Array(repeating: .lose, count: 8) + [.batches([["a"]])], log: log)
        let handler = RecordingHandler(log: log)
        let stop = CountingStop(after: 9)
        let outcome = try watcher(source, handler, stop: stop, log: log).run()
        #expect(outcome == .handled)
        #expect(stop.waits == [1, 2, 4, 8, 16, 32, 60, 60, 5], "the backoff doubles to 60 s, then the poll pause")
        #expect(source.disconnects == 8)
        #expect(handler.batches == [["a"]])
        let reconnects = log.all.filter { $0.hasPrefix("warning: ") && $0.hasSuffix(" s") }
        #expect(reconnects.count == 8 && reconnects.first?.hasSuffix("reconnecting in 1 s") == true)
    }

    @Test func theBackoffStartsAgainAfterAPassThatWorked() throws {
        let log = Log()
        let source = ScriptedSource([.lose, .lose, .batches([]), .lose, .batches([])], log: log)
        let stop = CountingStop(after: 5)
        _ = try watcher(source, RecordingHandler(log: log), stop: stop, log: log).run()
        #expect(stop.waits == [1, 2, 5, 1, 5])
    }

    @Test func afterPassRunsAfterEveryPassThatEndedAndOnceReturnsItsOutcome() throws {
        let log = Log()
        let source = ScriptedSource([.batches([["a"]]), .lose, .batches([])], log: log)
        let stop = CountingStop(after: 3)
        let running = Watcher(
            source: source, handler: RecordingHandler(log: log), settings: .init(poll: 5), stop: stop,
            diagnostics: log.diagnostics
        ) { _ in
        } afterPass: {
            log.append("after pass \(source.passes)")
            return .handled
        }
        _ = try running.run()
        // Not after the pass that lost its connection.
        #expect(log.all.filter { $0.hasPrefix("after pass") } == ["after pass 1", "after pass 3"], "\(log.all)")
        // With once, a hook that left something to try again makes the watch's outcome (the command's exit 75).
        for hook in [Watcher<RecordingHandler>.Outcome.handled, .retryLater] {
            let once = Watcher(
                source: ScriptedSource([.batches([["b"]])], log: log), handler: RecordingHandler(log: log),
                settings: .init(once: true), stop: CountingStop(after: 100)
            ) { _ in
            } afterPass: {
                hook
            }
            #expect(try once.run() == hook)
        }
    }

    @Test func withOnceALostConnectionEndsTheWatch() throws {
        let log = Log()
        let source = ScriptedSource([.lose], log: log)
        let stop = CountingStop(after: 100)
        #expect(throws: Lost.self) {
            try watcher(source, RecordingHandler(log: log), stop: stop, once: true, log: log).run()
        }
        #expect(stop.waits.isEmpty && source.passes == 1)
    }

    @Test func aBatchIsCheckpointedOnlyOnceTheHandlerHasHandledIt() throws {
        let log = Log()
        let reported = Log()
        let source = ScriptedSource([.batches([["a", "b"], ["c", "d"], ["e"]])], log: log)
        let handler = RecordingHandler(log: log)
        handler.failing = ["d"]
        let outcome = try watcher(
            source, handler, stop: CountingStop(after: 1), once: true, log: log, reported: reported
        ).run()
        #expect(outcome == .retryLater)
        #expect(source.checkpoints == [["a", "b"]], "no checkpoint past the batch whose relay failed, none after it")
        #expect(handler.batches == [["a", "b"]])
        #expect(reported.all == ["a: done", "b: done"])
        #expect(log.all.contains("warning: refused; trying again"))
    }

    @Test func theNextPassTriesTheBatchAgain() throws {
        let log = Log()
        let source = ScriptedSource([.batches([["a"], ["b"]])], log: log)
        let handler = RecordingHandler(log: log)
        handler.failing = ["b"]
        let stop = CountingStop(after: 1)
        #expect(try watcher(source, handler, stop: stop, log: log).run() == .retryLater)
        handler.failing = []
        stop.waits = []
        #expect(try watcher(source, handler, stop: stop, log: log).run() == .handled)
        #expect(
            handler.batches.filter { !$0.isEmpty } == [["a"], ["b"]],
            "a is not handled twice, b is handled on the second pass")
        #expect(source.checkpoints == [["a"], [], ["b"]])
    }

    @Test func withIdleABatchLeftToTryAgainIsPassedAgainWithoutWaitingForNewMail() throws {
        let log = Log()
        let source = IdlingSource(ScriptedSource([.batches([["a"], ["b"]])], log: log))
        let handler = RecordingHandler(log: log)
        handler.failing = ["b"]
        /// A stop that mends the handler at the first pause, and stops the watch at the first IDLE wait.
        final class MendingStop: StopCondition {
            var waits: [Double] = []
            var stopped = false
            let mend: () -> Void
            init(mend: @escaping () -> Void) { self.mend = mend }
            var requested: Bool { stopped }
            func wait(seconds: Double) {
                waits.append(seconds)
                mend()
            }
        }
        let stop = MendingStop { handler.failing = [] }
        source.onWait = { stop.stopped = true }
        let watcher = Watcher(
            source: source, handler: handler, settings: .init(idle: true, idleTimeout: 2), stop: stop)
        _ = try watcher.run()
        // A pause of idleTimeout, not an IDLE wait, stood between the failure and the next try (IDLE would never
        // wake for mail that is already there); then the watch waited in IDLE.
        #expect(stop.waits == [2] && source.inner.passes == 2 && source.idleWaits == [2])
        #expect(handler.batches.filter { !$0.isEmpty } == [["a"], ["b"]])
    }

    @Test func anErrorThatIsNotToBeTriedAgainEndsTheWatchWithoutACheckpoint() throws {
        struct Broken: Error {}
        let log = Log()
        let source = ScriptedSource([.batches([["a"]])], log: log)
        let handler = RecordingHandler(log: log)
        handler.failing = ["a"]
        handler.failure = Broken()
        #expect(throws: Broken.self) { try watcher(source, handler, stop: CountingStop(after: 1), log: log).run() }
        #expect(source.checkpoints.isEmpty)
    }

    @Test func aBusyDatabaseLeavesThePassToTheNextOne() throws {
        let log = Log()
        let source = ScriptedSource([.batches([["a"]])], log: log)
        let handler = RecordingHandler(log: log)
        handler.failing = ["a"]
        handler.failure = SQLiteError(code: SQLITE_BUSY, detail: "database is locked", sql: nil, path: "db")
        #expect(try watcher(source, handler, stop: CountingStop(after: 1), once: true, log: log).run() == .retryLater)
        #expect(source.checkpoints.isEmpty)
        #expect(log.all.contains { $0.hasPrefix("warning: database db: database is locked") })
    }

    @Test func eachMessageIsReadBeforeTheNextIsFetched() throws {
        let log = Log()
        let source = ScriptedSource([.batches([["a", "b", "c"]])], log: log)
        _ = try watcher(source, RecordingHandler(log: log), stop: CountingStop(after: 1), once: true, log: log).run()
        #expect(log.all == ["fetch a", "read a", "fetch b", "read b", "fetch c", "read c"])
    }

    @Test func messagesHandledBeforeAreNotFetched() throws {
        let log = Log()
        let source = ScriptedSource([.batches([["a", "b"]])], log: log)
        let handler = RecordingHandler(log: log)
        handler.handled = ["a"]
        _ = try watcher(source, handler, stop: CountingStop(after: 1), once: true, log: log).run()
        #expect(log.all == ["fetch b", "read b"])
        #expect(handler.batches == [["b"]])
    }

    @Test func anOversizedMessageIsRecordedAndReportedOnce() throws {
        let log = Log()
        let reported = Log()
        let source = ScriptedSource([.oversized(key: "7/3", size: 1000)], log: log)
        let handler = RecordingHandler(log: log)
        _ = try watcher(source, handler, stop: CountingStop(after: 1), once: true, log: log, reported: reported).run()
        #expect(handler.skipped.map(\.key) == ["7/3"])
        #expect(reported.all == ["7/3: oversized"])
        #expect(
            log.all == [
                "warning: message 7/3 has 1000 bytes, more than --max-message-size 100; skipped and recorded as oversized"
            ])
    }

    @Test func onlyCandidatesAreFetchedWholeAndAVanishedOneIsNotRecorded() throws {
        let log = Log()
        let reported = Log()
        let source = ScriptedSource([.headers(["a-wanted", "b", "c-wanted-gone", "d-wanted"])], log: log)
        let handler = RecordingHandler(log: log)
        _ = try watcher(source, handler, stop: CountingStop(after: 1), once: true, log: log, reported: reported).run()
        #expect(
            log.all == [
                "top a-wanted", "retr a-wanted", "read a-wanted", "top b", "passed over b", "top c-wanted-gone",
                "retr c-wanted-gone", "top d-wanted", "retr d-wanted", "read d-wanted",
            ])
        #expect(handler.batches == [["a-wanted", "d-wanted"]])
        #expect(handler.handled == ["a-wanted", "b", "d-wanted"], "the vanished message is not recorded")
        #expect(reported.all == ["b: passed over", "a-wanted: done", "d-wanted: done"])
    }

    @Test func anIdlingSourceIsPassedOverOnlyWhenItsIdleWakesAndOthersArePolled() throws {
        let log = Log()
        let source = IdlingSource(ScriptedSource([.batches([[]])], log: log))
        // Quiet, quiet, new mail, then quiet until the stop after the seventh wait.
        source.wakes = [false, false, true]
        let stop = CountingStop(after: 1)
        source.onWait = { if source.idleWaits.count == 7 { stop.wait(seconds: 0) } }
        var afterPasses = 0
        let watcher = Watcher(
            source: source, handler: RecordingHandler(log: log),
            settings: .init(idle: true, poll: 5, idleTimeout: 2, quietWork: 0), stop: stop,
            afterPass: {
                afterPasses += 1
                return .handled
            })
        _ = try watcher.run()
        #expect(source.inner.passes == 2, "a pass at start and one after the wake, none while IDLE was quiet")
        #expect(source.idleWaits == Array(repeating: 2, count: 7) && stop.waits == [0], "IDLE only, no poll")
        // The command's own work (the alarm) still runs while the mailbox is quiet: after each pass and, with
        // quietWork 0, after each quiet wait.
        #expect(afterPasses == 2 + 6, "\(afterPasses)")
        let polled = CountingStop(after: 2)
        _ = try self.watcher(source, RecordingHandler(log: log), stop: polled, idle: false, log: log).run()
        #expect(polled.waits == [5, 5] && source.idleWaits.count == 7, "--no-idle polls")
    }
}
