import Foundation
import MailParse
import Synchronization
import Testing

@testable import NotifierCore

/// A temporary database with vendors, an outbox, and a clock the test moves: what every OTP test starts from.
/// Codes are learned the way a vendor learns them: from the mail in the outbox, read with `NoticeReader`.
final class OTPFixture: Sendable {
    let folder: URL
    let clock = ManualClock()
    var databasePath: String { folder.appendingPathComponent("db/notifier.sqlite3").path }
    var keyPath: String { folder.appendingPathComponent("db/otp.key").path }
    var outbox: URL { folder.appendingPathComponent("outbox") }
    static let from = "JKK東京 電子入札システム <nyusatsu@to-kousya.example>"
    /// Vendors every fixture has: code and address.
    static let vendors = [("5184962", "aoba@example.test"), ("5184963", "midori@example.test")]
    static let vendor = vendors[0].0

    init() throws {
        folder = try CLI.temporaryDirectory()
        let database = try Database(path: databasePath)
        try database.migrate(Schema.migrations)
        let records = Self.vendors.enumerated().map { index, vendor in
            VendorRecord(
                code: VendorCode(stringLiteral: vendor.0), name: "株式会社テスト\(index)", email: vendor.1,
                kind: .construction, notifyAfter: nil)
        }
        _ = try VendorStore(database: database).importVendors(records, now: clock.now)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A service on the fixture's database, key file and clock (a new connection each time, as each command has).
    func service(policy: OTPPolicy = .standard) throws -> OTPService {
        OTPService(database: try Database(path: databasePath), keyFile: keyPath, policy: policy) { [clock] in clock.now
        }
    }

    /// Issues a code the way `notifier otp issue --outbox` does, and returns the code read back from the mail.
    @discardableResult
    func issue(_ vendor: String = OTPFixture.vendor, service: OTPService? = nil) throws -> String {
        let service = try service ?? self.service()
        let outbox = try MaildirOutbox(path: outbox.path)
        var written: String?
        _ = try service.issue(vendorCode: VendorCode(stringLiteral: vendor)) { mail in
            let handover = try Self.mail(mail, through: outbox)
            written = handover.delivery.reply.replacingOccurrences(of: "written to ", with: "")
            return handover
        }
        let path = try #require(written)
        return try #require(try Self.code(inMessageAt: URL(fileURLWithPath: path)))
    }

    /// Composes the OTP notice for `mail` and hands it to `transport`, as the issue command does.
    static func mail(_ mail: OTPService.Mail, through transport: MessageTransport) throws -> OTPService.Handover {
        let mailer = OTPMailer(
            sender: try #require(Validation.mailbox(from)),
            composer: Composer(store: TemplateStore(directory: nil), messageIDDomain: nil),
            charset: .utf8, transport: transport)
        return try mailer.send(mail)
    }

    /// The code in an OTP notice, as the vendor's side reads it.
    static func code(inMessageAt url: URL) throws -> String? {
        let notice = NoticeReader.read([UInt8](try Data(contentsOf: url)))
        return notice.kind == .otp ? notice.otp : nil
    }

    /// Every message in the outbox's new/.
    func outboxMessages() throws -> [URL] {
        let folder = outbox.appendingPathComponent("new")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Runs notifier on the fixture's database.
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(["--db", databasePath] + arguments, stdin: stdin.map { Data($0.utf8) }, environment: environment)
    }

    /// `notifier otp issue` into the fixture's outbox.
    func runIssue(_ vendor: String = OTPFixture.vendor, environment: [String: String] = [:]) throws -> CLI.Result {
        try run(
            ["otp", "issue", "--vendor", vendor, "--from", Self.from, "--outbox", outbox.path], environment: environment
        )
    }

    /// `notifier otp verify`, the code on standard input as the portal passes it.
    func runVerify(_ code: String, vendor: String = OTPFixture.vendor) throws -> CLI.Result {
        try run(["otp", "verify", "--vendor", vendor], stdin: code + "\n")
    }

    /// The audit rows, oldest first: (vendor_code, event, detail).
    func audit() throws -> [(vendor: String?, event: String, detail: String)] {
        try Database(path: databasePath).rows("SELECT vendor_code, event, detail FROM audit ORDER BY id").map {
            ($0.text(0), $0.text(1) ?? "", $0.text(2) ?? "")
        }
    }

    func events(_ vendor: String = OTPFixture.vendor) throws -> [String] {
        try audit().filter { $0.vendor == vendor }.map(\.event)
    }

    /// How many rows `otps` has for the vendor.
    func storedCodes(_ vendor: String = OTPFixture.vendor) throws -> Int {
        Int(
            try Database(path: databasePath).row("SELECT count(*) FROM otps WHERE vendor_code = ?", [.text(vendor)])?
                .int(0) ?? -1)
    }
}

/// A clock the test moves by hand, starting on a whole second.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A transport that answers every message with one outcome and keeps nothing: a mail server that refuses.
final class RefusingTransport: MessageTransport {
    let delivery: Delivery
    private(set) var messages = 0

    init(_ delivery: Delivery) { self.delivery = delivery }

    func deliver(_ message: [UInt8], sender: String, recipients: [String]) throws -> Delivery {
        messages += 1
        return delivery
    }
}
