/// The envelope of one message: plain addr-specs, as `MAIL FROM:<…>` and `RCPT TO:<…>` carry them.
package struct Envelope: Equatable, Sendable {
    package var sender: String
    var recipients: [String]
}
