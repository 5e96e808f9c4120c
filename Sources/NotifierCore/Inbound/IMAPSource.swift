import Foundation

/// An IMAP account's folders read as one mailbox to watch: the URL's mailbox, or the folders named with `--folder`,
/// and the junk folder too when asked to find it (`findsJunk`). Each folder has its own source name
/// (`imap:user@URL` for the URL's mailbox, `imap:user@imaps://host:port/Junk` for another), under which its
/// UIDVALIDITY and last UID handled are kept in the `MailboxStateStore` and its messages recorded as handled, so
/// each message is handled once. When a folder's UIDVALIDITY changes every message there is read again, and the
/// handler recognises one handled before by its Message-ID. Read-only: EXAMINE and BODY.PEEK[] (the client's rules).
///
/// Between passes it waits with IDLE on a connection of its own, on the first folder only (IDLE watches one
/// mailbox per connection, RFC 2177); the other folders are looked at on the pass after IDLE woke up, and at least
/// every `othersEvery` seconds. Without IDLE every pass reads every folder.
package final class IMAPSource: IdlingMailSource {
    /// One folder the source reads.
    package struct Folder: Equatable, Sendable {
        /// Its name, UTF-8 (sent in modified UTF-7).
        package let name: String
        /// Its name in the record of handled messages and in the mailbox state.
        package let sourceName: String
        /// Whether it is the junk folder: a trusted notice found there is reported.
        package let isJunk: Bool
        /// How the junk folder was found when no `--folder` named it: `SPECIAL-USE \Junk` or `its name`.
        package let foundBy: String?
    }

    let settings: IMAPSettings
    package let name: String
    private let state: MailboxStateStore
    private var client: IMAPClient?
    private var idler: IMAPIdler?
    /// Whether the junk folder is looked for (LIST) and read too when no folder named is one.
    let findsJunk: Bool
    /// Seconds between passes over the folders other than the first while IDLE waits on the first.
    let othersEvery: Double
    /// The folders read, in order; nil until the first connection found them.
    package private(set) var folders: [Folder]?
    /// Every folder of the account as LIST gave it (for the message about a folder that cannot be opened).
    private var listed: [IMAPClient.Folder] = []
    /// Since the last pass: whether the source waited with IDLE, and whether new mail woke it.
    private var idled = false
    private var woke = false
    private var othersPassedAt: ContinuousClock.Instant?
    /// UIDs asked for and handled together.
    static let batchSize = 50
    /// The junk folder's usual names, looked for in this order when no folder has SPECIAL-USE `\Junk`: Dovecot's
    /// and Thunderbird's, Outlook's (two spellings), a generic one, the Japanese one (Japanese ISPs' webmail), Gmail's.
    package static let junkNames = ["Junk", "Junk E-mail", "Junk Email", "Spam", "迷惑メール", "[Gmail]/Spam"]

    package init(settings: IMAPSettings, state: MailboxStateStore, findsJunk: Bool = false, othersEvery: Double = 60) {
        self.settings = settings
        self.state = state
        self.findsJunk = findsJunk
        self.othersEvery = othersEvery
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

    /// The folders to read, found on the first connection (made now, and kept for the first pass): the folders
    /// named, or the URL's mailbox; then the junk folder when `findsJunk` and none of those is it. Later calls
    /// return what the first found.
    @discardableResult
    package func resolveFolders() throws -> [Folder] {
        if let folders { return folders }
        let client = try self.client ?? IMAPClient(settings: settings)
        self.client = client
        let endpoint = try IMAPSettings.endpoint(of: settings.url)
        var named: [String] = []
        for folder in settings.folders.isEmpty ? [endpoint.mailbox] : settings.folders where !named.contains(folder) {
            named.append(folder)
        }
        if findsJunk {
            do {
                listed = try client.folders()
            } catch let error as IMAPError where error.kind == .refused {
                listed = []  // a server without LIST: no junk folder to find; the folders named are read
            }
        }
        func isJunk(_ name: String) -> Bool {
            listed.contains { $0.name == name && $0.attributes.contains { $0.lowercased() == "\\junk" } }
                || Self.junkNames.contains { Self.sameName($0, name) }
        }
        func sourceName(_ folder: String) -> String {
            if folder == endpoint.mailbox { return name }
            let path = folder.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? folder
            return "imap:\(settings.login.user)@\(endpoint.serverURL)\(path)"
        }
        var found = named.map {
            Folder(name: $0, sourceName: sourceName($0), isJunk: findsJunk && isJunk($0), foundBy: nil)
        }
        if findsJunk, !found.contains(where: \.isJunk), let junk = Self.junkFolder(in: listed) {
            found.append(Folder(name: junk.name, sourceName: sourceName(junk.name), isJunk: true, foundBy: junk.by))
        }
        folders = found
        return found
    }

    /// The junk folder among `listed`: the one with SPECIAL-USE `\Junk` (RFC 6154), else the first of the usual
    /// names (also under INBOX, as `INBOX.Junk` or `INBOX/Spam`).
    static func junkFolder(in listed: [IMAPClient.Folder]) -> (name: String, by: String)? {
        let selectable = listed.filter(\.selectable)
        if let flagged = selectable.first(where: { $0.attributes.contains { $0.lowercased() == "\\junk" } }) {
            return (flagged.name, "SPECIAL-USE \\Junk")
        }
        for junk in junkNames {
            if let folder = selectable.first(where: { folder in
                sameName(junk, folder.name) || [".", "/"].contains { sameName("INBOX\($0)\(junk)", folder.name) }
            }) {
                return (folder.name, "its name")
            }
        }
        return nil
    }

    /// Folder names compared as users see them: ASCII letters in any case (`junk`, `SPAM`).
    private static func sameName(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased()
    }

    /// One pass: the first folder, and the others unless IDLE on the first has been quiet for less than
    /// `othersEvery` seconds.
    package func pass(isHandled: (String, String) throws -> Bool, handle: (MailBatch) throws -> Void) throws {
        let folders = try resolveFolders()
        let client = try self.client ?? IMAPClient(settings: settings)
        self.client = client
        let started = ContinuousClock.now
        let readsOthers =
            !idled || woke || othersPassedAt.map { started - $0 >= .milliseconds(Int64(othersEvery * 1000)) } ?? true
        idled = false
        woke = false
        for (index, folder) in folders.enumerated() where index == 0 || readsOthers {
            try pass(folder, client: client, isHandled: isHandled, handle: handle)
        }
        if readsOthers { othersPassedAt = started }
    }

    /// One folder, every message after its last handled UID, in batches of `batchSize`; the last UID is moved on
    /// only past a batch that was handled. A message larger than `maxMessageSize` is not fetched (its RFC822.SIZE is
    /// asked first) but yielded as oversized: one huge message must not stop every later notice from being read.
    private func pass(
        _ folder: Folder, client: IMAPClient, isHandled: (String, String) throws -> Bool,
        handle: (MailBatch) throws -> Void
    ) throws {
        let status: MailboxStatus
        do {
            status = try client.examine(folder.name)
        } catch let error as IMAPError where error.kind == .noSuchMailbox {
            let names = listed.filter(\.selectable).map(\.name)
            let known =
                names.isEmpty
                ? ""
                : "; the account's folders: " + names.prefix(20).joined(separator: ", ") + (names.count > 20 ? "…" : "")
            throw IMAPError(
                kind: .noSuchMailbox,
                message: error.message + "; check --folder (imap_folder) or the mailbox in the URL" + known)
        }
        let source = folder.sourceName
        let junk = folder.isJunk ? folder.name : nil
        let lastUID = try state.lastUID(mailbox: source, uidValidity: status.uidValidity)
        let uids = try client.uids(from: lastUID + 1)
        let key = { (uid: UInt32) in "\(status.uidValidity)/\(uid)" }
        var start = 0
        while start < uids.count {
            let chunk = uids[start..<min(start + Self.batchSize, uids.count)]
            var wanted: [UInt32] = []
            for uid in chunk where !(try isHandled(source, key(uid))) { wanted.append(uid) }
            let sizes = try client.sizes(uids: wanted)
            try handle(
                MailBatch { [settings] body in
                    for uid in wanted {
                        let oversized = { (size: Int) in
                            OversizedMessage(source: source, key: key(uid), size: size, limit: settings.maxMessageSize)
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
                        try body(.message(RawMessage(source: source, key: key(uid), bytes: bytes, junkFolder: junk)))
                    }
                })
            try state.save(mailbox: source, uidValidity: status.uidValidity, lastUID: chunk.last ?? lastUID)
            start += Self.batchSize
        }
        if uids.isEmpty { try state.save(mailbox: source, uidValidity: status.uidValidity, lastUID: lastUID) }
    }

    /// IDLE on a connection of its own, on the first folder, made on the first wait (after the first pass: an
    /// arrival in between is announced when IDLE starts).
    package func waitForMail(timeout: Double) throws -> Bool {
        let idler = try self.idler ?? IMAPIdler(settings: settings, mailbox: folders?.first?.name)
        self.idler = idler
        idled = true
        let arrived = try idler.wait(timeout: timeout)
        woke = woke || arrived
        return arrived
    }
}
