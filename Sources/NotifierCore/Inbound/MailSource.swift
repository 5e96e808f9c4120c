/// A mailbox the `Watcher` reads: a Maildir, an IMAP mailbox or a POP3 maildrop. A source knows how to list, fetch and remember its own messages; what becomes of them is the
/// handler's business, so one source serves every handler.
package protocol MailSource: AnyObject {
    /// The mailbox's name in the record of handled messages: `maildir:/path`, `imap:user@URL`, `pop3:user@URL`.
    var name: String { get }

    /// One pass over the mailbox: every message not handled yet, oldest first, in batches. `isHandled` says which
    /// keys of which source name (`name`, or a folder's own name for a source of several folders) to leave unread. Each batch goes to `handle`, which reads its messages one at a time
    /// (`MailBatch.forEachItem`); once `handle` returns, the source takes a checkpoint past the batch. When `handle`
    /// throws, the pass ends with that error and nothing past the last checkpoint is kept.
    func pass(isHandled: (_ source: String, _ key: String) throws -> Bool, handle: (MailBatch) throws -> Void) throws

    /// Whether `error`, thrown by a pass or a wait, asks for new connections after a pause (a lost connection, a
    /// restarted server) rather than ending the watch.
    func shouldReconnect(after error: Error) -> Bool

    /// Drops the source's connections, after an error that asks for a reconnect.
    func disconnect()
}

/// A source that can be told of new mail as it arrives (IMAP IDLE), rather than looked at again after a pause.
package protocol IdlingMailSource: MailSource {
    /// Waits up to `timeout` seconds for new mail: true as soon as some arrived. Throws when the connection is lost.
    func waitForMail(timeout: Double) throws -> Bool
}

/// One message as a source yields it.
package struct RawMessage {
    /// Where it came from: `ingest`, `maildir:/path`, `imap:user@URL` (`MailSource.name`; each IMAP folder has its
    /// own: `imap:user@imaps://host:port/Junk`).
    let source: String
    /// Its name there: a Maildir file's unique name, an IMAP UIDVALIDITY/UID, a POP3 UIDL, a digest.
    let key: String
    package let bytes: [UInt8]
    /// The junk folder's name when the message was found there (the vendor is told to mark its sender as safe).
    let junkFolder: String?

    package init(source: String, key: String, bytes: [UInt8], junkFolder: String? = nil) {
        self.source = source
        self.key = key
        self.bytes = bytes
        self.junkFolder = junkFolder
    }
}

/// A message the source would not read because it is larger than its limit.
package struct OversizedMessage: Equatable {
    let source: String
    /// `UIDVALIDITY/UID` for IMAP.
    let key: String
    /// Its size in bytes (what the server said, or the literal's length when the server said less).
    let size: Int
    /// The limit it is over (`--max-message-size`).
    let limit: Int
}

/// A message of which a source has read only the header section (POP3's TOP n 0), and can fetch the rest on demand.
package struct MessageHeader {
    let source: String
    /// Its name in the source (a POP3 UIDL).
    let key: String
    /// The header section, with the empty line that ends it when the server sent one.
    package let bytes: [UInt8]
    /// Fetches the whole message: `.message`, or `.oversized` when it is larger than the source reads, or nil when it
    /// is no longer there (deleted by another mail program meanwhile: nothing is recorded, it is simply gone).
    let fetch: () throws -> MailBatch.Item?

    init(source: String, key: String, bytes: [UInt8], fetch: @escaping () throws -> MailBatch.Item?) {
        self.source = source
        self.key = key
        self.bytes = bytes
        self.fetch = fetch
    }
}

/// One batch of a pass. Its messages are fetched only as `forEachItem` reaches them, and each one's bytes can be let go
/// before the next is fetched: a batch costs the memory of one message, however large the mailbox.
package struct MailBatch {
    /// One entry of a batch: a message, one too large to read, or one of which only the header section was read.
    enum Item {
        case message(RawMessage)
        case oversized(OversizedMessage)
        /// The watcher asks the handler whether the rest is wanted (`MailHandler.isCandidate(headers:)`): only then
        /// is the message downloaded.
        case header(MessageHeader)
    }

    private let items: ((Item) throws -> Void) throws -> Void

    /// A batch whose `items` calls its argument once per entry, in order, fetching each just before.
    init(_ items: @escaping ((Item) throws -> Void) throws -> Void) { self.items = items }

    /// A batch of messages already in memory (tests, and a single message piped in).
    init(_ messages: [RawMessage]) { self.init { body in for message in messages { try body(.message(message)) } } }

    /// Calls `body` with each entry in turn; a fetch error ends the batch.
    func forEachItem(_ body: (Item) throws -> Void) throws {
        try withoutActuallyEscaping(body) { try items($0) }
    }
}
