import Foundation

/// A Maildir read as a mailbox to watch: new/ and cur/, each message named by its unique name (the part before
/// ":2,", which stays the same when a mail program marks it read). Read-only: nothing is moved, renamed or deleted.
struct MaildirSource {
    let path: String
    var source: String { "maildir:" + (path as NSString).standardizingPath }

    /// A message file not handled yet: its key and where it is.
    struct Entry {
        let key: String
        let file: String
    }

    /// The messages not handled yet, oldest first by file name (which starts with the delivery time). Only names:
    /// the messages are read one at a time (`read`), so a mailbox of any size is watched in the memory of its
    /// largest message.
    func unhandled(vault: VaultStore) throws -> [Entry] {
        var entries: [Entry] = []
        var found = false
        for folder in ["new", "cur"] {
            let directory = (path as NSString).appendingPathComponent(folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            found = true
            for name in names.sorted() where !name.hasPrefix(".") {
                let key = String(name.split(separator: ":", maxSplits: 1).first ?? Substring(name))
                if try vault.wasHandled(source: source, key: key) { continue }
                entries.append(Entry(key: key, file: (directory as NSString).appendingPathComponent(name)))
            }
        }
        guard found else { throw InputError(path: path, reason: "not a Maildir (no new/ or cur/ folder)") }
        return entries
    }

    /// The message, or nil when it vanished since the listing (moved by a mail program: it is read on the next pass
    /// from where it went).
    func read(_ entry: Entry) -> VendorPipeline.Incoming? {
        guard let data = FileManager.default.contents(atPath: entry.file) else { return nil }
        return .init(source: source, key: entry.key, bytes: [UInt8](data))
    }
}
