/// Why a notice is not trusted, as `notifier parse --json` writes it in `reason`. Only some of them mean phishing
/// (`Notice.suspectedPhishing` says which): a colleague's forward, a list that rewrote From or a relay that cut a
/// URL are everyday deliveries that must not be acted on, not attacks.
public enum DistrustReason: String, Sendable, CaseIterable {
    /// The notice came inside or below a forward: judged by the colleague who forwarded it.
    case forwarded = "forwarded"
    /// From is not exactly one trusted address (a mailing list that rewrote From, a spoofed display name, two From
    /// fields, someone else).
    case senderNotTrusted = "sender_not_trusted"
    /// A download URL is on a host that is not trusted (a look-alike, userinfo, a port, punycode).
    case urlHostNotTrusted = "url_host_not_trusted"
    /// A download URL on the trusted host, but not `https://`.
    case urlNotHTTPS = "url_not_https"
    /// The URL was cut by line wrapping and where it ends cannot be decided: never stored.
    case urlCut = "url_cut"
    /// A link rewriter that cannot be undone (Mimecast and the like) stands between the vendor and the issuer.
    case urlRewritten = "url_rewritten"
    /// An HTML link opens something other than the URL its text shows.
    case linkTextMismatch = "link_text_mismatch"
    /// The vendor's receiving server did not vouch for the issuer's domain (`SenderAuthentication`).
    case notAuthenticated = "not_authenticated"
    /// The OTP's expiry is too far from the mail's Date to be the issuer's (`OTPPlausibility`).
    case implausibleExpiry = "implausible_expiry"
}
