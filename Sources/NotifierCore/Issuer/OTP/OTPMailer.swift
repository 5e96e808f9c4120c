import Foundation
import MailParse

/// Mails a vendor their new one-time password with the template otp_notice: what `OTPService.issue` is given to
/// hand a code over. The registry's address is checked here, so a code for an unusable address is never valid.
package struct OTPMailer {
    package let sender: Mailbox
    /// The envelope sender, where bounces go (`otp.CODE.` and the message's own, with VERP); nil for the sender.
    let returnPath: ReturnPath?
    let composer: Composer
    let charset: OutgoingMessage.BodyCharset
    package let transport: MessageTransport

    package init(
        sender: Mailbox,
        returnPath: ReturnPath? = nil,
        composer: Composer,
        charset: OutgoingMessage.BodyCharset,
        transport: MessageTransport
    ) {
        self.sender = sender
        self.returnPath = returnPath
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
        // The Message-ID names the vendor, so that a bounce of it reads as whose code did not arrive.
        let messageID = "otp.\(mail.vendorCode).\(composer.messageID(from: sender, now: Date()))"
        let composed = try composer.compose(
            template: .otpNotice, from: sender, to: [recipient],
            variables: ["otp": mail.code, "expires_at": JapanClock.iso8601(seconds: mail.expiresAt)],
            charset: charset, strict: true, messageID: messageID)
        let delivery = try transport.deliver(
            composed.bytes, sender: returnPath?.address(forMessageID: messageID) ?? sender.addrSpec,
            recipients: [recipient.addrSpec])
        return OTPService.Handover(delivery: delivery, messageID: composed.message.messageID)
    }
}
