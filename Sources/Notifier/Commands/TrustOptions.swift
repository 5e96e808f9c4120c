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

    func policy(configuration: Configuration) -> TrustPolicy {
        let builtIn = TrustPolicy.builtIn
        return TrustPolicy(
            senders: !senders.isEmpty ? senders : !configuration.trustSenders.isEmpty ? configuration.trustSenders : builtIn.senders,
            hosts: !hosts.isEmpty ? hosts : !configuration.trustHosts.isEmpty ? configuration.trustHosts : builtIn.hosts)
    }
}
