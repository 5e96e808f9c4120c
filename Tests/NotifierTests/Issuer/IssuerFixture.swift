import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// A temporary database with vendors, and helpers to run the issuer's commands on it.
struct IssuerFixture {
    let folder: URL
    var database: String { folder.appendingPathComponent("notifier.sqlite3").path }
    var outbox: URL { folder.appendingPathComponent("outbox") }
    static let from = "JKK東京 電子入札システム <nyusatsu@to-kousya.example>"
    static let urlBase = "https://bid.to-kousya.example/cert/download"

    init() throws { folder = try CLI.temporaryDirectory() }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Writes a vendors CSV and imports it.
    func importVendors(_ rows: [String]) throws -> CLI.Result {
        let file = folder.appendingPathComponent("vendors-\(UUID().uuidString.prefix(6)).csv")
        try (["vendor_code,name,email,kind,notify_after"] + rows).joined(separator: "\n").write(
            to: file, atomically: true, encoding: .utf8)
        return try run(["vendors", "import", file.path])
    }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> CLI.Result {
        try CLI.run(["--db", database] + arguments, stdin: stdin)
    }

    func send(_ extra: [String]) throws -> CLI.Result {
        try run(["notices", "send", "--force", "--download-url-base", Self.urlBase, "--from", Self.from] + extra)
    }

    /// Every message in a Maildir's new/, parsed.
    static func messages(in maildir: URL) throws -> [(notice: Notice, messageID: String)] {
        let folder = maildir.appendingPathComponent("new")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).map { name in
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            let notice = NoticeReader.read(bytes)
            return (notice, notice.messageID ?? "")
        }
    }

    static func vendorRows(_ count: Int, email: (Int) -> String = { "v\($0)@example.test" }) -> [String] {
        (0..<count).map { index in
            "\(String(format: "%07d", 1_000_000 + index)),株式会社テスト\(index),\(email(index)),construction,"
        }
    }
}
