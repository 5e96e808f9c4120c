import Foundation

/// A Maildir read as a mailbox to watch: new/ and cur/, each message named by its unique name (the part before
/// ":2,", which stays the same when a mail program marks it read). Read-only: nothing is moved, renamed or deleted.
/// It keeps no state of its own: what has been handled is the handler's record, asked through `isHandled`.
package final class MaildirSource: MailSource {
    let path: String
    package let name: String

    package init(path: String) {
        self.path = path
        name = "maildir:" + (path as NSString).standardizingPath
    }

    /// A message file not handled yet: its key and where it is.
    struct Entry {
        let key: String
        let file: String
    }

    /// One batch: every message not handled yet, oldest first by file name (which starts with the delivery time).
    /// The listing holds only names; the messages are read one at a time as the batch is gone through, so a mailbox
    /// of any size is watched in the memory of its largest message. A message that vanished since the listing
    /// (moved by a mail program) is left out: it is read on the next pass from where it went.
    package func pass(isHandled: (String, String) throws -> Bool, handle: (MailBatch) throws -> Void) throws {
        let entries = try unhandled { try isHandled(name, $0) }
        try handle(
            MailBatch { [name] body in
                for entry in entries {
                    guard let data = FileManager.default.contents(atPath: entry.file) else { continue }
                    try body(.message(RawMessage(source: name, key: entry.key, bytes: [UInt8](data))))
                }
            })
    }

    /// The messages not handled yet, by name only.
    func unhandled(isHandled: (String) throws -> Bool) throws -> [Entry] {
        var entries: [Entry] = []
        var found = false
        for folder in ["new", "cur"] {
            let directory = (path as NSString).appendingPathComponent(folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            found = true
            for name in names.sorted() where !name.hasPrefix(".") {
                let key = String(name.split(separator: ":", maxSplits: 1).first ?? Substring(name))
                if try isHandled(key) { continue }
                entries.append(Entry(key: key, file: (directory as NSString).appendingPathComponent(name)))
            }
        }
        guard found else { throw InputError(path: path, reason: "not a Maildir (no new/ or cur/ folder)") }
        return entries
    }

    /// A folder on disk has no connection to lose.
    package func shouldReconnect(after error: Error) -> Bool { false }

    package func disconnect() {}
}
