import Foundation
import NotifierCore

/// `notifier compose TEMPLATE --from ADDR --to ADDR [--var NAME=VALUE]... [--charset utf-8|iso-2022-jp]`: writes
/// the message to standard output, exactly as `send` would hand it to the server (CRLF line ends).
struct ComposeCommand: Command {
    static let name = "compose"
    static let summary = "Write a message from a template to standard output"
    static let usage = ["compose TEMPLATE --from ADDR --to ADDR [--var NAME=VALUE]... [--charset utf-8|iso-2022-jp]"]
    static let about = """
        Fills TEMPLATE (update_notice, reminder, otp_notice, otp_relay, resend_url, notice_missing, otp_missing)
        and writes the finished message, with Date, Message-ID and MIME headers, to standard output. Every variable the template uses must be given, and
        every one given must be used. A value with a line break is refused (exit 65).
        """
    static var options: [Option<Self>] {
        SenderOptions.options.lifted(\.sender) + MessageOptions.options.lifted(\.message)
    }

    var sender = SenderOptions()
    var message = MessageOptions()

    func run(_ context: CommandContext) throws -> ExitCode {
        let sender = self.sender.filled(from: try context.configuration().sender)
        StandardOutput.shared.write(bytes: try message.compose(sender: sender, command: Self.name).bytes)
        return .success
    }
}
