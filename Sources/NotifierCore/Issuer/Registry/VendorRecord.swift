import MailParse

/// One vendor in the issuer's registry: who gets an update notice, at which address, and from when.
/// A plain value so that the CSV import, the database and the batch sender can share it without I/O.
package struct VendorRecord: Equatable, Sendable {
    /// 業者コード, 7 ASCII digits (leading zeros matter: it is a code, not a number).
    package var code: VendorCode
    /// The name the notice is addressed to (`{{vendor_name}} 御中`).
    package var name: String
    /// A plain ASCII addr-spec (`local@domain`, RFC 5322 §3.4.1), no display name.
    package var email: String
    package var kind: VendorKind
    /// The first day the vendor may be notified; nil when the registry sets no such day.
    package var notifyAfter: CalendarDate?
}

/// Which renewal cycle a vendor is on, as the registry spells it.
package enum VendorKind: String, Sendable, CaseIterable {
    /// Construction vendors renew every year and are notified in every renewal window.
    case construction
    /// Commissioned contractors are on a 3-year cycle and are notified only once their update data is ready, that
    /// is on or after `notifyAfter`.
    case commissioned
}
