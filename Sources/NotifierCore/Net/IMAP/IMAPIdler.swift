import Foundation

/// Waits for new mail with IMAP IDLE (RFC 2177) on the connection of an `IMAPClient` that has EXAMINEd the mailbox
/// to watch: the server says `* n EXISTS` as soon as a message arrives (about half a second after delivery with
/// Dovecot). The idler only wakes its caller; reading the mail is the client's job, which calls `end()` (DONE)
/// before its next command (`IMAPClient.waitForMail(in:timeout:)`).
///
/// IDLE goes on between waits, so a delivery while the caller was busy wakes the next wait at once. Any throw
/// (`IMAPError.connectionLost` when the server restarts or drops the connection; `.timeout`) means: make a new
/// connection, with backoff. A new UIDVALIDITY is not announced during IDLE: Dovecot notices it at the next change
/// of the mailbox (a delivery) and then closes the connection, so the idler throws; a new `examine()` reports it.
final class IMAPIdler {
    /// How long one IDLE command lasts before the idler ends it (DONE) and starts another. Servers may log out a
    /// client idle for 30 minutes (RFC 2177 §3), and NAT routers forget quiet connections: 25 minutes by default.
    let reidleInterval: TimeInterval
    private let connection: IMAPConnection
    /// The tag of the IDLE command in progress, nil when none is.
    private var idleTag: String?
    private var idleStarted = ContinuousClock.now

    /// Idles on `connection`, which has EXAMINEd the mailbox to watch; IDLE itself starts with the first `wait`.
    init(connection: IMAPConnection, reidleInterval: TimeInterval = 25 * 60) {
        self.reidleInterval = reidleInterval
        self.connection = connection
    }

    deinit {
        // End IDLE so that libcurl's LOGOUT (sent when its handle goes) is answered at once.
        if let idleTag, connection.failure == nil {
            let deadline = ContinuousClock.now + .seconds(2)
            try? connection.send(line: "DONE")
            while let response = try? connection.next(until: deadline), response.tag != .tagged(idleTag) {}
        }
    }

    /// Waits up to `timeout` seconds for new mail: true as soon as the server announces a message (`* n EXISTS`;
    /// a burst of arrivals wakes the caller once), false when the time is up. IDLE goes on between calls, so an
    /// arrival while the caller was busy wakes the next call at once. Throws when the connection is lost.
    func wait(timeout: TimeInterval) throws -> Bool {
        let deadline = ContinuousClock.now + Self.duration(timeout)
        var newMail = false
        while !newMail {
            if idleTag == nil {
                newMail = try startIdle()
                continue
            }
            let reidleAt = idleStarted + Self.duration(reidleInterval)
            if ContinuousClock.now >= reidleAt {
                newMail = try restartIdle()
                continue
            }
            guard let response = try connection.next(until: min(deadline, reidleAt)) else {
                if ContinuousClock.now >= deadline { return false }
                continue
            }
            newMail = try handle(response)
        }
        // Swallow what else has already arrived (the RECENT after EXISTS, more EXISTS of the same burst).
        while let response = try connection.next(until: .now) { _ = try handle(response) }
        return true
    }

    /// Sends IDLE and reads up to the server's `+`; true if new mail was announced on the way.
    private func startIdle() throws -> Bool {
        let tag = try connection.send(command: "IDLE")
        var newMail = false
        while true {
            guard let response = try connection.next(until: nil) else { continue }
            switch response.tag {
            case .continuation:
                idleTag = tag
                idleStarted = .now
                return newMail
            case .tagged(tag):
                // NO or BAD: the server has no IDLE (poll instead). OK before "+" would make the idler spin.
                throw connection.fail(
                    IMAPError(
                        kind: response.name == "OK" ? .protocolError : .refused,
                        message: "IMAP \(connection.server): IDLE answered without starting: \(response.summary)"))
            default:
                newMail = try handle(response) || newMail
            }
        }
    }

    /// DONE, the server's OK, and IDLE again; true if new mail was announced on the way.
    private func restartIdle() throws -> Bool {
        let newMail = try end()
        return try startIdle() || newMail
    }

    /// Ends the IDLE in progress, if any (DONE, and the server's OK), so that the connection can carry other
    /// commands; true if new mail was announced meanwhile and not yet reported by `wait`.
    @discardableResult
    func end() throws -> Bool {
        guard let tag = idleTag else { return false }
        try connection.send(line: "DONE")
        var newMail = false
        while idleTag != nil {
            guard let response = try connection.next(until: nil) else { continue }
            if response.tag == .tagged(tag) {
                guard response.name == "OK" else {
                    throw IMAPError(
                        kind: .refused, message: "IMAP \(connection.server): IDLE ended with \(response.summary)")
                }
                idleTag = nil
            } else {
                newMail = try handle(response) || newMail
            }
        }
        return newMail
    }

    /// Seconds as a Duration, kept between 0 and about 30 years (an infinite or NaN timeout must not trap).
    private static func duration(_ seconds: TimeInterval) -> Duration {
        guard seconds.isFinite, seconds > 0 else {
            return seconds.isNaN || seconds <= 0 ? .zero : .seconds(1_000_000_000)
        }
        return .milliseconds(Int64(min(seconds, 1_000_000_000) * 1000))
    }

    /// One response during IDLE: true for `* n EXISTS`; a `* BYE` throws; the end of IDLE by the server is noted
    /// (the next `wait` starts another).
    private func handle(_ response: IMAPResponse) throws -> Bool {
        switch (response.tag, response.name) {
        case (.untagged, "EXISTS"):
            return true
        case (.untagged, "BYE"):
            throw connection.fail(
                IMAPError(
                    kind: .connectionLost, message: "IMAP \(connection.server): the server said \(response.summary)"))
        case (.tagged(let tag), _) where tag == idleTag:
            idleTag = nil
            guard response.name == "OK" else {
                throw IMAPError(
                    kind: .refused, message: "IMAP \(connection.server): IDLE ended with \(response.summary)")
            }
            return false
        default:
            return false  // RECENT, EXPUNGE, FETCH (flags), "* OK Still here"
        }
    }
}
