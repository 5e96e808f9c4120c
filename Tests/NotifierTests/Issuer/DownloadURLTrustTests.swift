import Foundation
import Testing

@testable import NotifierCore

/// `notices send` refuses a download URL base whose host the vendors' watchers would not trust (exit 78), naming
/// the host and the trusted hosts; nothing is sent or stored then.
@Suite("notices send: the download URL base must be on a trusted host")
struct DownloadURLTrustTests {
    let fixture: IssuerFixture
    init() throws { fixture = try IssuerFixture() }

    func send(base: String, config: String? = nil) throws -> CLI.Result {
        _ = try fixture.importVendors(IssuerFixture.vendorRows(2))
        var arguments = ["--db", fixture.database]
        if let config {
            let file = fixture.folder.appendingPathComponent("config")
            try config.write(to: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file.path]
        }
        return try CLI.run(
            arguments + [
                "notices", "send", "--force", "--download-url-base", base, "--from", IssuerFixture.from, "--outbox",
                fixture.outbox.path,
            ])
    }

    func nothingWasSent() throws {
        let database = try Database(path: fixture.database)
        #expect(try database.row("SELECT count(*) FROM notices")?.int(0) == 0)
        let sent =
            (try? FileManager.default.contentsOfDirectory(atPath: fixture.outbox.appendingPathComponent("new").path))
            ?? []
        #expect(sent.isEmpty)
    }

    @Test func withoutTrustHostTheBuiltInHostIsTheOneTrusted() throws {
        defer { fixture.remove() }
        let result = try send(base: "https://portal.example.jp/cert/download")
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("its host portal.example.jp is not a trusted host"), "\(result.stderr)")
        #expect(result.stderr.contains("(trusted: bid.to-kousya.example; built in; no trust_host is configured)"))
        #expect(result.stderr.contains("each vendor's watcher would refuse the notices"))
        try nothingWasSent()
    }

    @Test func withTrustHostThoseHostsAreTrustedAndNoOther() throws {
        defer { fixture.remove() }
        let config = "trust_host = portal.example.jp\ntrust_host = dl.example.jp\n"
        let refused = try send(base: IssuerFixture.urlBase, config: config)
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("its host bid.to-kousya.example is not a trusted host"), "\(refused.stderr)")
        #expect(refused.stderr.contains("(trusted: portal.example.jp, dl.example.jp; trust_host in the configuration)"))
        try nothingWasSent()
        // A host of the list, in any case, is accepted: the notices go out.
        let sent = try send(base: "https://DL.example.jp/cert/download", config: config)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(try IssuerFixture.messages(in: fixture.outbox).count == 2)
    }

    @Test(
        "a base whose authority is not a plain host is no trusted host, even on the trusted host's name",
        arguments: [
            "https://bid.to-kousya.example:8443/cert/download", "https://nyusatsu@bid.to-kousya.example/cert",
            "https://bid.to-kousya.example./cert", "https://bid.to-kousya.example.evil.example/cert",
            "https://bid%2Eto-kousya.example/cert",
        ])
    func notAPlainHost(base: String) throws {
        defer { fixture.remove() }
        let result = try send(base: base)
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("the download URL base \(base) would make every notice untrusted"))
        #expect(result.stderr.contains("bid.to-kousya.example; built in"))
        try nothingWasSent()
    }

    @Test func theBuiltInHostAndPort443AreAccepted() throws {
        defer { fixture.remove() }
        let result = try send(base: "https://bid.to-kousya.example:443/cert/download")
        #expect(result.status == 0, "\(result.stderr)")
        // The URL the vendor gets is one its watcher trusts.
        let notices = try IssuerFixture.messages(in: fixture.outbox)
        #expect(notices.count == 2 && notices.allSatisfy { $0.notice.url != nil && $0.notice.trusted }, "\(notices)")
    }
}
