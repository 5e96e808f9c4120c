/// What EXAMINE says about a mailbox (RFC 3501 §6.3.2): the UIDVALIDITY its UIDs belong to, the UID the next message
/// will get, and how many messages it holds.
struct MailboxStatus: Equatable, Sendable {
    let uidValidity: UInt32
    let uidNext: UInt32
    let exists: Int
}
