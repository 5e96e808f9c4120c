/// The numbers of the OTP contract, in one place. The portal and the vendors' instructions depend on them.
package struct OTPPolicy: Equatable, Sendable {
    /// How long a code is valid after it was mailed: 30 minutes, as the issuer's notice says.
    var validity: Int64 = 30 * 60
    /// The least time between two codes for one vendor.
    var cooldown: Int64 = 60
    /// The most codes one vendor is mailed within any hour (counted from the audit trail).
    var issuesPerHour = 5
    /// The window of `issuesPerHour`.
    var capWindow: Int64 = 3600
    /// Wrong codes in a row that lock the vendor until the issuer unlocks them.
    package var wrongCodesBeforeLock = 5

    package static let standard = OTPPolicy()
}
