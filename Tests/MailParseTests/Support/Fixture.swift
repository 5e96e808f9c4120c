import Foundation
import Testing

@testable import MailParse

/// Test fixtures: raw `.eml` files and the `expected.jsonl` written beside them.
enum Fixture {
    static var root: URL {
        get throws { try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)) }
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try root.appendingPathComponent(relativePath)))
    }

    /// The expected results of a fixture folder, one JSON object per line, keyed by file name.
    static func expectations(_ folder: String) throws -> [(file: String, fields: [String: Any])] {
        let text = try String(contentsOf: try root.appendingPathComponent("\(folder)/expected.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (try #require(object["file"] as? String), object)
        }
    }

    /// The file names listed in a folder's expected.jsonl (for `@Test(arguments:)`, which needs them up front).
    static func names(_ folder: String) -> [String] {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil),
            let text = try? String(contentsOf: root.appendingPathComponent("\(folder)/expected.jsonl"), encoding: .utf8)
        else { return ["missing \(folder)/expected.jsonl"] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["file"] as? String
        }
    }
}

/// A message assembled in a test from header lines and a body, with LF line ends unless asked otherwise.
func message(_ headers: [String], body: String = "", lineEnd: String = "\n") -> [UInt8] {
    Array((headers.joined(separator: lineEnd) + lineEnd + lineEnd + body).utf8)
}
