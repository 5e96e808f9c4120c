import MailParse

/// base64url without padding (RFC 4648 §5): URL-safe tokens.
enum EncodedBase64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        let url = EncodedWordWriter.base64Bytes(bytes).compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): return UInt8(ascii: "-")
            case UInt8(ascii: "/"): return UInt8(ascii: "_")
            case UInt8(ascii: "="): return nil
            default: return byte
            }
        }
        return String(decoding: url, as: UTF8.self)
    }
}
