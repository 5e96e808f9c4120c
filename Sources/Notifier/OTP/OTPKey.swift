import CCrypto
import Foundation

/// The secret that turns a code into what the database keeps: HMAC-SHA-256(key, vendor_code + ":" + code). A copy
/// of the database alone (a backup, a stolen laptop) then tells nothing about a live code, and the vendor code in
/// the message binds a digest to its vendor, so one vendor's row cannot be moved to another.
///
/// The key is 32 random bytes in a file of its own, mode 0600, beside the database unless
/// `$NOTIFIER_OTP_KEY_FILE` names another place (keeping it off the database's backups is the point of that).
struct OTPKey {
    static let size = 32
    /// The file name beside the database.
    static let defaultFileName = "otp.key"

    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// `$NOTIFIER_OTP_KEY_FILE`, else `otp.key` in the database's folder.
    static func path(environment: [String: String], databasePath: String) -> String {
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
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw OTPKeyFileError(path: path, problem: .cannotCreate(String(cString: strerror(errno))))
        }
        defer { unlink(temporary) }
        var written = 0
        var failure: String?
        if fchmod(descriptor, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        while failure == nil && written < key.count {
            let count = key[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
            } else {
                written += count
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure { throw OTPKeyFileError(path: path, problem: .cannotCreate(failure)) }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw OTPKeyFileError(path: path, problem: .cannotCreate(String(cString: strerror(errno))))
        }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// HMAC-SHA-256 of `vendor_code:code` under this key: 32 bytes.
    func digest(vendorCode: String, code: String) throws -> [UInt8] {
        let message = Array("\(vendorCode):\(code)".utf8)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let done = bytes.withUnsafeBytes { key in
            message.withUnsafeBytes { data in
                HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                     data.count, &output, &length)
            }
        }
        // HMAC fails only when libcrypto cannot allocate: an error, never a made-up digest that might match.
        guard done != nil, length == 32 else { throw OTPCryptoError() }
        return Array(output.prefix(32))
    }

    /// Whether two digests are equal, in time that does not depend on where they differ (CRYPTO_memcmp), so the
    /// answer's timing says nothing about how close a guess came.
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 } }
    }
}
