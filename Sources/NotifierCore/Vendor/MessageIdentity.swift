import MailParse

/// What identifies a message across mailboxes: its Message-ID, or for a message without one the SHA-256 of its
/// bytes (so a copy of it is still recognised).
package enum MessageIdentity {
    package static func of(_ bytes: [UInt8], messageID: String?) -> String {
        if let messageID, !messageID.isEmpty { return messageID }
        guard let digest = Crypto.sha256(bytes) else { return "size:\(bytes.count)" }
        return "sha256:"
            + digest.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }
}
