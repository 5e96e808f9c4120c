import Foundation

/// `notifier ingest [FILE|-]`: one message from a mail server's delivery pipe (Postfix mailbox_command, procmail,
/// .forward). Exit 0 when handled; 75 on a temporary failure (a locked database, a full disk, a relay that did not
/// get through) so the mail server keeps the message and tries again. A message is never lost: with `--deliver` every
/// message goes on into the user's Maildir, so `ingest` is a complete delivery agent; without it, a message that
/// cannot be handled for a reason a retry will not mend is saved into the quarantine Maildir.
struct IngestCommand: Command {
    static let name = "ingest"
    static let summary = "Handle one message from a mail server's delivery pipe (vault, relay, phishing report)"
    static let help = """
        Usage: notifier ingest [FILE|-] [--deliver MAILDIR] [--relay-to ADDR]... [--relay-command CMD] [--from ADDR]
                               (--smtp URL | --outbox DIR) [--trust-sender ADDR]... [--trust-host HOST]... [--quarantine DIR]

        Reads one message (standard input by default) and handles it as the watcher does: a trusted update
        notice's URL goes into the vault, a trusted OTP notice that has not expired is relayed, an untrusted
        notice is reported (standard error) and never stored or relayed.

        Options:
          --deliver MAILDIR     then deliver every message, notice or not, into this Maildir (tmp/, fsync, rename
                                into new/): ingest is then the mail server's whole delivery command. When the
                                delivery cannot be made, nothing is changed and ingest exits 75
                                (configuration key deliver_maildir)
        \(VendorOptions.help)
          --quarantine DIR      without --deliver, where a message goes when notifier cannot handle it for a reason
                                that a retry will not mend (default: $XDG_DATA_HOME/notifier/quarantine, a Maildir)

        Exit status: 0 handled (and delivered); 75 temporary failure (the mail server should keep the message and
        retry: a busy database, a full disk, a relay or a delivery that did not get through).
        """

    var file = "-"
    var options = VendorOptions()
    var quarantine: String?
    var deliver: String?
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        var fileGiven = false
        while let word = arguments.next() {
            switch word {
            case .option("--quarantine", let inline):
                quarantine = try arguments.value(for: "--quarantine", inlineValue: inline)
            case .option("--deliver", let inline):
                deliver = try arguments.value(for: "--deliver", inlineValue: inline)
            default:
                if try options.take(word, from: &arguments) { continue }
                guard case .positional(let value) = word, !fileGiven else {
                    throw UsageError("ingest: unexpected '\(word.text)'")
                }
                file = value
                fileGiven = true
            }
        }
        try options.transport.validate()
    }

    func run() throws -> ExitCode {
        // A full disk under `ulimit -f` must end in EX_TEMPFAIL, not in death by SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(file)
        } catch let error as InputError {
            // Nothing was read, so nothing can be lost: the mail server still has the message.
            throw IngestError(message: error.message)
        }
        let configuration: Configuration
        do {
            configuration = try context.configuration()
        } catch {
            return keep(bytes, because: error, in: deliver)
        }
        // The delivery is written and synced before anything is handled, so a full disk changes nothing; it is
        // moved into new/ only once the message is handled.
        var staged: (outbox: MaildirOutbox, message: MaildirOutbox.Staged)?
        if let folder = deliver ?? configuration.deliverMaildir {
            do {
                let outbox = try MaildirOutbox(path: folder)
                staged = (outbox, try outbox.stage(bytes))
            } catch {
                let reason = error.personMessage
                warn("cannot deliver the message: \(reason); nothing was changed, the mail server should try again later")
                return .temporaryFailure
            }
        }
        do {
            let database = try context.openDatabase()
            let pipeline = VendorPipeline(
                settings: try options.settings(configuration: configuration, context: context), database: database,
                diagnostics: .standardError)
            let key = MessageIdentity.of(bytes, messageID: nil)
            let decision = try pipeline.handle([pipeline.read(RawMessage(source: "ingest", key: key, bytes: bytes))]).first ?? nil
            if let staged { try staged.outbox.publish(staged.message) }
            StandardOutput.shared.write("\(decision?.rawValue ?? "already handled")\n")
            return .success
        } catch let error as NotifierError where error.exitCode == .temporaryFailure {
            if let staged { staged.outbox.discard(staged.message) }
            warn("\(error.message); the mail server should try again later")
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
            return keep(bytes, because: error, in: nil)
        }
    }

    /// Configuration, database or internal trouble a retry may not mend: keep the message where a person will find
    /// it (the user's Maildir, else the quarantine), then say so. Only when that too fails, ask the mail server to
    /// keep it.
    private func keep(_ bytes: [UInt8], because error: Error, in mailbox: String?) -> ExitCode {
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

    private func warn(_ line: String) {
        FileHandle.standardError.write(Data("notifier: \(line)\n".utf8))
    }
}

/// The message could not be read from the pipe: the mail server should keep it (EX_TEMPFAIL, 75).
struct IngestError: NotifierError {
    let message: String
    var exitCode: ExitCode { .temporaryFailure }
}
