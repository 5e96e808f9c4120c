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
}
