import Foundation
import Synchronization
import Testing

@testable import NotifierCore

/// The key file: made on first use with mode 0600, refused when others can read it or when it is damaged.
@Suite("OTP key file")
struct OTPKeyTests {
    let fixture: OTPFixture
    init() throws { fixture = try OTPFixture() }

    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func madeOnFirstUseWithMode0600AndKept() throws {
        #expect(!FileManager.default.fileExists(atPath: fixture.keyPath))
        let key = try OTPKey.load(path: fixture.keyPath)
        #expect(key.bytes.count == 32)
        #expect(Set(key.bytes).count > 8, "random bytes")
        #expect(try mode(fixture.keyPath) == 0o600)
        #expect(try OTPKey.load(path: fixture.keyPath).bytes == key.bytes)
        // Nothing is left beside it (the temporary file it was written to is gone).
        let folder = (fixture.keyPath as NSString).deletingLastPathComponent
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("otp.key") } == [
                "otp.key"
            ])
    }

    @Test func madeOnceWhenManyAskAtOnce() throws {
        let path = fixture.keyPath
        let keys = KeyList()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if let key = try? OTPKey.load(path: path) { keys.append(key.bytes) }
        }
        #expect(keys.values.count == 16)
        #expect(Set(keys.values).count == 1)
    }

    @Test func theCLIMakesItBesideTheDatabaseOrWhereTheEnvironmentSays() throws {
        #expect(try fixture.runIssue().status == 0)
        #expect(try mode(fixture.keyPath) == 0o600)
        let elsewhere = fixture.folder.appendingPathComponent("keys/otp-key").path
        try FileManager.default.createDirectory(
            atPath: (elsewhere as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let other = OTPFixture.vendors[1].0
        let before = try fixture.outboxMessages()
        let result = try fixture.runIssue(other, environment: ["NOTIFIER_OTP_KEY_FILE": elsewhere])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try mode(elsewhere) == 0o600)
        let mail = try #require(try fixture.outboxMessages().first { !before.contains($0) })
        let code = try #require(try OTPFixture.code(inMessageAt: mail))
        // A code made under one key is checked under that key only.
        let beside = try fixture.run(["otp", "verify", "--vendor", other], stdin: code)
        #expect(beside.status == 1)
        let verify = try fixture.run(
            ["otp", "verify", "--vendor", other], stdin: code, environment: ["NOTIFIER_OTP_KEY_FILE": elsewhere])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(
            OTPKey.path(environment: [:], databasePath: "/var/lib/notifier/n.sqlite3") == "/var/lib/notifier/otp.key")
        #expect(OTPKey.path(environment: [:], databasePath: "n.sqlite3") == "otp.key")
    }

    @Test("a key others can read is refused", arguments: [0o644, 0o640, 0o604, 0o660])
    func tooOpen(mode: Int) throws {
        _ = try OTPKey.load(path: fixture.keyPath)
        #expect(chmod(fixture.keyPath, mode_t(mode)) == 0)
        #expect(throws: OTPKeyFileError(path: fixture.keyPath, problem: .tooOpen(mode: mode))) {
            try OTPKey.load(path: fixture.keyPath)
        }
        let result = try fixture.runIssue()
        #expect(result.status == 78)
        #expect(result.stderr.contains("chmod 600 \(fixture.keyPath)"), "\(result.stderr)")
        #expect(try fixture.outboxMessages().isEmpty, "no mail before the key is safe")
        #expect(try fixture.run(["otp", "verify", "--vendor", OTPFixture.vendor], stdin: "ABCDEFGH").status == 78)
        // Unlocking does not need the key.
        #expect(try fixture.run(["otp", "unlock", "--vendor", OTPFixture.vendor]).status == 0)
    }

    @Test func aDamagedKeyIsRefused() throws {
        try Data(repeating: 1, count: 31).write(to: URL(fileURLWithPath: fixture.keyPath))
        #expect(chmod(fixture.keyPath, 0o600) == 0)
        #expect(throws: OTPKeyFileError(path: fixture.keyPath, problem: .wrongSize(31))) {
            try OTPKey.load(path: fixture.keyPath)
        }
        let result = try fixture.runIssue()
        #expect(result.status == 78)
        #expect(result.stderr.contains("damaged"))
    }
}

/// Keys read from several threads.
final class KeyList: Sendable {
    private let stored = Mutex<[[UInt8]]>([])
    var values: [[UInt8]] { stored.withLock { $0 } }
    func append(_ key: [UInt8]) { stored.withLock { $0.append(key) } }
}
