import Foundation

/// An IMAP mailbox read as a mailbox to watch: its UIDVALIDITY and the last UID handled are kept in the
/// `MailboxStateStore`, so each message is handled once. When the UIDVALIDITY changes every message is read again,
/// and the handler recognises one handled before by its Message-ID. Read-only: EXAMINE and BODY.PEEK[] (the
/// client's rules). Between passes it waits with IDLE on a connection of its own.
package final class IMAPSource: IdlingMailSource {
    let settings: IMAPSettings
    package let name: String
    private let state: MailboxStateStore
    private var client: IMAPClient?
    private var idler: IMAPIdler?
    /// UIDs asked for and handled together.
    static let batchSize = 50

    package init(settings: IMAPSettings, state: MailboxStateStore) {
        self.settings = settings
        self.state = state
        name = "imap:\(settings.login.user)@\(settings.url)"
    }

    /// Drops both connections (after an error that asks for a reconnect).
    package func disconnect() {
        client = nil
        idler = nil
    }

    package func shouldReconnect(after error: Error) -> Bool {
        (error as? IMAPError)?.shouldReconnect == true
    }

    /// One pass: every message after the last handled UID, in batches of `batchSize`; the last UID is moved on only
    /// past a batch that was handled. A message larger than `maxMessageSize` is not fetched (its RFC822.SIZE is asked
    /// first) but yielded as oversized: one huge message must not stop every later notice from being read.
    package func pass(isHandled: (String) throws -> Bool, handle: (MailBatch) throws -> Void) throws {
        let client = try self.client ?? IMAPClient(settings: settings)
        self.client = client
        let status = try client.examine()
        let lastUID = try state.lastUID(mailbox: name, uidValidity: status.uidValidity)
        let uids = try client.uids(from: lastUID + 1)
        let key = { (uid: UInt32) in "\(status.uidValidity)/\(uid)" }
        var start = 0
        while start < uids.count {
            let chunk = uids[start..<min(start + Self.batchSize, uids.count)]
            var wanted: [UInt32] = []
            for uid in chunk where !(try isHandled(key(uid))) { wanted.append(uid) }
            let sizes = try client.sizes(uids: wanted)
            try handle(
                MailBatch { [name, settings] body in
                    for uid in wanted {
                        let oversized = { (size: Int) in
                            OversizedMessage(source: name, key: key(uid), size: size, limit: settings.maxMessageSize)
                        }
                        if let size = sizes[uid], size > settings.maxMessageSize {
                            try body(.oversized(oversized(size)))
                            continue
                        }
                        let bytes: [UInt8]
                        do {
                            bytes = try client.fetch(uid: uid)
                        } catch let error as IMAPError where error.kind == .messageTooLarge {
                            // The server said it was smaller: its literal told the truth, and was read and dropped.
                            try body(.oversized(oversized(error.size ?? sizes[uid] ?? 0)))
                            continue
                        }
                        try body(.message(RawMessage(source: name, key: key(uid), bytes: bytes)))
                    }
                })
            try state.save(mailbox: name, uidValidity: status.uidValidity, lastUID: chunk.last ?? lastUID)
            start += Self.batchSize
        }
        if uids.isEmpty { try state.save(mailbox: name, uidValidity: status.uidValidity, lastUID: lastUID) }
    }

    /// IDLE on a connection of its own, made on the first wait (after the first pass: an arrival in between is
    /// announced when IDLE starts).
    package func waitForMail(timeout: Double) throws -> Bool {
        let idler = try self.idler ?? IMAPIdler(settings: settings)
        self.idler = idler
        return try idler.wait(timeout: timeout)
    }
}
