import Foundation
import MailParse

/// An IMAP account's folders read as one mailbox to watch: the URL's mailbox, or the folders named with `--folder`,
/// and the junk folder too when asked to find it (`findsJunk`). Each folder has its own source name
/// (`imap:user@URL` for the URL's mailbox, `imap:user@imaps://host:port/Junk` for another), under which its
/// UIDVALIDITY and last UID handled are kept in the `MailboxStateStore` and its messages recorded as handled, so
/// each message is handled once. When a folder's UIDVALIDITY changes every message there is read again, and the
/// handler recognises one handled before by its Message-ID. Read-only: EXAMINE and BODY.PEEK (the client's rules).
///
/// Light on the server and on the line:
/// - A message is downloaded only when its header says it may be wanted (`MailHandler.isCandidate`): the headers of
///   a batch come in one command, at most 64 KiB each. The first pass over a folder (`FirstPass`) asks the server
///   which messages came since a day (SEARCH SINCE) and which of them are from a trusted sender (SEARCH FROM, read
///   at once); older mail is not read at all.
/// - With IDLE every folder waits on a connection of its own (IDLE watches one mailbox per connection, RFC 2177),
///   the first folder on the connection that read it. A quiet mailbox costs no command but IDLE's renewal every
///   `reidleInterval` seconds; a folder is read again only when its IDLE woke. Without IDLE every pass reads every
///   folder on one connection.
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

    /// What the first pass over a folder (no UID handled there yet, or a new UIDVALIDITY) asks the server, so that
    /// years of mail are not read to find this season's notice.
    package struct FirstPass: Equatable, Sendable {
        /// Mail delivered before this day (IMAP's internal date) is not read: `1-Dec-2025`.
        package let since: String
        /// Senders whose mail is downloaded without its header being looked at first; mail from anyone else since
        /// `since` is still looked at by its header (a forwarded notice, a look-alike to report).
        package let senders: [String]

        package init(since: String, senders: [String]) {
            self.since = since
            self.senders = senders
        }

        /// The vendor's: mail since December 1 of the year before today in Japan (a notice comes late in January,
        /// its OTP mails until the end of March), and the trusted senders.
        package static func vendor(now: Date, senders: [String]) -> FirstPass {
            let year = (JapanClock.calendar.dateComponents([.year], from: now).year ?? 2000) - 1
            return FirstPass(since: "1-Dec-\(year)", senders: senders)
        }

        /// `FROM "a"`, or `OR FROM "a" FROM "b"`...: the senders that can be written in a quoted string (printable
        /// ASCII without a quote or backslash: an address from the configuration always is); nil when none can.
        var fromCriteria: String? {
            let quotable = senders.filter { sender in
                !sender.isEmpty
                    && sender.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != 0x5C }
            }
            guard !quotable.isEmpty else { return nil }
            return String(repeating: "OR ", count: quotable.count - 1)
                + quotable.map { "FROM \"\($0)\"" }.joined(separator: " ")
        }
    }

    let settings: IMAPSettings
    package let name: String
    private let state: MailboxStateStore
    /// The connection that finds the folders, reads them all without IDLE, and reads and idles on the first with it.
    private var client: IMAPClient?
    /// With IDLE: the connection of each folder after the first, by its index in `folders`.
    private var folderClients: [Int: IMAPClient] = [:]
    /// Whether the source waits with IDLE (a wait was asked for since the last connection): then each pass reads
    /// only the folders in `pending`, each on its own connection.
    private var idling = false
    /// The folders whose IDLE woke (or that were opened for IDLE, and may have had mail meanwhile), by index.
    private var pending: Set<Int> = []
    /// Whether the junk folder is looked for (LIST) and read too when no folder named is one.
    let findsJunk: Bool
    /// What the first pass over a folder asks the server; nil: every message is looked at (by its header).
    let firstPass: FirstPass?
    /// Seconds one IDLE lasts before it is renewed (DONE, IDLE).
    let reidleInterval: Double
    /// The folders read, in order; nil until the first connection found them.
    package private(set) var folders: [Folder]?
    /// Every folder of the account as LIST gave it (for the message about a folder that cannot be opened).
    private var listed: [IMAPClient.Folder] = []
    /// UIDs asked for and handled together.
    static let batchSize = 50
    /// The junk folder's usual names, looked for in this order when no folder has SPECIAL-USE `\Junk`: Dovecot's
    /// and Thunderbird's, Outlook's (two spellings), a generic one, the Japanese one (Japanese ISPs' webmail), Gmail's.
    package static let junkNames = ["Junk", "Junk E-mail", "Junk Email", "Spam", "迷惑メール", "[Gmail]/Spam"]

    package init(
        settings: IMAPSettings, state: MailboxStateStore, findsJunk: Bool = false, firstPass: FirstPass? = nil,
        reidleInterval: Double = 25 * 60
    ) {
        self.settings = settings
        self.state = state
        self.findsJunk = findsJunk
        self.firstPass = firstPass
        self.reidleInterval = reidleInterval
        name = "imap:\(settings.login.user)@\(settings.url)"
    }

    /// Lines sent and bytes received over the open connections since each logged in (for tests).
    package var traffic: (lines: Int, bytes: Int) {
        let open = [client].compactMap { $0 } + Array(folderClients.values)
        return (open.reduce(0) { $0 + $1.linesSent }, open.reduce(0) { $0 + $1.bytesReceived })
    }

    /// How many connections are open (tests: one per folder with IDLE, one without).
    var connections: Int { (client == nil ? 0 : 1) + folderClients.count }

    /// Drops every connection (after an error that asks for a reconnect); the next pass reads every folder.
    package func disconnect() {
        client = nil
        folderClients = [:]
        idling = false
        pending = []
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
        let client = try mainClient()
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

    /// One pass: every folder, on one connection, until the source waits with IDLE; from then on the folders whose
    /// IDLE woke, each on its own connection.
    package func pass(isHandled: (String, String) throws -> Bool, handle: (MailBatch) throws -> Void) throws {
        let folders = try resolveFolders()
        let client = try mainClient()
        guard idling else {
            for folder in folders { try pass(folder, client: client, isHandled: isHandled, handle: handle) }
            return
        }
        for index in pending.sorted() {
            try pass(folders[index], client: try reader(of: index), isHandled: isHandled, handle: handle)
            pending.remove(index)
        }
    }

    private func mainClient() throws -> IMAPClient {
        if let client { return client }
        let made = try IMAPClient(settings: settings)
        client = made
        return made
    }

    /// The connection that reads folder `index` and idles on it, with IDLE.
    private func reader(of index: Int) throws -> IMAPClient {
        if index == 0 { return try mainClient() }
        if let client = folderClients[index] { return client }
        let made = try IMAPClient(settings: settings)
        folderClients[index] = made
        return made
    }

    /// One folder: the messages after its last handled UID (on the first pass, those `firstPass` asks for), in
    /// batches of `batchSize`; the last UID is moved on only past a batch that was handled. A message from a
    /// trusted sender found by the first pass is yielded whole; any other is yielded by its header, and downloaded
    /// only if the handler wants it. A message larger than `maxMessageSize` is not fetched (its RFC822.SIZE comes
    /// first) but yielded as oversized: one huge message must not stop every later notice from being read.
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
        var uids: [UInt32]
        var trusted: Set<UInt32> = []
        // Where the folder's state ends up once every batch is handled: past the UIDs read, and on a first pass
        // past the mail it left unread (older than `since`), which has UIDs below EXAMINE's UIDNEXT.
        var end = lastUID
        if lastUID == 0, let firstPass {
            do {
                uids = try client.search("SINCE \(firstPass.since)")
                if let from = firstPass.fromCriteria, !uids.isEmpty {
                    trusted = Set(try client.search("SINCE \(firstPass.since) \(from)", narrowing: true))
                }
                end = max(end, status.uidNext > 0 ? status.uidNext - 1 : 0)
            } catch let error as IMAPError where error.kind == .refused {
                // A server that will not search so: every message, each looked at by its header.
                uids = try client.uids(from: 1)
                trusted = []
            }
        } else {
            uids = try client.uids(from: lastUID + 1)
        }
        end = max(end, uids.last ?? 0)
        let key = { (uid: UInt32) in "\(status.uidValidity)/\(uid)" }
        let limit = settings.maxMessageSize
        /// The whole message: oversized without a download when its size says so, nil when it is gone.
        func whole(_ uid: UInt32, size: Int?) throws -> MailBatch.Item? {
            let oversized = { (size: Int) in
                MailBatch.Item.oversized(OversizedMessage(source: source, key: key(uid), size: size, limit: limit))
            }
            if let size, size > limit { return oversized(size) }
            do {
                let bytes = try client.fetch(uid: uid)
                return .message(RawMessage(source: source, key: key(uid), bytes: bytes, junkFolder: junk))
            } catch let error as IMAPError where error.kind == .messageTooLarge {
                // The server said it was smaller: its literal told the truth, and was read and dropped.
                return oversized(error.size ?? size ?? 0)
            } catch let error as IMAPError where error.kind == .noSuchMessage {
                return nil  // expunged meanwhile (another mail program): nothing to read or record
            }
        }
        var start = 0
        while start < uids.count {
            let chunk = uids[start..<min(start + Self.batchSize, uids.count)]
            var wanted: [UInt32] = []
            for uid in chunk where !(try isHandled(source, key(uid))) { wanted.append(uid) }
            let sizes = try client.sizes(uids: wanted.filter(trusted.contains))
            let headers = try client.headers(uids: wanted.filter { !trusted.contains($0) })
            try handle(
                MailBatch { body in
                    for uid in wanted {
                        if trusted.contains(uid) {
                            if let item = try whole(uid, size: sizes[uid]) { try body(item) }
                        } else if let found = headers[uid] {
                            try body(
                                .header(
                                    MessageHeader(source: source, key: key(uid), bytes: found.header) {
                                        try whole(uid, size: found.size)
                                    }))
                        }
                        // No header for it: expunged since the search; nothing to read.
                    }
                })
            try state.save(mailbox: source, uidValidity: status.uidValidity, lastUID: chunk.last ?? lastUID)
            start += Self.batchSize
        }
        if uids.last != end || uids.isEmpty {
            try state.save(mailbox: source, uidValidity: status.uidValidity, lastUID: end)
        }
    }

    /// Waits up to `timeout` seconds for new mail with IDLE on every folder, each on its own connection (made on the
    /// first wait: a folder opened for IDLE is read once more at once, for mail that came since its last pass).
    /// With several folders the connections are listened to in turn, a fifth of a second each: no command is sent.
    package func waitForMail(timeout: Double) throws -> Bool {
        idling = true
        if !pending.isEmpty { return true }
        let folders = try resolveFolders()
        let seconds = timeout.isNaN ? 0 : max(0, min(timeout, 1e9))
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        repeat {
            for (index, folder) in folders.enumerated() {
                let left = (deadline - .now) / .seconds(1)
                let slice = folders.count == 1 ? left : min(left, 0.2)
                if try reader(of: index).waitForMail(
                    in: folder.name, timeout: max(0, slice), reidleInterval: reidleInterval)
                {
                    pending.insert(index)
                }
            }
        } while pending.isEmpty && ContinuousClock.now < deadline
        return !pending.isEmpty
    }
}
