import Foundation
import NotifierCore
import Synchronization

/// Buffered standard output: one write(2) per 64 KiB instead of one per record, which matters when `parse` writes
/// ten thousand lines. Flushed by the entry point before exit and before anything goes to standard error.
final class StandardOutput: Sendable {
    static let shared = StandardOutput(fileDescriptor: STDOUT_FILENO)

    private let fileDescriptor: Int32
    private let buffer: Mutex<[UInt8]>

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        self.buffer = Mutex(buffer)
    }

    func write(_ text: String) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= 1 << 16 { flush(&buffer) }
        }
    }

    func write(bytes: [UInt8]) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 16 { flush(&buffer) }
        }
    }

    func flush() {
        buffer.withLock { flush(&$0) }
    }

    private func flush(_ buffer: inout [UInt8]) {
        // A closed pipe (`| head`) fails the write: nothing more can be said there.
        try? POSIXFile.writeAll(fileDescriptor, buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
