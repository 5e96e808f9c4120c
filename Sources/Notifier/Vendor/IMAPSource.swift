import Foundation

/// An IMAP mailbox read as a mailbox to watch: its UIDVALIDITY and the last UID handled are kept in SQLite, so
/// each message is handled once. When the UIDVALIDITY changes every message is read again, but one handled before
/// is recognised by its Message-ID and not handled twice. Read-only: EXAMINE and BODY.PEEK[] (the client's rules).
final class IMAPSource {
    let settings: IMAPSettings
    let source: String
    private var client: IMAPClient?

    init(settings: IMAPSettings) {
        self.settings = settings
        source = "imap:\(settings.credentials.user)@\(settings.url)"
    }

    /// Drops the connection (after an error that asks for a reconnect).
    func disconnect() { client = nil }

    /// A message skipped because it is larger than `IMAPSettings.maxMessageSize`: its key (`UIDVALIDITY/UID`) and
    /// size in bytes (what the server said, or the literal's length when the server said less).
    struct Oversized: Equatable {
        let key: String
        let size: Int
    }

    /// One pass: every message after the last handled UID, in batches, through the pipeline; the last UID is moved
    /// on only past messages that were handled. Each message is judged as soon as it is fetched and its bytes let
    /// go, so a batch costs the memory of one message. A message larger than `maxMessageSize` is not fetched (its
    /// RFC822.SIZE is asked first) and is recorded as handled with the decision `oversized`, reported once through
    /// `onOversized`: one huge message must not stop every later notice from being read.
    func pass(
        pipeline: VendorPipeline, state: MailboxStateStore, onOversized: (Oversized) -> Void = { _ in },
        onBatch: ([String], [VendorPipeline.Decision?]) -> Void
    ) throws {
        let client = try self.client ?? IMAPClient(settings: settings)
        self.client = client
        let status = try client.examine()
        let lastUID = try state.lastUID(mailbox: source, uidValidity: status.uidValidity)
        let uids = try client.uids(from: lastUID + 1)
        var start = 0
        while start < uids.count {
            let chunk = uids[start..<min(start + 50, uids.count)]
            var batch: [VendorPipeline.Judged] = []
            var wanted: [UInt32] = []
            for uid in chunk where !(try pipeline.vault.wasHandled(source: source, key: "\(status.uidValidity)/\(uid)")) {
                wanted.append(uid)
            }
            let sizes = try client.sizes(uids: wanted)
            for uid in wanted {
                let key = "\(status.uidValidity)/\(uid)"
                if let size = sizes[uid], size > settings.maxMessageSize {
                    try skip(Oversized(key: key, size: size), vault: pipeline.vault, report: onOversized)
                    continue
                }
                do {
                    batch.append(pipeline.judge(.init(source: source, key: key, bytes: try client.fetch(uid: uid))))
                } catch let error as IMAPError where error.kind == .messageTooLarge {
                    // The server said it was smaller: its literal told the truth, and was read and dropped.
                    try skip(Oversized(key: key, size: error.size ?? sizes[uid] ?? 0), vault: pipeline.vault, report: onOversized)
                }
            }
            let decisions = try pipeline.handle(judged: batch)
            onBatch(batch.map(\.key), decisions)
            try state.save(mailbox: source, uidValidity: status.uidValidity, lastUID: chunk.last ?? lastUID)
            start += 50
        }
        if uids.isEmpty { try state.save(mailbox: source, uidValidity: status.uidValidity, lastUID: lastUID) }
    }

    /// Records a message too large to read as handled (`oversized`), so that it is reported once and never fetched
    /// again, and the passes go on with the rest.
    private func skip(_ oversized: Oversized, vault: VaultStore, report: (Oversized) -> Void) throws {
        try vault.markHandled(source: source, key: oversized.key, messageID: nil, decision: .oversized, at: Date())
        report(oversized)
    }
}
