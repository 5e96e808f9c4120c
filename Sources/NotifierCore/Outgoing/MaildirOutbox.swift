import Foundation

/// Writes each message into a Maildir: into tmp/ first, synced, then renamed into new/, so a reader never sees
/// half a message. The embedded default when no SMTP server is configured.
/// - SeeAlso: https://cr.yp.to/proto/maildir.html
package final class MaildirOutbox: MessageTransport {
    let path: String
    private var counter = 0
    private let host: String

    package init(path: String) throws {
        self.path = path
        host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "\\057")
            .replacingOccurrences(of: ":", with: "\\072")
        for folder in ["", "/tmp", "/new", "/cur"] {
            let directory = path + folder
            if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                throw OutboxError(path: directory, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// A message written into tmp/ and synced, not yet visible in new/.
    package struct Staged {
        let temporary: String
        package let final: String
    }

    package func deliver(_ message: [UInt8], sender: String, recipients: [String]) throws -> Delivery {
        let staged = try stage(message)
        try publish(staged)
        return Delivery(outcome: .sent, code: nil, reply: "written to \(staged.final)")
    }

    /// Writes the message into tmp/ and syncs it: the step that a full disk or a quota makes fail.
    package func stage(_ message: [UInt8]) throws -> Staged {
        counter += 1
        var now = timeval()
        gettimeofday(&now, nil)
        let name = "\(now.tv_sec).M\(now.tv_usec)P\(getpid())Q\(counter)R\(UInt32.random(in: .min ... .max)).\(host)"
        let staged = Staged(temporary: "\(path)/tmp/\(name)", final: "\(path)/new/\(name)")
        do {
            try POSIXFile.createSynced(staged.temporary, message)
        } catch {
            throw OutboxError(path: staged.temporary, reason: error.reason)
        }
        return staged
    }

    /// Moves a staged message into new/, where readers see it whole, and syncs the folder so the move survives a
    /// crash too.
    package func publish(_ staged: Staged) throws {
        guard rename(staged.temporary, staged.final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(staged.temporary)
            throw OutboxError(path: staged.final, reason: reason)
        }
        POSIXFile.syncFolder("\(path)/new")
    }

    /// Removes a staged message that is not to be delivered after all.
    package func discard(_ staged: Staged) {
        unlink(staged.temporary)
    }
}

/// The outbox folder could not be written (EX_CANTCREAT, 73).
package struct OutboxError: NotifierError, Equatable {
    let path: String
    package let reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    package var message: String { "cannot write \(path): \(reason)" }
}
