import Foundation
import NotifierCore

/// `notifier ingest [FILE|-]`: one message from a mail server's delivery pipe (Postfix mailbox_command, procmail,
/// .forward). Exit 0 when handled; 75 on a temporary failure (a locked database, a full disk, a relay that did not
/// get through) so the mail server keeps the message and tries again. A message is never lost: with `--deliver` every
/// message goes on into the user's Maildir, so `ingest` is a complete delivery agent; without it, a message that
/// cannot be handled for a reason a retry will not mend is saved into the quarantine Maildir.
struct IngestCommand: Command {
    static let name = "ingest"
    static let summary = "Handle one message from a mail server's delivery pipe (vault, relay, phishing report)"
    static let usage = [
        "ingest [FILE|-] [--deliver MAILDIR] [--relay-to ADDR]... [--relay-command CMD] [--from ADDR]",
        "       (--smtp URL | --outbox DIR) [--trust-sender ADDR]... [--trust-host HOST]... [--quarantine DIR]",
    ]
    static let about = """
        Reads one message (standard input by default) and handles it as the watcher does: a trusted update
        notice's URL goes into the vault, a trusted OTP notice that has not expired is relayed, an untrusted
        notice is reported (standard error) and never stored or relayed.
        """
    static let footer = """
        Exit status: 0 handled (and delivered); 75 temporary failure (the mail server should keep the message and
        retry: a busy database, a full disk, a relay or a delivery that did not get through).
        """
    static var options: [Option<Self>] {
        DeliveryOptions.options.lifted(\.delivery) + VendorOptions.options.lifted(\.vendor) + [
            .value(
                "--quarantine", "DIR", \.quarantine,
                "without --deliver, where a message goes when notifier cannot handle it for a reason that a retry "
                    + "will not mend (default: $XDG_DATA_HOME/notifier/quarantine, a Maildir)", parse: Parse.text),
            .positional("FILE", \.file, parse: Parse.text),
        ]
    }

    var delivery = DeliveryOptions()
    var vendor = VendorOptions()
    var quarantine: String?
    var file: String?

    /// A configuration it cannot read keeps the message (quarantine, or 75 for the mail server).
    static let handlesConfigurationErrors = true

    func validate() throws { try vendor.transport.validate() }

    func run(_ context: CommandContext) throws -> ExitCode {
        // A full disk under `ulimit -f` must end in EX_TEMPFAIL, not in death by SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(file ?? "-")
        } catch let error as InputError {
            // Nothing was read, so nothing can be lost: the mail server still has the message.
            throw IngestError(message: error.message)
        }
        let configuration: Configuration
        do {
            configuration = try context.configuration()
        } catch {
            return keep(bytes, because: error, in: delivery.maildir, context: context)
        }
        // The delivery is written and synced before anything is handled, so a full disk changes nothing; it is
        // moved into new/ only once the message is handled.
        var staged: (outbox: MaildirOutbox, message: MaildirOutbox.Staged)?
        if let folder = delivery.filled(from: configuration.delivery).maildir {
            do {
                let outbox = try MaildirOutbox(path: folder)
                staged = (outbox, try outbox.stage(bytes))
            } catch {
                let reason = error.personMessage
                warn(
                    "cannot deliver the message: \(reason); nothing was changed, the mail server should try again later"
                )
                return .temporaryFailure
            }
        }
        do {
            let database = try context.openDatabase()
            let pipeline = VendorPipeline(
                settings: try vendor.filled(from: configuration).settings(context: context), database: database,
                diagnostics: .standardError)
            let key = MessageIdentity.of(bytes, messageID: nil)
            let decision =
                try pipeline.handle([pipeline.read(RawMessage(source: "ingest", key: key, bytes: bytes))]).first ?? nil
            if let staged { try staged.outbox.publish(staged.message) }
            StandardOutput.shared.write("\(decision?.rawValue ?? "already handled")\n")
            return .success
        } catch  where ExitCode(for: error) == .temporaryFailure {
            if let staged { staged.outbox.discard(staged.message) }
            warn("\(error.personMessage); the mail server should try again later")
            return .temporaryFailure
        } catch let error as OutboxError {
            // The message was handled, but the move into new/ failed: the retry finds it handled and delivers it.
            warn("\(error.message); the mail server should try again later")
            return .temporaryFailure
        } catch {
            if let staged {
                // Handling failed for a reason a retry may not mend, but the message is the user's mail: deliver it.
                do {
                    try staged.outbox.publish(staged.message)
                } catch {
                    warn("\(error.personMessage); the mail server should try again later")
                    return .temporaryFailure
                }
                warn("\(error.personMessage); the message was not handled, but delivered to \(staged.message.final)")
                return .success
            }
            return keep(bytes, because: error, in: nil, context: context)
        }
    }

    /// Configuration, database or internal trouble a retry may not mend: keep the message where a person will find
    /// it (the user's Maildir, else the quarantine), then say so. Only when that too fails, ask the mail server to
    /// keep it.
    private func keep(_ bytes: [UInt8], because error: Error, in mailbox: String?, context: CommandContext) -> ExitCode
    {
        let reason = error.personMessage
        do {
            let folder = try mailbox ?? quarantine ?? context.paths.quarantine()
            let delivery = try MaildirOutbox(path: folder).deliver(bytes, sender: "", recipients: [])
            warn("\(reason); the message was not handled, but \(delivery.reply)")
            return .success
        } catch {
            warn("\(reason); could not keep the message either; try again later")
            return .temporaryFailure
        }
    }

    private func warn(_ line: String) { Diagnostics.standardError.error(line) }
}

/// The message could not be read from the pipe: the mail server should keep it (EX_TEMPFAIL, 75).
struct IngestError: NotifierError {
    let message: String
}
