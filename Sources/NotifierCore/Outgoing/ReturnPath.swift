/// The envelope sender of the issuer's notices, reminders and OTP mails (configuration key `return_path`): the
/// address bounces go to, whose mailbox `notifier bounces watch` reads.
///
/// With `{token}` in the local part (`bounces+{token}@to-kousya.example`) each message gets its own address (VERP):
/// the placeholder is filled with the local part of the message's Message-ID, so a bounce that quotes nothing of
/// the message still names it in the address it comes back to. The Message-ID, not the personal URL's token: the
/// envelope sender is written into every relay's log and the bounce's headers, and the URL's token is a credential.
/// A requeued notice gets a new Message-ID, so a late bounce of the old message cannot mark the new one.
package struct ReturnPath: Equatable, Sendable, CustomStringConvertible {
    /// The local part before `{token}`, after it, and the domain; without a placeholder `suffix` is nil.
    let prefix: String
    let suffix: String?
    let domain: String

    package static let placeholder = "{token}"

    /// Parses `local@domain` or `local{token}local@domain`: nil when it is not an address once filled, or holds the
    /// placeholder more than once or outside the local part.
    package init?(_ text: String) {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let local = String(text[..<at])
        let domain = String(text[text.index(after: at)...])
        guard !domain.contains(Self.placeholder) else { return nil }
        let pieces = local.components(separatedBy: Self.placeholder)
        switch pieces.count {
        case 1: (prefix, suffix) = (local, nil)
        case 2: (prefix, suffix) = (pieces[0], pieces[1])
        default: return nil
        }
        self.domain = domain
        // Filled with a Message-ID's longest local part, the address must still be one (and fit 64 characters).
        let longest = prefix + String(repeating: "a", count: suffix == nil ? 0 : Self.longestTag) + (suffix ?? "")
        guard longest.utf8.count <= 64, Validation.isAddrSpec("\(longest)@\(domain)"),
            Validation.isAddrSpec("\(prefix)x\(suffix ?? "")@\(domain)")
        else { return nil }
    }

    /// The length of the longest tag filled in: the local part of a reminder's Message-ID
    /// (`reminder.2027.1234567.` and 22 random characters; a notice's is two shorter, an OTP mail's shorter still).
    static let longestTag = 44

    /// Whether each message gets its own address.
    package var isVariable: Bool { suffix != nil }

    /// The envelope sender for the message whose Message-ID is `messageID` (without angle brackets).
    package func address(forMessageID messageID: String) -> String {
        guard let suffix else { return "\(prefix)@\(domain)" }
        let tag = messageID.split(separator: "@", maxSplits: 1).first.map(String.init) ?? messageID
        return "\(prefix)\(tag)\(suffix)@\(domain)"
    }

    /// The tag a bounce's address carries: what fills `{token}` in `address`, when `address` has this return path's
    /// shape (its local part compared without regard to case: some systems lower-case what they return to); nil
    /// when it does not, or when there is no placeholder.
    package func tag(in address: String) -> String? {
        guard let suffix, let at = address.lastIndex(of: "@") else { return nil }
        let local = address[..<at]
        guard address[address.index(after: at)...].lowercased() == domain.lowercased(),
            local.count > prefix.count + suffix.count,
            local.lowercased().hasPrefix(prefix.lowercased()), local.lowercased().hasSuffix(suffix.lowercased())
        else { return nil }
        return String(local.dropFirst(prefix.count).dropLast(suffix.count))
    }

    package var description: String { "\(prefix)\(suffix.map { Self.placeholder + $0 } ?? "")@\(domain)" }
}
