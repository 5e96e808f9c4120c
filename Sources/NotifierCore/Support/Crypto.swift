import CCrypto

/// The keyed hash and digests notifier needs, from OpenSSL's libcrypto: the only file that touches CCrypto.
enum Crypto {
    /// HMAC-SHA-256 of `message` under `key`: 32 bytes, or nil when libcrypto cannot compute it (it fails only when
    /// it cannot allocate: the caller refuses, never makes up a digest that might match).
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let done = key.withUnsafeBytes { key in
            message.withUnsafeBytes { data in
                HMAC(
                    EVP_sha256(), key.baseAddress, Int32(key.count),
                    data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    data.count, &output, &length)
            }
        }
        guard done != nil, length == 32 else { return nil }
        return Array(output.prefix(32))
    }

    /// SHA-256 of `bytes`, or nil when libcrypto fails.
    static func sha256(_ bytes: [UInt8]) -> [UInt8]? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let done = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        guard done == 1 else { return nil }
        return Array(digest.prefix(Int(length)))
    }

    /// Whether two byte strings are equal, in time that does not depend on where they differ (CRYPTO_memcmp).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }
}
