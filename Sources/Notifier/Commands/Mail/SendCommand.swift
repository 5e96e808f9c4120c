import Foundation
import NotifierCore

/// `notifier send TEMPLATE --from ADDR --to ADDR [--var ...] (--smtp URL | --outbox DIR)`: composes one message and
/// hands it over, printing the server's reply. Exit 0 sent, 75 try again later, 67 refused for good, 69 no server.
struct SendCommand: Command {
    static let name = "send"
    static let summary = "Compose a message from a template and send it (SMTP or a Maildir outbox)"
    static let usage = ["send TEMPLATE --from ADDR --to ADDR [--var NAME=VALUE]... (--smtp URL | --outbox DIR)"]
    static let about = """
        Composes the message as 'notifier compose' does and hands it to the SMTP server (or writes it into a
        Maildir), then prints the server's reply.
        """
    static let footer = """
        Exit status: 0 sent; 75 temporary failure (4xx, timeout, lost connection: try again later); 67 refused
        for good (5xx); 69 no server to talk to (refused connection, TLS failure, STARTTLS required but not
        offered); 77 login refused; 65 bad data; 64 bad usage; 78 configuration error.
        """
    static var options: [Option<Self>] {
        SenderOptions.options.lifted(\.sender) + MessageOptions.options.lifted(\.message)
            + TransportOptions.options.lifted(\.transport)
    }

    var sender = SenderOptions()
    var message = MessageOptions()
    var transport = TransportOptions()

    func validate() throws { try transport.validate() }

    func run(_ context: CommandContext) throws -> ExitCode {
        let configuration = try context.configuration()
        let composed = try message.compose(sender: sender.filled(from: configuration.sender), command: Self.name)
        let delivery = try transport.filled(from: configuration.transport).transport(context: context)
            .deliver(composed)
        return Self.report(
            delivery,
            line: "\(delivery.outcome.rawValue): \(delivery.reply) (Message-ID <\(composed.message.messageID)>)")
    }

    /// Prints a delivery's line (standard output when sent, else standard error) and gives its exit code.
    static func report(_ delivery: Delivery, line: String) -> ExitCode {
        if delivery.outcome == .sent {
            StandardOutput.shared.write(line + "\n")
        } else {
            Diagnostics.standardError.error(line)
        }
        return ExitCode(for: delivery)
    }
}

extension MessageTransport {
    /// Hands over a composed message, its envelope from its own From and To.
    func deliver(_ composed: Composer.Composed) throws -> Delivery {
        try deliver(
            composed.bytes, sender: composed.message.from.addrSpec, recipients: composed.message.to.map(\.addrSpec))
    }
}
