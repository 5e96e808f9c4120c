import MailParse

/// `--trust-sender ADDR`, `--trust-host HOST` and `--trust-authserv-id ID`, as `parse`, `ingest` and `watch` take
/// them, and the rule that makes the trust policy: each list from the command line if given there, else the
/// configuration, else built in (for authserv-ids: the mail provider's own, when watching its IMAP server).
struct TrustOptions: OptionGroup {
    var senders: [String] = []
    var hosts: [String] = []
    var authservIDs: [String] = []
    /// How long the issuer's download tokens are at least; a shorter one was cut by line wrapping (0: not checked).
    var tokenLength: Int?

    static var options: [Option<Self>] {
        [
            .list(
                "--trust-sender", key: "trust_sender", "ADDR", \.senders,
                "a trusted sender address (repeatable; default: built in)", parse: Parse.addrSpec),
            .list(
                "--trust-host", key: "trust_host", "HOST", \.hosts, "a trusted download URL host (repeatable)",
                parse: Parse.host(like: "bid.example.jp")),
            .list(
                "--trust-authserv-id", key: "trust_authserv_id", "ID", \.authservIDs,
                "the authserv-id of your own receiving mail server (repeatable): a notice is then trusted only when "
                    + "that server's Authentication-Results field says dmarc=pass for the sender's domain, or "
                    + "dkim=pass for a domain aligned with it. Find it as the first word of the top "
                    + "Authentication-Results field of any mail in your inbox", parse: Parse.host(like: "mx.example.jp")
            ),
            .value(
                nil, key: "trust_token_length", "N", \.tokenLength,
                "the shortest download token of a trusted notice (0: not checked)",
                parse: Parse.number(0...256)),
        ]
    }

    /// The policy from these options (already filled from the configuration), else built in; `imapHost` (the
    /// watched IMAP server) gives the provider's authserv-id when none is set. The token length is
    /// `trust_token_length` (0: not checked); without it, the built-in issuer's when its host is the one trusted,
    /// else not checked (another issuer's tokens are its own).
    func policy(imapHost: String? = nil) -> TrustPolicy {
        let builtIn = TrustPolicy.builtIn
        let trustedHosts = hosts.isEmpty ? builtIn.hosts : hosts
        var tokenLength =
            self.tokenLength
            ?? (trustedHosts.map { $0.lowercased() } == builtIn.hosts ? builtIn.minimumTokenLength : nil)
        if tokenLength == 0 { tokenLength = nil }
        let ids = !authservIDs.isEmpty ? authservIDs : imapHost.flatMap(Self.providerAuthservID).map { [$0] } ?? []
        return TrustPolicy(
            senders: senders.isEmpty ? builtIn.senders : senders, hosts: trustedHosts, minimumTokenLength: tokenLength,
            authservIDs: ids)
    }

    /// The authserv-id a mail provider's receiving servers write, by its IMAP (or POP3) host: Gmail's `mx.google.com`;
    /// Microsoft 365 writes none, and its fields count under `protection.outlook.com`.
    static func providerAuthservID(imapHost: String) -> String? {
        switch imapHost.lowercased() {
        case "imap.gmail.com", "imap.googlemail.com", "pop.gmail.com", "pop.googlemail.com": return "mx.google.com"
        case "outlook.office365.com", "outlook.office.com": return SenderAuthentication.microsoft365
        default: return nil
        }
    }

    /// Said once per run when no policy is in force: From alone is no proof of who sent a notice.
    static let unauthenticatedWarning =
        "sender authentication is not checked: anyone can write the issuer's address "
        + "into From. Set trust_authserv_id (or --trust-authserv-id) to your receiving server's authserv-id, the first "
        + "word of the top Authentication-Results field of any mail in your inbox"
}
