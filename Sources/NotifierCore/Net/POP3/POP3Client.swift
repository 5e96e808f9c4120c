import Foundation

/// One POP3 session, carried by libcurl's POP3: libcurl connects, does TLS (pop3s://, or STLS on pop3://), verifies
/// the certificate and logs in at the first command, then sends each command (CURLOPT_CUSTOMREQUEST) on the
/// connection it keeps, reads the answer to its final dot and undoes the dot-stuffing, so a message cannot be
/// mistaken for protocol. Read-only by construction: only UIDL, LIST, TOP and RETR are ever sent, never DELE, and
/// the session ends with libcurl's QUIT when the client is let go.
///
/// Message numbers belong to the session that listed them (RFC 1939 §5). libcurl drops a connection after any
/// failed command (a `-ERR`, an answer over its limit) and opens a new session for the next one, where another mail
/// program may have deleted messages meanwhile: an answer that came on a new session is then dropped and
/// `.sessionChanged` thrown, so that the caller lists the mailbox again before it uses a number.
final class POP3Client {
    /// One message of the listing: its number in this session, its unique id (UIDL) and its size (LIST).
    struct Entry: Equatable {
        let number: Int
        let uid: String
        let size: Int
    }

    let settings: POP3Settings
    /// `pop3s://host:port` for messages (no user, no password).
    let server: String
    private let handle: EasyHandle
    /// Whether a listing was made on the session libcurl holds now.
    private var listed = false
    /// The most bytes a UIDL or LIST answer may have: a line per message, some 100,000 messages.
    static let maxListingBytes = 8 << 20

    /// Sets the connection up; nothing is sent before the first command. Throws `InvalidValue` for a bad URL, and
    /// `SecretCommandError` when the password or token command fails.
    init(settings: POP3Settings) throws {
        self.settings = settings
        let url = try POP3Settings.serverURL(of: settings.url)
        server = String(url.dropLast())
        // Before each session: a command gives a fresh password or token (and throws SecretCommandError, exit 77).
        let credentials = try settings.login.credentials()
        handle = try EasyHandle()
        try handle.transfers(
            url: url, requireTLS: settings.requiresTLS, caFile: settings.caFile, credentials: credentials,
            connectTimeout: settings.connectTimeout, responseTimeout: settings.responseTimeout)
    }

    deinit {
        // curl_easy_cleanup says QUIT (which deletes nothing: no DELE was ever sent) and waits for the answer.
        try? handle.set(quitTimeout: 2)
    }

    /// The messages of the maildrop, oldest first (UIDL, then LIST for the sizes). The numbers hold until a command
    /// throws `.sessionChanged`.
    func listing() throws -> [Entry] {
        let uids = try run("UIDL", limit: Self.maxListingBytes, listing: true)
        return try Self.entries(uidl: uids, list: try run("LIST", limit: Self.maxListingBytes, listing: false))
    }

    /// The entries of a UIDL and a LIST answer, by message number. A unique id that is not one (RFC 1939 §7: 1 to 70
    /// printable ASCII characters, no two messages with the same) is `.protocolError`: handled-message records are
    /// kept by it. A message that LIST no longer names (deleted between the two) is left out.
    static func entries(uidl: [UInt8], list: [UInt8]) throws -> [Entry] {
        var sizeOf: [Int: Int] = [:]
        for (number, size) in try pairs(list, command: "LIST") { sizeOf[number] = Int(size) }
        var seen = Set<String>()
        var entries: [Entry] = []
        for (number, uid) in try pairs(uidl, command: "UIDL") {
            guard uid.utf8.count <= 70, uid.utf8.allSatisfy({ (0x21...0x7E).contains($0) }), seen.insert(uid).inserted
            else {
                throw POP3Error(
                    kind: .protocolError,
                    message: "POP3: UIDL gave message \(number) a unique id that is not one (RFC 1939: 1 to 70 "
                        + "printable characters, each used once)")
            }
            guard let size = sizeOf[number] else { continue }
            entries.append(Entry(number: number, uid: uid, size: size))
        }
        return entries.sorted { $0.number < $1.number }
    }

    /// The header section of message `number` (TOP n 0), at most `settings.maxHeaderSize` bytes (`.tooLarge`).
    func header(of number: Int) throws -> [UInt8] {
        try run("TOP \(number) 0", limit: settings.maxHeaderSize, listing: false)
    }

    /// Message `number` as the server gives it (RETR), at most `settings.maxMessageSize` bytes (`.tooLarge`).
    func message(_ number: Int) throws -> [UInt8] {
        try run("RETR \(number)", limit: settings.maxMessageSize, listing: false)
    }

    /// One command; `listing`: the command that makes the session's numbering (UIDL), which may open a new session.
    private func run(_ command: String, limit: Int, listing: Bool) throws -> [UInt8] {
        let body: [UInt8]
        do {
            body = try handle.transfer(request: command, limit: limit, timeout: settings.commandTimeout)
        } catch {
            listed = false
            throw POP3Error.failed(
                error, command: command.split(separator: " ").first.map(String.init) ?? command, server: server,
                forLogin: settings.tls == .auto && settings.requiresTLS)
        }
        if handle.newConnections > 0 && !listing {
            listed = false
            throw POP3Error(
                kind: .sessionChanged, message: "POP3 \(server): a new session began; its message numbers may differ")
        }
        if listing { listed = true }
        guard listed else {
            throw POP3Error(kind: .sessionChanged, message: "POP3 \(server): the session has no listing yet")
        }
        return body
    }

    /// The lines `NUMBER WORD` of a UIDL or LIST answer.
    static func pairs(_ body: [UInt8], command: String) throws -> [(Int, String)] {
        var result: [(Int, String)] = []
        for line in body.split(separator: UInt8(ascii: "\n")) {
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            if text.isEmpty { continue }
            let words = text.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count == 2, let number = Int(words[0]), number > 0 else {
                throw POP3Error(
                    kind: .protocolError,
                    message: "POP3: unreadable line in the answer to \(command): \(text.prefix(80).debugDescription)")
            }
            if command == "LIST", (Int(words[1]) ?? -1) < 0 {
                throw POP3Error(kind: .protocolError, message: "POP3: LIST gave message \(number) no size")
            }
            result.append((number, String(words[1])))
        }
        return result
    }
}
