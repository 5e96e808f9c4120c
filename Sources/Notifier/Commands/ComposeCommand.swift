import Foundation

/// `notifier compose TEMPLATE --from ADDR --to ADDR [--var NAME=VALUE]... [--charset utf-8|iso-2022-jp]`: writes
/// the message to standard output, exactly as `send` would hand it to the server (CRLF line ends).
struct ComposeCommand: Command {
    static let name = "compose"
    static let summary = "Write a message from a template to standard output"
    static let help = """
        Usage: notifier compose TEMPLATE --from ADDR --to ADDR [--var NAME=VALUE]... [--charset utf-8|iso-2022-jp]

        Fills TEMPLATE (update_notice, otp_notice, otp_relay, resend_url) and writes the finished message, with
        Date, Message-ID and MIME headers, to standard output. Every variable the template uses must be given, and
        every one given must be used. A value with a line break is refused (exit 65).

        Options:
        \(MessageOptions.help)
        """

    var options = MessageOptions()
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        while let word = arguments.next() {
            guard try options.take(word, from: &arguments) else {
                throw UsageError("compose: unexpected '\(word.text)'")
            }
        }
        guard options.template != nil else { throw UsageError("compose: no TEMPLATE given") }
    }

    func run() throws -> ExitCode {
        let composed = try options.compose(configuration: try context.configuration(), command: Self.name)
        StandardOutput.shared.write(bytes: composed.bytes)
        return .success
    }
}
