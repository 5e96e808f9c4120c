import Foundation

/// The record of what a watcher has handled (`handled_messages`): each message by its mailbox and its key there,
/// with its Message-ID (or digest) and what was decided. Whatever handles the mail (the vendor pipeline, the issuer's
/// bounce reader) marks a message here in the transaction that handles it, so it is handled once, by one process.
struct HandledMessageStore {
    let database: Database

    /// Whether this message (by source and key) was handled before.
    func contains(source: String, key: String) throws -> Bool {
        try database.row("SELECT 1 FROM handled_messages WHERE source = ? AND key = ?", [.text(source), .text(key)])
            != nil
    }

    /// Whether a message with this Message-ID was handled from any source; only one of `decisions` counts when
    /// given.
    func contains(messageID: String, decidedAs decisions: [String]? = nil) throws -> Bool {
        guard let decisions else {
            return try database.row("SELECT 1 FROM handled_messages WHERE message_id = ?", [.text(messageID)]) != nil
        }
        let list = decisions.map { _ in "?" }.joined(separator: ", ")
        return try database.row(
            "SELECT 1 FROM handled_messages WHERE message_id = ? AND decision IN (\(list))",
            [.text(messageID)] + decisions.map { .text($0) }) != nil
    }

    func mark(source: String, key: String, messageID: String?, decision: String, at: Date) throws {
        try database.run(
            "INSERT OR REPLACE INTO handled_messages (source, key, message_id, decision, handled_at) VALUES (?, ?, ?, ?, ?)",
            [
                .text(source), .text(key), SQLValue(messageID), .text(decision),
                .integer(Int64(at.timeIntervalSince1970)),
            ])
    }
}
