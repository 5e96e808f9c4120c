import Foundation
import Testing

@testable import MailParse

/// Every input the fuzzer ever found a crash or hang with (`fuzz/regressions`) still parses.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../fuzz/regressions").standardized

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0 != "README.md" }.sorted()
    }

    @Test func folderExists() {
        #expect(FileManager.default.fileExists(atPath: Self.folder.appendingPathComponent("README.md").path))
    }

    @Test("regression input parses", arguments: files)
    func parses(file: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        let notice = NoticeReader.read(bytes)
        #expect(notice.kind == .other || notice.kind == .updateNotice || notice.kind == .otp)
    }
}
