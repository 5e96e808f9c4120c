import MailParse

/// Mails a vendor their new one-time password with the template otp_notice: what `OTPService.issue` is given to
/// hand a code over. The registry's address is checked here, so a code for an unusable address is never valid.
package struct OTPMailer {
    package let sender: Mailbox
    let composer: Composer
    let charset: OutgoingMessage.BodyCharset
    package let transport: MessageTransport

    package init(
        sender: Mailbox,
        composer: Composer,
        charset: OutgoingMessage.BodyCharset,
        transport: MessageTransport
    ) {
        self.sender = sender
        self.composer = composer
        self.charset = charset
        self.transport = transport
    }

    /// Composes the notice for `mail` (strictly: a template that leaves a variable unfilled is an error) and hands
    /// it to the transport; the delivery and the Message-ID go to the audit trail.
    package func send(_ mail: OTPService.Mail) throws -> OTPService.Handover {
        guard let recipient = Validation.mailbox(mail.email) else {
            throw VendorAddressError(vendorCode: mail.vendorCode, email: mail.email)
        }
        let composed = try composer.compose(
            template: .otpNotice, from: sender, to: [recipient],
            variables: ["otp": mail.code, "expires_at": JapanClock.iso8601(seconds: mail.expiresAt)],
            charset: charset, strict: true)
        let delivery = try transport.deliver(composed.bytes, sender: sender.addrSpec, recipients: [recipient.addrSpec])
        return OTPService.Handover(delivery: delivery, messageID: composed.message.messageID)
    }
}
