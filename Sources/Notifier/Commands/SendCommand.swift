import Foundation

/// `notifier send TEMPLATE --from ADDR --to ADDR [--var ...] (--smtp URL | --outbox DIR)`: composes one message and
/// hands it over, printing the server's reply. Exit 0 sent, 75 try again later, 67 refused for good, 69 no server.
struct SendCommand: Command {
    static let name = "send"
    static let summary = "Compose a message from a template and send it (SMTP or a Maildir outbox)"
    static let help = """
        Usage: notifier send TEMPLATE --from ADDR --to ADDR [--var NAME=VALUE]... (--smtp URL | --outbox DIR)

        Composes the message as 'notifier compose' does and hands it to the SMTP server (or writes it into a
        Maildir), then prints the server's reply.

        Options:
        \(MessageOptions.help)
        \(TransportOptions.help)

        Exit status: 0 sent; 75 temporary failure (4xx, timeout, lost connection: try again later); 67 refused
        for good (5xx); 69 no server to talk to (refused connection, TLS failure, STARTTLS required but not
        offered); 77 login refused; 65 bad data; 64 bad usage; 78 configuration error.
        """

    var options = MessageOptions()
    var transport = TransportOptions()
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        while let word = arguments.next() {
            if try options.take(word, from: &arguments) { continue }
            if try transport.take(word, from: &arguments) { continue }
            throw UsageError("send: unexpected '\(word.text)'")
        }
        guard options.template != nil else { throw UsageError("send: no TEMPLATE given") }
        try transport.validate()
    }

    func run() throws -> ExitCode {
        let configuration = try context.configuration()
        let composed = try options.compose(configuration: configuration, command: Self.name)
        let sink = try transport.transport(configuration: configuration, context: context)
        let delivery = try sink.deliver(
            composed.bytes, sender: composed.message.from.addrSpec, recipients: composed.message.to.map(\.addrSpec))
        let line = "\(delivery.outcome.rawValue): \(delivery.reply) (Message-ID <\(composed.message.messageID)>)\n"
        if delivery.outcome == .sent {
            StandardOutput.shared.write(line)
        } else {
            StandardOutput.shared.flush()
            FileHandle.standardError.write(Data("notifier: \(line)".utf8))
        }
        return ExitCode(for: delivery)
    }
}
