/// The envelope of one message: plain addr-specs, as `MAIL FROM:<…>` and `RCPT TO:<…>` carry them.
struct Envelope: Equatable, Sendable {
    var sender: String
    var recipients: [String]
}
