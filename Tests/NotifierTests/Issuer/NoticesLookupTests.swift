import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// `notices lookup`: the download portal asks whose personal URL a token is.
@Suite("notices lookup")
struct NoticesLookupTests {
    @Test func eachTokenNamesItsVendorYearAndStateEvenWhileAnotherProcessWrites() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(3))
        let sent = try fixture.send(["--outbox", fixture.outbox.path, "--fiscal-year", "2027"])
        #expect(sent.status == 0, "\(sent.stderr)")
        // A writer holds the database (a batch, an OTP issue): the portal's read is not kept waiting (WAL).
        let writer = try Database(path: fixture.database)
        _ = try writer.run("BEGIN IMMEDIATE")
        defer { _ = try? writer.run("ROLLBACK") }
        let messages = try IssuerFixture.messages(in: fixture.outbox)
        #expect(messages.count == 3)
        for (notice, _) in messages {
            let url = try #require(notice.url.flatMap(URLComponents.init(string:)))
            let token = try #require(url.queryItems?.first { $0.name == "t" }?.value)
            let code = try #require(notice.vendorCode)
            let index = try #require(Int(code)) - 1_000_000
            let result = try fixture.run(["notices", "lookup", "--token", token, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout
                    == "{\"vendor_code\": \"\(code)\", \"fiscal_year\": 2027, \"name\": \"株式会社テスト\(index)\", "
                    + "\"state\": \"sent\"}\n")
            let human = try fixture.run(["notices", "lookup", "--token", token])
            #expect(human.stdout == "\(code)  FY2027  sent  株式会社テスト\(index)\n")
        }
    }

    @Test(
        "an unknown token is 66, one notifier cannot have made is 65 and is not repeated, none is 64",
        arguments: [
            (["--token", "AAAAAAAAAAAAAAAAAAAAAA"], 66), (["--token", "short"], 65),
            (["--token", "AAAAAAAAAA/AAAAAAAAAAA"], 65), (["--token", "AAAAAAAAAA\u{1B}[2JAAAAAAAAA"], 65), ([], 64),
            (["--token"], 64),
        ] as [([String], Int32)])
    func refusals(arguments: [String], status: Int32) throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        _ = try fixture.importVendors(IssuerFixture.vendorRows(1))
        let result = try fixture.run(["notices", "lookup"] + arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        if status == 65 { #expect(!result.stderr.contains(arguments[1]) && !result.stderr.contains("\u{1B}")) }
    }
}
