import Foundation

/// One logged-in IMAP connection: libcurl connects, does TLS (implicit or STARTTLS), verifies the certificate and
/// logs in (CURLOPT_CONNECT_ONLY stops it there); from then on notifier speaks IMAP itself over curl_easy_send and
/// curl_easy_recv, with its own tags (`N1`, `N2`...; libcurl's are `A001`...) and its own reader.
///
/// Why not CURLOPT_CUSTOMREQUEST: libcurl 7.88 reads a custom command's answer line by line and hands only lines
/// starting with `* ` to the write callback; a literal's bytes (the message of a FETCH) go to the header callback
/// only, and a line inside the message that looks like libcurl's tag (`A006 OK`) ends the command early, so that
/// the next command reads the rest of the message as its answer. Mail is written by strangers; the reader here
/// counts literal bytes, so a message cannot be mistaken for protocol.
final class IMAPConnection {
    let settings: IMAPSettings
    let endpoint: IMAPSettings.Endpoint
    /// `imaps://host:port` for messages (no user, no password).
    let server: String
    private let handle: EasyHandle
    private let stream: CurlStream
    private var reader: IMAPResponseReader
    private var nextTag = 1
    /// The text of the last `* BYE`, for the message when the connection closes next.
    private var bye: String?
    /// Set by the first failure: after it the connection is not used again (its state is unknown).
    private(set) var failure: IMAPError?
    /// The command in progress (for messages), and how many untagged responses and kept bytes came since it was
    /// sent: bounded by `settings.maxUntaggedResponses` and `maxResponseBytes`.
    private var command = ""
    private var untaggedCount = 0
    private var untaggedBytes = 0
    /// When the first byte of the response being read arrived: a response must be whole within `commandTimeout`.
    private var responseBegan: ContinuousClock.Instant?
    /// What went over the wire after login, for the tests and the bench of the light watcher: the lines sent
    /// (commands, and IDLE's DONE) and the bytes received (the IMAP bytes, after TLS was taken off).
    private(set) var linesSent = 0
    private(set) var bytesReceived = 0

    init(settings: IMAPSettings) throws {
        self.settings = settings
        endpoint = try IMAPSettings.endpoint(of: settings.url)
        server = String(endpoint.serverURL.dropLast())
        reader = IMAPResponseReader(maxLiteral: settings.maxMessageSize)
        // Before each connection: a token command gives a fresh token (and throws SecretCommandError, exit 77).
        let credentials = try settings.login.credentials()
        handle = try EasyHandle()
        try handle.connectOnly(
            url: endpoint.serverURL, requireTLS: settings.requiresTLS, caFile: settings.caFile,
            credentials: credentials, connectTimeout: settings.connectTimeout,
            responseTimeout: settings.responseTimeout)
        do {
            try handle.perform()
        } catch {
            throw IMAPError.connecting(
                error, server: server, lastLine: handle.serverLines.last,
                forLogin: settings.tls == .auto && settings.requiresTLS)
        }
        guard let stream = CurlStream(connected: handle) else {
            throw IMAPError(kind: .connectionLost, message: "IMAP \(server): libcurl has no connection after login")
        }
        self.stream = stream
    }

    deinit {
        // curl_easy_cleanup says LOGOUT (with libcurl's own tag) and waits for the answer: not for long.
        try? handle.set(quitTimeout: 2)
    }

    /// Sends `command` (no tag, no CRLF) and reads up to its tagged answer. Returns the untagged responses that came
    /// meanwhile; a NO or BAD answer throws `.refused` (the connection stays usable). The tagged answer must come
    /// within `commandTimeout` seconds, however busily the server talks meanwhile (an endless literal, a trickle),
    /// or `.timeout` is thrown; more untagged responses than the settings allow throw `.flood`. Both end the
    /// connection.
    func run(_ command: String) throws -> [IMAPResponse] {
        let tag = try send(command: command)
        let deadline = ContinuousClock.now + .seconds(settings.commandTimeout)
        var untagged: [IMAPResponse] = []
        while true {
            guard let response = try next(until: nil, finishBy: deadline) else { continue }
            switch response.tag {
            case .tagged(tag):
                if response.name == "OK" { return untagged }
                throw IMAPError(kind: .refused, message: "IMAP \(server): \(command) refused: \(response.summary)")
            case .untagged:
                untagged.append(response)
            case .tagged, .continuation:
                throw fail(
                    IMAPError(
                        kind: .protocolError,
                        message: "IMAP \(server): unexpected answer to \(command): \(response.summary)"))
            }
        }
    }

    /// Sends a command with the next tag; returns the tag.
    @discardableResult
    func send(command: String) throws -> String {
        let tag = "N\(nextTag)"
        nextTag += 1
        try send(line: "\(tag) \(command)")
        self.command = command
        untaggedCount = 0
        untaggedBytes = 0
        return tag
    }

    /// Sends one line (CRLF added), e.g. IDLE's `DONE`.
    func send(line: String) throws {
        try usable()
        do {
            try stream.send(Array((line + "\r\n").utf8), stall: .seconds(settings.responseTimeout))
            linesSent += 1
        } catch .timeout {
            throw fail(
                IMAPError(kind: .timeout, message: "IMAP \(server): cannot send for \(settings.responseTimeout) s"))
        } catch {
            throw fail(lost(error))
        }
    }

    /// The next response. With a deadline: nil when no response has begun to arrive by then (IDLE waits so).
    /// Once one has begun, or without a deadline, the server may pause at most `responseTimeout` seconds at a time,
    /// and the response must be whole within `commandTimeout` of its first byte. `finishBy`: the command's own
    /// deadline (`run`), past which `.timeout` is thrown whatever arrives.
    func next(until deadline: ContinuousClock.Instant?, finishBy: ContinuousClock.Instant? = nil) throws
        -> IMAPResponse?
    {
        try usable()
        var lastProgress = ContinuousClock.now
        while true {
            let parts: [IMAPResponse.Part]?
            do {
                parts = try reader.next()
            } catch let error as IMAPResponseError {
                throw fail(IMAPError(kind: .protocolError, message: "IMAP \(server): \(error.reason)"))
            }
            if let parts {
                responseBegan = nil
                do {
                    let response = try IMAPResponse(parts: parts)
                    if response.tag == .untagged && response.name == "BYE" { bye = response.summary }
                    if response.tag == .untagged { try count(response) }
                    return response
                } catch let error as IMAPResponseError {
                    var line: [UInt8] = []
                    if case .text(let text)? = parts.first { line = Array(text.prefix(200)) }
                    throw fail(
                        IMAPError(
                            kind: .protocolError,
                            message:
                                "IMAP \(server): unreadable answer (\(error.reason)): \(String(decoding: line, as: UTF8.self))"
                        ))
                }
            }
            let started = reader.hasPartialResponse
            if started && responseBegan == nil { responseBegan = lastProgress }
            var limit = (started || deadline == nil) ? lastProgress + .seconds(settings.responseTimeout) : deadline!
            var hardLimit = finishBy
            if let responseBegan {
                let whole = responseBegan + .seconds(settings.commandTimeout)
                hardLimit = hardLimit.map { min($0, whole) } ?? whole
            }
            if let hardLimit { limit = min(limit, hardLimit) }
            if try receiveMore(until: limit) {
                lastProgress = .now
                if let hardLimit, lastProgress >= hardLimit {
                    throw fail(overtime())
                }
                continue
            }
            if let hardLimit, ContinuousClock.now >= hardLimit { throw fail(overtime()) }
            if !started, deadline != nil { return nil }
            throw fail(
                IMAPError(kind: .timeout, message: "IMAP \(server): no answer for \(settings.responseTimeout) s"))
        }
    }

    /// The error for a command or response that went past `commandTimeout` (the server may have been talking all
    /// along: an endless literal, or a trickle of bytes).
    private func overtime() -> IMAPError {
        let what = command.isEmpty ? "an answer" : "the answer to \(Self.shown(command))"
        return IMAPError(
            kind: .timeout,
            message: "IMAP \(server): \(what) was not complete within \(settings.commandTimeout) s (--timeout); "
                + "the connection was dropped")
    }

    /// Counts an untagged response against the bounds of the command in progress.
    private func count(_ response: IMAPResponse) throws {
        untaggedCount += 1
        for part in response.parts {
            switch part {
            case .text(let bytes), .literal(let bytes): untaggedBytes += bytes.count
            case .tooLarge: break  // read and dropped: it holds no memory
            }
        }
        if untaggedCount > settings.maxUntaggedResponses || untaggedBytes > settings.maxResponseBytes {
            throw fail(
                IMAPError(
                    kind: .flood,
                    message: "IMAP \(server): more than \(settings.maxUntaggedResponses) untagged responses or "
                        + "\(settings.maxResponseBytes >> 20) MiB in answer to \(Self.shown(command)); the connection was "
                        + "dropped (a server that does not stop talking)"))
        }
    }

    /// A command for messages: LOGIN never comes here (libcurl logs in), but keep messages short.
    private static func shown(_ command: String) -> String {
        command.count > 60 ? String(command.prefix(60)) + "…" : command
    }

    /// EXAMINE (read-only: nothing the client does changes a flag, and RECENT stays for others).
    /// A NO (a folder that does not exist, or may not be read) throws `.noSuchMailbox` naming the folder as given
    /// and as sent (modified UTF-7); the connection stays usable.
    func examine(_ mailbox: String) throws -> MailboxStatus {
        let responses: [IMAPResponse]
        do {
            responses = try run("EXAMINE \(IMAPMailboxName.quoted(mailbox))")
        } catch let error as IMAPError where error.kind == .refused {
            let wire = IMAPMailboxName.encoded(mailbox)
            // What the server said, without the command and its tag ("N2 NO [NONEXISTENT] Mailbox doesn't exist").
            var said = error.message.components(separatedBy: "refused: ").dropFirst().joined(separator: "refused: ")
            if let space = said.firstIndex(of: " "), said.hasPrefix("N"),
                said.dropFirst().prefix(while: \.isNumber).count > 0
            {
                said = String(said[said.index(after: space)...])
            }
            throw IMAPError(
                kind: .noSuchMailbox,
                message: "IMAP \(server): the folder \"\(mailbox)\"" + (wire == mailbox ? "" : " (\(wire) on the wire)")
                    + " cannot be opened: \(said)")
        }
        var uidValidity: UInt32?
        var uidNext: UInt32?
        var exists: Int?
        for response in responses {
            switch (response.name, response.codeName) {
            case ("EXISTS", _): exists = response.number.map(Int.init)
            case ("OK", "UIDVALIDITY"): uidValidity = response.code.dropFirst().first?.number
            case ("OK", "UIDNEXT"): uidNext = response.code.dropFirst().first?.number
            default: break
            }
        }
        guard let uidValidity, let exists else {
            throw fail(
                IMAPError(kind: .protocolError, message: "IMAP \(server): EXAMINE gave no UIDVALIDITY or EXISTS"))
        }
        if uidNext == nil {
            // UIDNEXT is only a SHOULD in RFC 3501: one more than the highest UID will do.
            let found = try run("UID SEARCH ALL").filter { $0.name == "SEARCH" }.flatMap(\.values).compactMap(\.number)
            uidNext = (found.max() ?? 0) + 1
        }
        return MailboxStatus(uidValidity: uidValidity, uidNext: uidNext ?? 1, exists: exists)
    }

    // MARK: - Bytes

    private func usable() throws {
        if let failure {
            throw IMAPError(kind: failure.kind, message: "\(failure.message) (the connection cannot be used again)")
        }
    }

    /// Records the first failure (the connection is not used after it) and returns `error` for throwing.
    func fail(_ error: IMAPError) -> IMAPError {
        if failure == nil { failure = error }
        return error
    }

    private func lost(_ failure: CurlStream.Failure) -> IMAPError {
        IMAPError(
            kind: .connectionLost, message: "IMAP \(server): \(failure.reason)" + (bye.map { " after: \($0)" } ?? ""))
    }

    /// Reads what has arrived into the reader: true when bytes came, false when none came by `limit`.
    private func receiveMore(until limit: ContinuousClock.Instant) throws -> Bool {
        do {
            return try stream.receive(until: limit) {
                bytesReceived += $0.count
                reader.append($0)
            }
        } catch {
            throw fail(lost(error))
        }
    }
}
