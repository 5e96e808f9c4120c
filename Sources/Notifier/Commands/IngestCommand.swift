import Foundation

/// `notifier ingest [FILE|-]`: one message from a mail server's delivery pipe (Postfix mailbox_command, procmail,
/// .forward). Exit 0 when handled; 75 on a temporary failure (a locked database, a full disk, a relay that did not
/// get through) so the mail server keeps the message and tries again. A message is never lost: on any other
/// internal error it is saved into the quarantine Maildir before notifier exits.
struct IngestCommand: Command {
    static let name = "ingest"
    static let summary = "Handle one message from a mail server's delivery pipe (vault, relay, phishing report)"
    static let help = """
        Usage: notifier ingest [FILE|-] [--relay-to ADDR]... [--relay-command CMD] [--from ADDR] (--smtp URL | --outbox DIR)
                               [--trust-sender ADDR]... [--trust-host HOST]... [--quarantine DIR]

        Reads one message (standard input by default) and handles it as the watcher does: a trusted update
        notice's URL goes into the vault, a trusted OTP notice that has not expired is relayed, an untrusted
        notice is reported (standard error) and never stored or relayed.

        Options:
        \(VendorOptions.help)
          --quarantine DIR      where a message goes when notifier cannot handle it for a reason that a retry will
                                not mend (default: $XDG_DATA_HOME/notifier/quarantine, a Maildir)

        Exit status: 0 handled; 75 temporary failure (the mail server should keep the message and retry).
        """

    var file = "-"
    var options = VendorOptions()
    var quarantine: String?
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        var fileGiven = false
        while let word = arguments.next() {
            if case .option("--quarantine", let inline) = word {
                quarantine = try arguments.value(for: "--quarantine", inlineValue: inline)
                continue
            }
            if try options.take(word, from: &arguments) { continue }
            guard case .positional(let value) = word, !fileGiven else { throw UsageError("ingest: unexpected '\(word.text)'") }
            file = value
            fileGiven = true
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
        do {
            let configuration = try context.configuration()
            let database = try context.openDatabase()
            let pipeline = VendorPipeline(settings: try options.settings(configuration: configuration, context: context), database: database)
            let key = MessageIdentity.of(bytes, messageID: nil)
            let decision = try pipeline.handle([.init(source: "ingest", key: key, bytes: bytes)]).first ?? nil
            for line in pipeline.reports { FileHandle.standardError.write(Data("notifier: \(line)\n".utf8)) }
            StandardOutput.shared.write("\(decision?.rawValue ?? "already handled")\n")
            return .success
        } catch let error as NotifierError where error.exitCode == .temporaryFailure {
            FileHandle.standardError.write(Data("notifier: \(error.message); the mail server should try again later\n".utf8))
            return .temporaryFailure
        } catch {
            // Configuration, database or internal trouble a retry may not mend: keep the message where a person
            // will find it, then say so. Only when that too fails, ask the mail server to keep it.
            let reason = (error as? NotifierError)?.message ?? "\(error)"
            do {
                let folder = try quarantine ?? context.paths.quarantine()
                let delivery = try MaildirOutbox(path: folder).deliver(bytes, sender: "", recipients: [])
                FileHandle.standardError.write(Data("notifier: \(reason); the message was \(delivery.reply)\n".utf8))
                return .success
            } catch {
                FileHandle.standardError.write(Data("notifier: \(reason); could not quarantine it either; try again later\n".utf8))
                return .temporaryFailure
            }
        }
    }
}

/// The message could not be read from the pipe: the mail server should keep it (EX_TEMPFAIL, 75).
struct IngestError: NotifierError {
    let message: String
    var exitCode: ExitCode { .temporaryFailure }
}
