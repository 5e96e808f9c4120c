import Foundation
import Testing

@Suite("notifier vendors")
struct VendorsCommandTests {
    @Test func importListAndReimport() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let first = try fixture.importVendors([
            "5184962,株式会社青葉建設,a@aoba.example,construction,",
            "7128062,株式会社髙島設備,b@takashima.example,commissioned,2027-01-20",
        ])
        #expect(first.status == 0)
        #expect(first.stdout.contains("2 added, 0 changed, 0 unchanged"))
        let again = try fixture.importVendors([
            "5184962,株式会社青葉建設,new@aoba.example,construction,",
            "7128062,株式会社髙島設備,b@takashima.example,commissioned,2027-01-20",
            "2438088,城東管理,c@joto.example,construction,",
        ])
        #expect(again.stdout.contains("1 added, 1 changed, 1 unchanged"))
        let list = try fixture.run(["vendors", "list", "--json"])
        #expect(list.stdout.split(separator: "\n").count == 3)
        #expect(
            list.stdout.contains(
                "{\"vendor_code\": \"5184962\", \"name\": \"株式会社青葉建設\", \"email\": \"new@aoba.example\", \"kind\": \"construction\", \"notify_after\": null}"
            ))
        #expect(list.stdout.contains("\"notify_after\": \"2027-01-20\""))
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.database)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func aBadRowRejectsTheWholeFile() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let result = try fixture.importVendors([
            "5184962,株式会社青葉建設,a@aoba.example,construction,", "12345,短い,b@x.example,construction,",
        ])
        #expect(result.status == 65)
        #expect(result.stderr.contains(":3: column vendor_code"))
        let list = try fixture.run(["vendors", "list"])
        #expect(list.stdout.isEmpty)
    }

    /// A registry exported from Excel: Japanese headings, extra columns, cp932. One note names the extra columns.
    @Test func japaneseRegistryWithExtraColumns() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let text = """
            業者コード,商号又は名称,電話番号,メールアドレス,区分,通知開始日,備考\r
            ５１８４９６２,株式会社青葉建設,03-1234-5678,a@aoba.example,建設,,\r
            7128062,株式会社髙島設備,,b@takashima.example,委託,令和9年1月20日,=1+1\r

            """
        let file = fixture.folder.appendingPathComponent("名簿.csv")
        try #require(text.data(using: .shiftJIS)).write(to: file)
        let result = try fixture.run(["vendors", "import", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2 added, 0 changed, 0 unchanged"))
        #expect(result.stderr == "notifier: \(file.path): ignored 2 columns notifier does not read: '電話番号', '備考'\n")
        let list = try fixture.run(["vendors", "list", "--json"])
        #expect(list.stdout.contains("\"vendor_code\": \"5184962\""))
        #expect(list.stdout.contains("\"kind\": \"commissioned\", \"notify_after\": \"2027-01-20\""))
        let again = try fixture.run(["vendors", "import", file.path])
        #expect(again.stdout.contains("0 added, 0 changed, 2 unchanged"))
    }

    @Test func aColumnNamedTwiceNamesBoth() throws {
        let fixture = try IssuerFixture()
        defer { fixture.remove() }
        let file = fixture.folder.appendingPathComponent("vendors.csv")
        try "業者コード,name,email,kind,vendor_code\n5184962,A,a@aoba.example,construction,5184962\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try fixture.run(["vendors", "import", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("columns 1 '業者コード' and 5 'vendor_code' are the same column"))
    }
}
