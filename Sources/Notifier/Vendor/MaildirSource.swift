import Foundation

/// A Maildir read as a mailbox to watch: new/ and cur/, each message named by its unique name (the part before
/// ":2,", which stays the same when a mail program marks it read). Read-only: nothing is moved, renamed or deleted.
struct MaildirSource {
    let path: String
    var source: String { "maildir:" + (path as NSString).standardizingPath }

    /// The messages not handled yet, oldest first by file name (which starts with the delivery time).
    func unhandled(vault: VaultStore) throws -> [VendorPipeline.Incoming] {
        var incoming: [VendorPipeline.Incoming] = []
        var found = false
        for folder in ["new", "cur"] {
            let directory = (path as NSString).appendingPathComponent(folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            found = true
            for name in names.sorted() where !name.hasPrefix(".") {
                let key = String(name.split(separator: ":", maxSplits: 1).first ?? Substring(name))
                if try vault.wasHandled(source: source, key: key) { continue }
                // A message that vanished between the listing and the read (moved by a mail program) is read on
                // the next pass from where it went.
                guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name))
                else { continue }
                incoming.append(.init(source: source, key: key, bytes: [UInt8](data)))
            }
        }
        guard found else { throw InputError(path: path, reason: "not a Maildir (no new/ or cur/ folder)") }
        return incoming
    }
}
