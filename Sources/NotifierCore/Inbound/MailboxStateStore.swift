/// The mailbox_state table: each IMAP mailbox's UIDVALIDITY and the last UID handled there. No policy here:
/// `IMAPSource` decides what to read, and saves its checkpoint here after each batch handled.
package struct MailboxStateStore {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    /// The last UID handled in `mailbox` under `uidValidity`; 0 when none was, or when the mailbox's UIDVALIDITY is
    /// not the one kept (every UID then names another message).
    func lastUID(mailbox: String, uidValidity: UInt32) throws -> UInt32 {
        guard
            let row = try database.row(
                "SELECT uid_validity, last_uid FROM mailbox_state WHERE mailbox = ?", [.text(mailbox)]),
            UInt32(truncatingIfNeeded: try row["uid_validity"] as Int64) == uidValidity
        else { return 0 }
        return UInt32(truncatingIfNeeded: try row["last_uid"] as Int64)
    }

    func save(mailbox: String, uidValidity: UInt32, lastUID: UInt32) throws {
        try database.run(
            "INSERT INTO mailbox_state (mailbox, uid_validity, last_uid) VALUES (?1, ?2, ?3) "
                + "ON CONFLICT (mailbox) DO UPDATE SET uid_validity = ?2, last_uid = ?3",
            [.text(mailbox), .integer(Int64(uidValidity)), .integer(Int64(lastUID))])
    }
}
