import Glibc

/// The few POSIX file steps notifier takes for files that must never be seen half-written (the OTP key, Maildir
/// messages): write everything, create a private file whole and synced, sync a folder after a rename or link. One
/// place for the EINTR loops and the error text.
package enum POSIXFile {
    /// A failed step, with `strerror`'s words.
    package struct Failure: Error, Equatable {
        package let reason: String
        init(errno code: Int32 = errno) { reason = String(cString: strerror(code)) }
    }

    /// Writes all of `bytes` to `descriptor`, through short writes and EINTR.
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure()
            }
            offset += written
        }
    }

    /// Creates `path` (which must not exist) with mode 0600 from its first byte, whatever the umask, writes `bytes`,
    /// and syncs it; on any failure the file is removed.
    static func createSynced(_ path: String, _ bytes: [UInt8]) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure() }
        do throws(Failure) {
            if fchmod(descriptor, 0o600) != 0 { throw Failure() }
            try writeAll(descriptor, bytes)
            if fsync(descriptor) != 0 { throw Failure() }
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        if close(descriptor) != 0 {
            let failure = Failure()
            unlink(path)
            throw failure
        }
    }

    /// Syncs a folder, so that a rename or link in it survives a crash. Best effort: a folder that cannot be opened
    /// read-only (some file systems) is left as it is.
    static func syncFolder(_ folder: String) {
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        fsync(directory)
        close(directory)
    }
}
