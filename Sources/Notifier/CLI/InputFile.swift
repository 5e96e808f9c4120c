import Foundation
import NotifierCore

/// Reads a whole input file (or standard input for "-") as bytes.
enum InputFile {
    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw InputError(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG || (status.st_mode & S_IFMT) == S_IFIFO else {
            throw InputError(path: path, reason: "not a regular file")
        }
        var bytes: [UInt8] = []
        var capacity = max(Int(status.st_size), 4096)
        while true {
            bytes.reserveCapacity(capacity)
            let start = bytes.count
            let want = capacity - start
            var got = 0
            bytes.append(contentsOf: repeatElement(0, count: want))
            got = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + start, want) }
            if got < 0 {
                if errno == EINTR {
                    bytes.removeLast(want)
                    continue
                }
                throw InputError(path: path, reason: String(cString: strerror(errno)))
            }
            bytes.removeLast(want - got)
            if got == 0 { return bytes }
            if bytes.count == capacity { capacity *= 2 }
        }
    }
}
