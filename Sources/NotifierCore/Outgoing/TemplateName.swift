/// A template's name: the key of the built-in set and the file's name in a templates folder. The templates
/// notifier sends are the static members, so a typo in one is a compile error; a folder of the user's may hold
/// others, which `compose` and `send` take by name.
package struct TemplateName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }
    package init(_ rawValue: String) { self.rawValue = rawValue }

    /// The certificate update notice the issuer sends each vendor.
    package static let updateNotice = TemplateName("update_notice")
    /// The reminder sent, in a wave, to a vendor who has not downloaded the new certificate (`notices remind`).
    package static let reminder = TemplateName("reminder")
    /// The issuer's one-time password mail.
    static let otpNotice = TemplateName("otp_notice")
    /// The vendor's relay of a fresh one-time password to the installer.
    static let otpRelay = TemplateName("otp_relay")
    /// A stored download URL, mailed again to the vendor (`resend-url`).
    package static let resendURL = TemplateName("resend_url")
    /// The vendor's alarm to the installers: no update notice for the coming fiscal year by `expect_notice_by`.
    static let noticeMissing = TemplateName("notice_missing")
    /// The vendor's one reminder to the installers: the certificate ends within 14 days and no OTP was seen.
    static let otpMissing = TemplateName("otp_missing")

    /// The templates notifier sends, in the order help texts list them; the built-in set holds exactly these.
    static let builtIn: [TemplateName] = [
        .updateNotice, .reminder, .otpNotice, .otpRelay, .resendURL, .noticeMissing, .otpMissing,
    ]

    package var description: String { rawValue }
}
