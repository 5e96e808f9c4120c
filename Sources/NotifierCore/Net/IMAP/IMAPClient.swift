import Foundation

/// Reads one mailbox over IMAP without changing it: the mailbox is opened with EXAMINE (read-only, never SELECT) and
/// messages are fetched with BODY.PEEK[] (never BODY[], which would set \Seen). One connection carries every
/// command; after an error whose `IMAPError.shouldReconnect` is true the client is spent: make a new one (with
/// backoff).
///
/// UIDs are meaningful only together with the UIDVALIDITY `examine()` returned (RFC 3501 §2.3.1.1): when it
/// changes, every UID known before is void, so compare it at every round. With Dovecot, a new `examine()` reports
/// the new value; `uids(from:)` on the old view throws `.connectionLost` instead (Dovecot says "* BYE IMAP session
/// state is inconsistent" and closes the connection).
///
/// ```swift
/// let client = try IMAPClient(settings: settings)
/// let status = try client.examine()
/// for uid in try client.uids(from: lastSeenUID + 1) { let message = try client.fetch(uid: uid) ... }
/// ```
package final class IMAPClient {
    let settings: IMAPSettings
    private let connection: IMAPConnection
    private var examined = false
    /// The folder `examine()` opens, and the later commands read: the URL's mailbox until `examine(_:)` names
    /// another.
    private(set) var current: String
    /// IDLE on this connection (`waitForMail`), ended before the next command.
    private var idler: IMAPIdler?
    /// Whether the server told of new mail (`* n EXISTS`) after the last `uids(from:)` or `search` began: mail
    /// that that search may not have seen, and that IDLE would not announce again.
    private var arrivedSinceSearch = false

    /// Connects, does TLS (imaps://, or STARTTLS on imap:// when offered; `tls: .required` refuses to go on without
    /// it) and logs in. Throws `IMAPError` (`.unavailable`, `.login`, `.timeout`...) or `InvalidValue` for a bad URL.
    init(settings: IMAPSettings) throws {
        self.settings = settings
        connection = try IMAPConnection(settings: settings)
        current = connection.endpoint.mailbox
    }

    /// The mailbox named in the URL.
    package var mailbox: String { connection.endpoint.mailbox }

    /// Lines sent and bytes received since login (tests and the bench of the light watcher).
    var linesSent: Int { connection.linesSent }
    var bytesReceived: Int { connection.bytesReceived }

    /// EXAMINEs the mailbox (again): its UIDVALIDITY, the UID the next message will get, and how many messages it
    /// holds. Cheap; call it at the start of every round.
    func examine() throws -> MailboxStatus {
        try examine(current)
    }

    /// EXAMINEs the folder `name` (UTF-8; sent in modified UTF-7), which the later commands then read. Throws
    /// `.noSuchMailbox` when the server will not open it.
    func examine(_ name: String) throws -> MailboxStatus {
        try endIdle()
        examined = false  // a failed EXAMINE leaves no mailbox open (RFC 3501 §6.3.1)
        current = name
        let status = try connection.examine(name)
        examined = true
        return status
    }

    /// Waits up to `timeout` seconds for new mail in `folder` with IDLE on this connection (RFC 2177): true as soon
    /// as some arrived, or when it may have arrived unseen; then read the folder again (`uids(from:)`), which ends
    /// the IDLE. IDLE goes on between calls, so a quiet mailbox costs no command at all, only IDLE's renewal every
    /// `reidleInterval` seconds. True at once, without IDLE, when the connection had another folder open (it opens
    /// `folder` now: mail may have come since it was last read) or when the server told of new mail after the last
    /// search.
    func waitForMail(in folder: String, timeout: TimeInterval, reidleInterval: TimeInterval = 25 * 60) throws -> Bool {
        if idler == nil {
            guard examined, current == folder else {
                _ = try examine(folder)
                return true
            }
            if arrivedSinceSearch { return true }
            idler = IMAPIdler(connection: connection, reidleInterval: reidleInterval)
        }
        return try idler!.wait(timeout: timeout)
    }

    /// Ends the IDLE in progress, if any, before another command; mail it announced meanwhile counts as arrived.
    private func endIdle() throws {
        guard let idler else { return }
        self.idler = nil
        if try idler.end() { arrivedSinceSearch = true }
    }

    /// Runs a command on the open folder (ended IDLE first), noting a `* n EXISTS` among the answers.
    private func run(_ command: String) throws -> [IMAPResponse] {
        try endIdle()
        try examineOnce()
        let responses = try connection.run(command)
        if responses.contains(where: { $0.name == "EXISTS" }) { arrivedSinceSearch = true }
        return responses
    }

    /// One folder as LIST tells of it: its name (UTF-8), its attributes (`\Junk`, `\Noselect`...) as sent.
    struct Folder: Equatable {
        let name: String
        let attributes: [String]

        /// Whether it can be opened (`\Noselect` and `\NonExistent` folders are only names in the hierarchy).
        var selectable: Bool {
            !attributes.contains { ["\\noselect", "\\nonexistent"].contains($0.lowercased()) }
        }
    }

    /// Every folder of the account, with its SPECIAL-USE attributes (RFC 6154) where the server has them:
    /// `LIST "" "*" RETURN (SPECIAL-USE)`, or a plain `LIST "" "*"` when the server refuses that (its LIST may
    /// still carry them, as Dovecot's does). A name that is not valid modified UTF-7 is left out.
    func folders() throws -> [Folder] {
        try endIdle()
        let responses: [IMAPResponse]
        do {
            responses = try connection.run("LIST \"\" \"*\" RETURN (SPECIAL-USE)")
        } catch let error as IMAPError where error.kind == .refused {
            responses = try connection.run("LIST \"\" \"*\"")
        }
        var found: [Folder] = []
        for response in responses where response.name == "LIST" && response.values.count >= 3 {
            guard case .list(let flags) = response.values[0] else { continue }
            let bytes: [UInt8]
            switch response.values[2] {
            case .atom(let text): bytes = Array(text.utf8)
            case .string(let text): bytes = text
            default: continue
            }
            guard let name = IMAPMailboxName.decoded(bytes) else { continue }
            found.append(Folder(name: name, attributes: flags.compactMap(\.atomText)))
        }
        return found
    }

    /// The UIDs from `first` on, ascending (UID SEARCH UID first:*). `first:*` always matches the highest UID, even
    /// one below `first`; such UIDs are left out. EXAMINEs the mailbox first if that was not done yet, and says NOOP
    /// before searching: Dovecot brings a session's view of the mailbox up to date at NOOP (or a new EXAMINE), not
    /// at SEARCH, which would not see mail delivered since the last command.
    func uids(from first: UInt32) throws -> [UInt32] {
        _ = try run("NOOP")
        let start = max(first, 1)
        return try search("UID \(start):*").filter { $0 >= start }
    }

    /// The UIDs of the messages that `criteria` match (UID SEARCH, RFC 3501 §6.4.4), ascending; e.g.
    /// `SINCE 1-Dec-2025 FROM "nyusatsu@example.jp"`. Mail the server tells of during the search counts as
    /// arrived since (`waitForMail` does not IDLE over it). `narrowing`: a search within what an earlier one found,
    /// which leaves what arrived since that one as it was. Throws `.refused` when the server will not search so.
    func search(_ criteria: String, narrowing: Bool = false) throws -> [UInt32] {
        if !narrowing { arrivedSinceSearch = false }
        let responses = try run("UID SEARCH \(criteria)")
        let found = responses.filter { $0.name == "SEARCH" }.flatMap(\.values).compactMap(\.number)
        return Array(Set(found)).sorted()
    }

    /// The start of each message's header section, at most `limit` bytes, with its size (RFC822.SIZE), for the
    /// messages with these UIDs, in one command (`BODY.PEEK[HEADER]<0.limit>`: the message stays unread, and a
    /// huge header costs no more than `limit`). Whether a message is worth downloading is told from its header.
    /// A UID the server does not answer for is left out.
    func headers(uids: [UInt32], limit: Int = 64 << 10) throws -> [UInt32: (size: Int, header: [UInt8])] {
        guard !uids.isEmpty else { return [:] }
        let set = uids.map(String.init).joined(separator: ",")
        let responses = try run("UID FETCH \(set) (RFC822.SIZE BODY.PEEK[HEADER]<0.\(limit)>)")
        var found: [UInt32: (size: Int, header: [UInt8])] = [:]
        for response in responses where response.name == "FETCH" {
            let items = response.fetchItems
            guard let uid = items["UID"]?.number, uids.contains(uid),
                let size = items["RFC822.SIZE"]?.atomText.flatMap({ Int($0) })
            else { continue }
            let header: [UInt8]
            switch items.first(where: { $0.key.hasPrefix("BODY[HEADER]") })?.value {
            case .string(let bytes)?: header = bytes
            default: header = []  // NIL, or none: an empty header is no candidate, but its size still counts
            }
            found[uid] = (size, header)
        }
        return found
    }

    /// The message with this UID, byte for byte as the server gives it (IMAP sends lines ending in CRLF; Dovecot
    /// turns a stored bare LF into CRLF). BODY.PEEK[]: the message stays unread. Throws `.noSuchMessage` when the
    /// UID is not (or no longer) there, `.messageTooLarge` when it is larger than `maxMessageSize` (its bytes
    /// are read and dropped; the connection stays usable).
    func fetch(uid: UInt32) throws -> [UInt8] {
        let items = try fetchItems(uid: uid, "BODY.PEEK[]")
        guard let body = items.first(where: { $0.key.hasPrefix("BODY[]") })?.value else {
            throw IMAPError(
                kind: .noSuchMessage, message: "IMAP \(connection.server): no message with UID \(uid) in \(current)")
        }
        switch body {
        case .string(let bytes):
            return bytes
        case .tooLarge(let size):
            throw IMAPError(
                kind: .messageTooLarge,
                message:
                    "IMAP \(connection.server): message UID \(uid) has \(size) bytes, more than --max-message-size "
                    + "\(settings.maxMessageSize)", size: size)
        default:
            throw IMAPError(kind: .noSuchMessage, message: "IMAP \(connection.server): message UID \(uid) has no body")
        }
    }

    /// The sizes (RFC822.SIZE, RFC 3501 §6.4.5) of the messages with these UIDs, in one command: so that a message
    /// larger than `maxMessageSize` is never fetched at all. A UID the server does not answer for is left out.
    func sizes(uids: [UInt32]) throws -> [UInt32: Int] {
        guard !uids.isEmpty else { return [:] }
        let responses = try run("UID FETCH \(uids.map(String.init).joined(separator: ",")) (RFC822.SIZE)")
        var sizes: [UInt32: Int] = [:]
        for response in responses where response.name == "FETCH" {
            let items = response.fetchItems
            if let uid = items["UID"]?.number, let size = items["RFC822.SIZE"]?.atomText.flatMap({ Int($0) }) {
                sizes[uid] = size
            }
        }
        return sizes
    }

    /// One UID FETCH; the items of the FETCH response for that UID (the server may add responses for others).
    private func fetchItems(uid: UInt32, _ items: String) throws -> [String: IMAPValue] {
        let responses = try run("UID FETCH \(uid) (\(items))")
        for response in responses where response.name == "FETCH" {
            let fetched = response.fetchItems
            if fetched["UID"]?.number == uid { return fetched }
        }
        return [:]
    }

    private func examineOnce() throws {
        if !examined { _ = try examine() }
    }
}
