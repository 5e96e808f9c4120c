import MailParse

/// `--trust-sender ADDR` and `--trust-host HOST`, as `parse`, `ingest` and `watch` take them, and the rule that
/// makes the trust policy: each list from the command line if given there, else the configuration, else built in.
struct TrustOptions {
    var senders: [String] = []
    var hosts: [String] = []

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
        default:
            return false
        }
        return true
    }

    /// The token length is the configuration's `trust_token_length` (0: not checked); without it, the built-in
    /// issuer's when its host is the one trusted, else not checked (another issuer's tokens are its own).
    func policy(configuration: Configuration) -> TrustPolicy {
        let builtIn = TrustPolicy.builtIn
        let trustedHosts = !hosts.isEmpty ? hosts : !configuration.trustHosts.isEmpty ? configuration.trustHosts : builtIn.hosts
        var tokenLength = configuration.trustTokenLength
            ?? (trustedHosts.map { $0.lowercased() } == builtIn.hosts ? builtIn.minimumTokenLength : nil)
        if tokenLength == 0 { tokenLength = nil }
        return TrustPolicy(
            senders: !senders.isEmpty ? senders : !configuration.trustSenders.isEmpty ? configuration.trustSenders : builtIn.senders,
            hosts: trustedHosts, minimumTokenLength: tokenLength)
    }
}
