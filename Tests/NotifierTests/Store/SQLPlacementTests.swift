import Foundation
import Testing

/// SQL lives in `Store/` and the `*Store` files, and only `Store/` talks to SQLite's C API: a table's layout is then
/// read in one place per table.
@Suite("SQL only in the stores")
struct SQLPlacementTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../Sources").standardized

    /// Every Swift file of the Notifier targets (the executable, and the core library once there is one) outside a
    /// `Store/` folder that is not a `*Store.swift`, with its text.
    static func filesOutsideTheStores() throws -> [(path: String, text: String)] {
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter {
            $0.hasPrefix("Notifier")
        }
        return try targets.flatMap { target in
            let enumerator = try #require(
                FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path))
            return enumerator.compactMap { $0 as? String }.map { "\(target)/\($0)" }
        }
        .filter { $0.hasSuffix(".swift") && !$0.contains("/Store/") && !$0.hasSuffix("Store.swift") }
        .map { ($0, try String(contentsOf: sources.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test func noSQLStatementOutsideTheStores() throws {
        let statement = try Regex(#""\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|COMMIT|ROLLBACK)\b"#)
        let files = try Self.filesOutsideTheStores()
        #expect(files.count > 50)
        for (path, text) in files {
            #expect(!text.contains(statement), "\(path) holds SQL")
            #expect(!text.contains("import CSQLite") && !text.contains("sqlite3_"), "\(path) calls SQLite")
        }
    }
}
