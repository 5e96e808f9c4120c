import Testing

@testable import NotifierCore

/// Tests write vendor codes as literals; one that is not 7 digits is a mistake in the test, and stops it.
extension VendorCode: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        guard let code = VendorCode(rawValue: text) else { preconditionFailure("'\(text)' is not a vendor code") }
        self = code
    }
}

@Suite("VendorCode")
struct VendorCodeTests {
    @Test(arguments: ["0123456", "0000000", "9999999"])
    func sevenASCIIDigitsAreACode(text: String) throws {
        #expect(try VendorCode(text).rawValue == text)
        #expect(VendorCode(rawValue: text)?.description == text)
    }

    @Test(arguments: ["", "123456", "12345678", "012345a", "０１２３４５６", " 0123456", "012 456", "٠١٢٣٤٥٦"])
    func anythingElseIsRefusedWithoutEchoingIt(text: String) {
        #expect(VendorCode(rawValue: text) == nil)
        #expect(throws: InvalidValue("must be 7 ASCII digits, like 0123456")) { try VendorCode(text) }
    }

    @Test func codesOrderAsText() {
        #expect(VendorCode(rawValue: "0999999")! < VendorCode(rawValue: "1000000")!)
    }
}
