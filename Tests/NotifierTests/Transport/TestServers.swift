import Foundation
import Testing

/// The mail servers `make test` starts for the run (Tests/Servers/with-servers.sh exports their settings). A
/// missing setting is a failure, never a skip: run the tests with `make test`.
enum TestServers {
    static func value(_ key: String) throws -> String {
        let value = ProcessInfo.processInfo.environment[key]
        try #require(value != nil, "\(key) is not set: run the tests with `make test`, which starts the mail servers")
        return value ?? ""
    }

    static func port(_ key: String) throws -> Int {
        try #require(Int(try value(key)), "\(key) is not a port")
    }

    /// The messages Postfix delivered whose text contains `needle` (a Message-ID), waiting up to 10 s.
    static func delivered(containing needle: String) throws -> [[UInt8]] {
        let folder = URL(fileURLWithPath: try value("SMTP_MAILDIR")).appendingPathComponent("new")
        for _ in 0..<100 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let found = files.compactMap { try? [UInt8](Data(contentsOf: folder.appendingPathComponent($0))) }
                .filter { String(decoding: $0, as: UTF8.self).contains(needle) }
            if !found.isEmpty { return found }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return []
    }

    /// The faulty server's log for a mode: one line per command.
    static func faultyLog(_ mode: String) throws -> [String] {
        let path = URL(fileURLWithPath: try value("FAULTY_LOG_DIR")).appendingPathComponent("faulty-\(mode).log")
        return (try? String(contentsOf: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }
}
