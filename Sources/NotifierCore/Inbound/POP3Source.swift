import Foundation

/// A POP3 maildrop read as a mailbox to watch, one short session per pass (POP3 servers lock the maildrop while a
/// session lasts, and the vendor's mail program wants it too). Each message is named by its UIDL; what was handled
/// is the handler's record (`handled_messages`), asked through `isHandled`, so the source keeps no state of its own.
///
/// For each message not handled yet only the header section is read (TOP n 0); the watcher asks the handler whether
/// the message could matter and only then is it downloaded (RETR). Read-only: never DELE, nothing that changes the
/// maildrop. POP3 has no IDLE: the watcher polls.
///
/// Another mail program may delete messages while a pass runs (a mail program set to delete after download): a
/// message gone between the listing and its TOP or RETR is skipped without a word and without a record; it is not in
/// the next listing either. libcurl drops its connection after such a refusal, so the pass lists the maildrop again
/// on the new session before it uses another message number.
package final class POP3Source: MailSource {
    let settings: POP3Settings
    package let name: String
    /// Messages handed over together (each is fetched only as the batch is gone through).
    static let batchSize = 50

    /// What the passes so far fetched: a measure for tests and for the person watching.
    package struct Counts: Equatable {
        /// TOP commands answered, and the bytes of their header sections.
        package var headers = 0
        package var headerBytes = 0
        /// RETR commands answered, and the bytes of their messages.
        package var retrievals = 0
        package var messageBytes = 0
        /// Messages found gone between the listing and their TOP or RETR.
        package var vanished = 0
    }

    package private(set) var counts = Counts()
    /// Runs after each pass's first listing: tests delete a message here, as another mail program would.
    package var afterListing: (() throws -> Void)?

    package init(settings: POP3Settings) {
        self.settings = settings
        name = "pop3:\(settings.login.user)@\(settings.url)"
    }

    /// One pass on a session of its own: the listing, then the messages not handled yet, oldest first, in batches.
    package func pass(isHandled: (String, String) throws -> Bool, handle: (MailBatch) throws -> Void) throws {
        let session = Session(client: try POP3Client(settings: settings))
        let listing = try session.list()
        try afterListing?()
        var wanted: [POP3Client.Entry] = []
        for entry in listing where !(try isHandled(name, entry.uid)) { wanted.append(entry) }
        var start = 0
        while start < wanted.count {
            let chunk = wanted[start..<min(start + Self.batchSize, wanted.count)]
            try handle(
                MailBatch { body in
                    for entry in chunk {
                        if let item = try self.headerItem(entry, session: session) { try body(item) }
                    }
                })
            start += Self.batchSize
        }
    }

    /// The message's header section as an item whose `fetch` downloads the rest; nil when the message is gone.
    /// A server that refuses TOP for a message it still lists (TOP is optional, RFC 1939 §7) gets RETR instead.
    private func headerItem(_ entry: POP3Client.Entry, session: Session) throws -> MailBatch.Item? {
        let limit = settings.maxMessageSize
        let oversized = { (size: Int) in
            MailBatch.Item.oversized(OversizedMessage(source: self.name, key: entry.uid, size: size, limit: limit))
        }
        if !session.topRefused {
            switch try session.attempt(entry.uid, { try $0.header(of: $1) }) {
            case .answer(let bytes):
                counts.headers += 1
                counts.headerBytes += bytes.count
                return .header(
                    MessageHeader(source: name, key: entry.uid, bytes: bytes) { [self] in
                        if entry.size > limit { return oversized(entry.size) }
                        return try self.retrieve(entry, session: session, oversized: oversized)
                    })
            case .gone:
                counts.vanished += 1
                return nil
            case .tooLarge:
                return oversized(max(entry.size, settings.maxHeaderSize + 1))
            case .refused:
                session.topRefused = true
            }
        }
        if entry.size > limit { return oversized(entry.size) }
        return try retrieve(entry, session: session, oversized: oversized)
    }

    /// RETR: the whole message, or nil when it is gone.
    private func retrieve(
        _ entry: POP3Client.Entry, session: Session, oversized: (Int) -> MailBatch.Item
    ) throws -> MailBatch.Item? {
        switch try session.attempt(entry.uid, { try $0.message($1) }) {
        case .answer(let bytes):
            counts.retrievals += 1
            counts.messageBytes += bytes.count
            return .message(RawMessage(source: name, key: entry.uid, bytes: bytes))
        case .gone:
            counts.vanished += 1
            return nil
        case .tooLarge:
            // The listing said it was smaller: what came was dropped.
            return oversized(max(entry.size, settings.maxMessageSize + 1))
        case .refused(let error):
            throw error
        }
    }

    /// No connection is kept between passes.
    package func disconnect() {}

    package func shouldReconnect(after error: Error) -> Bool {
        (error as? POP3Error)?.shouldReconnect == true
    }

    /// A pass's session: the client, and the message numbers of its latest listing by UIDL.
    final class Session {
        let client: POP3Client
        private var numbers: [String: Int] = [:]
        /// The server refused TOP for a message it still lists: RETR every message of this pass instead.
        var topRefused = false

        init(client: POP3Client) { self.client = client }

        /// Lists the maildrop (again) and keeps each UIDL's number.
        func list() throws -> [POP3Client.Entry] {
            let entries = try client.listing()
            numbers = Dictionary(entries.map { ($0.uid, $0.number) }, uniquingKeysWith: { first, _ in first })
            return entries
        }

        /// What became of a command about one message.
        enum Result {
            case answer([UInt8])
            /// The message is no longer in the maildrop.
            case gone
            /// Its answer was over the limit.
            case tooLarge
            /// The server refused the command for a message it still lists.
            case refused(POP3Error)
        }

        /// Runs `command` with the message's number in the current session. A refusal or a new session leads to a new
        /// listing: a message no longer listed is `.gone`; one still listed is tried again on the new numbers, and a
        /// second refusal is `.refused`.
        func attempt(_ uid: String, _ command: (POP3Client, Int) throws -> [UInt8]) throws -> Result {
            var refusals = 0
            for _ in 0..<4 {
                guard let number = numbers[uid] else { return .gone }
                do {
                    return .answer(try command(client, number))
                } catch let error as POP3Error where error.kind == .tooLarge {
                    return .tooLarge
                } catch let error as POP3Error where error.kind == .refused {
                    refusals += 1
                    _ = try list()
                    if numbers[uid] == nil { return .gone }
                    if refusals > 1 { return .refused(error) }
                } catch let error as POP3Error where error.kind == .sessionChanged {
                    _ = try list()
                }
            }
            throw POP3Error(
                kind: .connectionLost, message: "POP3 \(client.server): the session kept changing; trying again later")
        }
    }
}
