import Foundation

/// Buffered standard output: one write(2) per 64 KiB instead of one per record, which matters when `parse` writes
/// ten thousand lines. Flushed by the entry point before exit and before anything goes to standard error.
final class StandardOutput: @unchecked Sendable {
    static let shared = StandardOutput(fileDescriptor: STDOUT_FILENO)

    private let fileDescriptor: Int32
    private var buffer: [UInt8] = []
    private let lock = NSLock()

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flushLocked() }
    }

    func write(bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flushLocked() }
    }

    func flush() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
    }

    private func flushLocked() {
        // A closed pipe (`| head`) fails the write: nothing more can be said there.
        try? POSIXFile.writeAll(fileDescriptor, buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
