import Foundation

/// The secret that turns a code into what the database keeps: HMAC-SHA-256(key, vendor_code + ":" + code). A copy
/// of the database alone (a backup, a stolen laptop) then tells nothing about a live code, and the vendor code in
/// the message binds a digest to its vendor, so one vendor's row cannot be moved to another.
///
/// The key is 32 random bytes in a file of its own, mode 0600, beside the database unless
/// `$NOTIFIER_OTP_KEY_FILE` names another place (keeping it off the database's backups is the point of that).
package struct OTPKey {
    static let size = 32
    /// The file name beside the database.
    static let defaultFileName = "otp.key"

    package let bytes: [UInt8]

    /// `$NOTIFIER_OTP_KEY_FILE`, else `otp.key` in the database's folder.
    package static func path(environment: [String: String], databasePath: String) -> String {
        if let path = environment["NOTIFIER_OTP_KEY_FILE"], !path.isEmpty { return path }
        let folder = (databasePath as NSString).deletingLastPathComponent
        return folder.isEmpty ? defaultFileName : folder + "/" + defaultFileName
    }

    /// Reads the key at `path`, creating it on first use. A key others could read is refused rather than used:
    /// whoever reads it can test guesses against a copy of the database without ever meeting the lock.
    static func load(path: String) throws -> OTPKey {
        if let key = try read(path: path) { return key }
        try create(path: path)
        guard let key = try read(path: path) else {
            throw OTPKeyFileError(path: path, problem: .unreadable("it vanished right after it was created"))
        }
        return key
    }

    /// The key at `path`, or nil when there is no file.
    private static func read(path: String) throws -> OTPKey? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw OTPKeyFileError(path: path, problem: .unreadable(String(cString: strerror(errno))))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw OTPKeyFileError(path: path, problem: .unreadable(String(cString: strerror(errno))))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw OTPKeyFileError(path: path, problem: .notAFile) }
        guard status.st_mode & 0o077 == 0 else {
            throw OTPKeyFileError(path: path, problem: .tooOpen(mode: Int(status.st_mode & 0o777)))
        }
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes[count...].withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw OTPKeyFileError(path: path, problem: .unreadable(String(cString: strerror(errno))))
            }
            if got == 0 { break }
            count += got
        }
        guard count == size else { throw OTPKeyFileError(path: path, problem: .wrongSize(count)) }
        return OTPKey(bytes: Array(bytes.prefix(size)))
    }

    /// Writes a new random key: into a private temporary file first (O_CREAT|O_EXCL, mode 0600 from its first
    /// byte), synced, then hard-linked to `path`. link(2) fails when `path` exists, so of two notifiers creating
    /// the key at once exactly one wins and the other reads the winner's key; nobody ever reads half a key.
    private static func create(path: String) throws {
        var generator = SystemRandomNumberGenerator()
        var key: [UInt8] = []
        while key.count < size { key += withUnsafeBytes(of: generator.next(), Array.init) }
        let temporary = "\(path).new-\(getpid())-\(UInt32.random(in: .min ... .max))"
        do {
            try POSIXFile.createSynced(temporary, key)
        } catch {
            throw OTPKeyFileError(path: path, problem: .cannotCreate(error.reason))
        }
        defer { unlink(temporary) }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw OTPKeyFileError(path: path, problem: .cannotCreate(String(cString: strerror(errno))))
        }
        POSIXFile.syncFolder((path as NSString).deletingLastPathComponent)
    }

    /// HMAC-SHA-256 of `vendor_code:code` under this key: 32 bytes.
    func digest(vendorCode: VendorCode, code: String) throws -> [UInt8] {
        guard let digest = Crypto.hmacSHA256(key: bytes, message: Array("\(vendorCode.rawValue):\(code)".utf8)) else {
            throw OTPCryptoError()
        }
        return digest
    }

    /// Whether two digests are equal, in time that does not depend on where they differ, so the answer's timing
    /// says nothing about how close a guess came.
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        Crypto.constantTimeEqual(a, b)
    }
}
