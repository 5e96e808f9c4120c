import MailParse

/// `--trust-sender ADDR`, `--trust-host HOST` and `--trust-authserv-id ID`, as `parse`, `ingest` and `watch` take
/// them, and the rule that makes the trust policy: each list from the command line if given there, else the
/// configuration, else built in (for authserv-ids: the mail provider's own, when watching its IMAP server).
struct TrustOptions {
    var senders: [String] = []
    var hosts: [String] = []
    var authservIDs: [String] = []

    static let help = """
          --trust-sender ADDR   a trusted sender address (repeatable; default: the configuration's, else built in)
          --trust-host HOST     a trusted download URL host (repeatable)
          --trust-authserv-id ID  the authserv-id of your own receiving mail server (repeatable; configuration key
                                trust_authserv_id): a notice is then trusted only when that server's
                                Authentication-Results field says dmarc=pass for the sender's domain, or dkim=pass
                                for a domain aligned with it. Find it as the first word of the top
                                Authentication-Results field of any mail in your inbox
        """

    mutating func take(_ word: Arguments.Word, from arguments: inout Arguments) throws -> Bool {
        switch word {
        case .option("--trust-sender", let inline):
            let value = try arguments.value(for: "--trust-sender", inlineValue: inline)
            guard Validation.isAddrSpec(value) else {
                throw UsageError("--trust-sender '\(value)' is not an address like name@example.jp")
            }
            senders.append(value)
        case .option("--trust-host", let inline):
            let value = try arguments.value(for: "--trust-host", inlineValue: inline)
            guard Validation.isHostName(value) else {
                throw UsageError("--trust-host '\(value)' is not a host name like bid.example.jp")
            }
            hosts.append(value)
        case .option("--trust-authserv-id", let inline):
            let value = try arguments.value(for: "--trust-authserv-id", inlineValue: inline)
            guard Validation.isHostName(value) else {
                throw UsageError("--trust-authserv-id '\(value)' is not a server name like mx.example.jp")
            }
            authservIDs.append(value)
        default:
            return false
        }
        return true
    }

    /// The policy; `imapHost` (the watched IMAP server) gives the provider's authserv-id when none is set. The token
    /// length is the configuration's `trust_token_length` (0: not checked); without it, the built-in issuer's when its
    /// host is the one trusted, else not checked (another issuer's tokens are its own).
    func policy(configuration: Configuration, imapHost: String? = nil) -> TrustPolicy {
        let builtIn = TrustPolicy.builtIn
        let trustedHosts = !hosts.isEmpty ? hosts : !configuration.trustHosts.isEmpty ? configuration.trustHosts : builtIn.hosts
        var tokenLength = configuration.trustTokenLength
            ?? (trustedHosts.map { $0.lowercased() } == builtIn.hosts ? builtIn.minimumTokenLength : nil)
        if tokenLength == 0 { tokenLength = nil }
        let ids = !authservIDs.isEmpty ? authservIDs : !configuration.trustAuthservIDs.isEmpty
            ? configuration.trustAuthservIDs : imapHost.flatMap(Self.providerAuthservID).map { [$0] } ?? []
        return TrustPolicy(
            senders: !senders.isEmpty ? senders : !configuration.trustSenders.isEmpty ? configuration.trustSenders : builtIn.senders,
            hosts: trustedHosts, minimumTokenLength: tokenLength, authservIDs: ids)
    }

    /// The authserv-id a mail provider's receiving servers write, by its IMAP host: Gmail's `mx.google.com`;
    /// Microsoft 365 writes none, and its fields count under `protection.outlook.com`.
    static func providerAuthservID(imapHost: String) -> String? {
        switch imapHost.lowercased() {
        case "imap.gmail.com", "imap.googlemail.com": return "mx.google.com"
        case "outlook.office365.com", "outlook.office.com": return SenderAuthentication.microsoft365
        default: return nil
        }
    }

    /// Said once per run when no policy is in force: From alone is no proof of who sent a notice.
    static let unauthenticatedWarning = "sender authentication is not checked: anyone can write the issuer's address "
        + "into From. Set trust_authserv_id (or --trust-authserv-id) to your receiving server's authserv-id, the first "
        + "word of the top Authentication-Results field of any mail in your inbox"
}
