/// 業者コード: exactly 7 ASCII digits. It is a code, not a number, so leading zeros are part of it. The one place
/// that rule lives: the registry import, the command line, the templates and the vendor's vault all make one of
/// these, and everything past them holds a code known to be well formed.
package struct VendorCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    package let rawValue: String

    /// The code `text` spells; refused unless it is 7 ASCII digits. Full-width digits are refused as well: folding
    /// them is the reader's business (MailParse does it for notices; the CSV importer tells the person).
    package init(_ text: String) throws(InvalidValue) {
        guard text.utf8.count == 7, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw InvalidValue("must be 7 ASCII digits, like 0123456")
        }
        rawValue = text
    }

    package init?(rawValue: String) {
        guard let code = try? VendorCode(rawValue) else { return nil }
        self = code
    }

    package var description: String { rawValue }

    package static func < (lhs: VendorCode, rhs: VendorCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
