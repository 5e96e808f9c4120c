import CCrypto
import MailParse

/// What identifies a message across mailboxes: its Message-ID, or for a message without one the SHA-256 of its
/// bytes (so a copy of it is still recognised).
enum MessageIdentity {
    static func of(_ bytes: [UInt8], messageID: String?) -> String {
        if let messageID, !messageID.isEmpty { return messageID }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        guard ok == 1 else { return "size:\(bytes.count)" }
        return "sha256:" + digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
