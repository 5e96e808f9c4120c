import Foundation
import MailParse
import NotifierCore

/// `notifier bounces watch|ingest`: the issuer reads the mailbox its notices' return path points at, and learns
/// which notices never arrived.
enum BouncesCommand {
    static let entry = CommandEntry(
        group: "bounces",
        summary: "Read the bounce mailbox: mark the notices that came back, record delays and OTP mails",
        about: """
            Reads the mailbox of the return path (return_path in the configuration: the envelope sender of notices,
            reminders and OTP mails). Each delivery status notification is matched to the message it returns, by
            the Message-ID it quotes, else, with a VERP return path (bounces+{token}@domain), by the address it came
            back to. A permanent failure puts a sent notice or reminder into the state bounced, with the status and
            the server's words (see 'notifier notices status' and 'notices report'; fix the address, re-import,
            then 'notices requeue --state bounced'). A delay is recorded only. An OTP mail that came back goes into
            the audit trail. Auto-replies and other mail are marked handled and left alone. Every message is handled
            once, whichever process reads it.
            """,
        [CommandEntry(BouncesWatchCommand.self, in: "bounces"), CommandEntry(BouncesIngestCommand.self, in: "bounces")])

    /// The return path option, which the bounce reader needs for VERP.
    static var returnPathOption: [Option<SenderOptions>] {
        SenderOptions.options.filter { $0.flag == "--return-path" }
    }

    /// The line `bounces watch` and `bounces ingest` print for a message: `KEY: decision [vendor] [status]`.
    static func line(key: String, _ handled: BounceHandler.Handled) -> String {
        var words = ["\(key): \(handled.decision.rawValue)"]
        if let vendor = handled.vendor { words.append(vendor.rawValue) }
        if handled.decision != .notBounce && handled.decision != .duplicate, let status = handled.bounce?.status {
            words.append(status)
        }
        if handled.decision == .unmatched, let recipients = handled.bounce?.recipients, !recipients.isEmpty {
            words.append("(" + recipients.prefix(3).joined(separator: ", ") + ")")
        }
        return words.joined(separator: " ").replacingControlCharacters() + "\n"
    }
}

/// `notifier bounces watch (--maildir DIR | --imap URL | --pop3 URL) [--once]`.
struct BouncesWatchCommand: Command {
    static let name = "watch"
    static let summary = "Watch the bounce mailbox (Maildir, IMAP or POP3) and apply each bounce once"
    static let usage = [
        "watch --maildir DIR [--once] [--poll SECONDS] [--return-path ADDR]",
        "watch --imap URL [--imap-user USER] [--once] [--no-idle] [--max-message-size SIZE] [--return-path ADDR]",
        "watch --pop3 URL [--pop3-user USER] [--once] [--poll SECONDS] [--return-path ADDR]",
    ]
    static let about = """
        Handles every message of the bounce mailbox not handled before (remembered in the database), then keeps
        watching until SIGTERM or SIGINT, or stops after one pass with --once. Read-only: mail is never moved,
        flagged or deleted. Prints one line per message: KEY: bounced|otp_bounced|delayed|recorded|unmatched|
        not_bounce|duplicate|oversized, then the vendor code and the status when known.
        """
    static let footer = """
        Exit status: 0 every message handled; 75 some were left for the next pass (the database was busy); 69 the
        IMAP or POP3 server cannot be reached (with --once); 77 the login was refused; 64 bad usage; 78
        configuration. Over POP3 only messages whose header section could be a delivery report are downloaded.
        """
    static var options: [Option<Self>] {
        MailboxOptions.options.lifted(\.mailbox) + BouncesCommand.returnPathOption.lifted(\.sender)
            + TransportOptions.options.filter { ["--ca-file", "--connect-timeout", "--timeout"].contains($0.flag) }
            .lifted(\.transport)
    }

    var mailbox = MailboxOptions()
    var sender = SenderOptions()
    var transport = TransportOptions()

    func validate() throws { try mailbox.validate(command: "bounces watch") }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let database = try context.openDatabase()
        let handler = BounceHandler(
            database: database, returnPath: sender.filled(from: configuration.sender).returnPath)
        let source = try mailbox.source(
            command: "bounces watch", imap: mailbox.imap(filledFrom: configuration), transport: transport,
            configuration: configuration, database: database, context: context)
        let watcher = Watcher(
            source: source, handler: handler, settings: mailbox.watchSettings, stop: StopSignal(),
            diagnostics: .standardError
        ) { handled in
            let output = StandardOutput.shared
            for (key, outcome) in handled { output.write(BouncesCommand.line(key: key, outcome)) }
            output.flush()
        }
        return try watcher.run() == .handled ? .success : .temporaryFailure
    }
}

/// `notifier bounces ingest [FILE|-]`: one message from the mail server's delivery pipe of the bounce address.
struct BouncesIngestCommand: Command {
    static let name = "ingest"
    static let summary = "Handle one message of the bounce address from a mail server's delivery pipe"
    static let usage = ["ingest [FILE|-] [--return-path ADDR]"]
    static let about = """
        Reads one message (standard input by default) and handles it as 'bounces watch' does, for a mail server
        that pipes the return path's mail to notifier (Postfix: an alias "bounces: |/usr/local/bin/notifier
        bounces ingest"). Prints KEY: decision as the watcher does, KEY being the message's digest.
        """
    static let footer = """
        Exit status: 0 handled; 75 not handled (the database is busy or cannot be opened, or anything else went
        wrong): the mail server keeps the message and tries again, so no bounce is lost; 64 bad usage.
        """
    static var options: [Option<Self>] {
        BouncesCommand.returnPathOption.lifted(\.sender) + [.positional("FILE", \.file, parse: Parse.text)]
    }

    var sender = SenderOptions()
    var file: String?

    /// A configuration it cannot read is 75 like any other failure: the mail server keeps the bounce.
    static let handlesConfigurationErrors = true

    func run(_ context: CommandContext) throws -> ExitCode {
        do {
            let bytes = try InputFile.read(file ?? "-")
            let configuration = try context.configuration()
            let handler = BounceHandler(
                database: try context.openDatabase(),
                returnPath: sender.filled(from: configuration.sender).returnPath)
            let key = MessageIdentity.of(bytes, messageID: nil)
            let line: String
            if let handled = try handler.handle([handler.read(RawMessage(source: "ingest", key: key, bytes: bytes))])
                .first ?? nil
            {
                line = BouncesCommand.line(key: key, handled)
            } else {
                line = "\(key): already handled\n"
            }
            StandardOutput.shared.write(line)
            return .success
        } catch {
            // Whatever it was, the mail server still has the message: it keeps it and tries again.
            Diagnostics.standardError.error("\(error.personMessage); the mail server should try again later")
            return .temporaryFailure
        }
    }
}
