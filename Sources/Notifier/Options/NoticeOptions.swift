import MailParse

/// `--download-url-base URL`: where the issuer's personal download URLs point (`notices send`).
struct NoticeOptions: OptionGroup {
    var downloadURLBase: String?

    static var options: [Option<Self>] {
        [
            .value(
                "--download-url-base", key: "download_url_base", "URL", \.downloadURLBase,
                "the issuer's download URL, to which each notice adds ?t=TOKEN (https://, on a trust_host)",
                parse: Parse.downloadURLBase
            )
        ]
    }
}

extension NoticeOptions {
    /// Refuses a download URL base that the vendors' watchers would not trust (EX_CONFIG, 78): every notice sent
    /// with it would be reported there as untrusted and its URL never stored. The hosts are the configuration's
    /// `trust_host` list when it has one (the issuer's configuration says what its vendors are told to trust), else
    /// the built-in policy's, which is exactly what a vendor's watcher with no `trust_host` trusts.
    static func checkTrusted(base: String, trust: TrustOptions, command: String) throws {
        let configured = !trust.hosts.isEmpty
        let policy = trust.policy()
        guard !policy.trustsURL(base) else { return }
        let trusted = policy.hosts.joined(separator: ", ")
        let source = configured ? "trust_host in the configuration" : "built in; no trust_host is configured"
        let what: String
        if let host = TrustPolicy.httpsHost(of: base) {
            what = "its host \(host) is not a trusted host"
        } else {
            // Validated as printable ASCII already; the authority is shown as written.
            let authority = base.dropFirst("https://".count).prefix { !"/?".contains($0) }
            what =
                "its authority \(authority) is not a plain host name (no user name, no port but 443, no trailing dot), "
                + "so it is no trusted host"
        }
        throw ConfigurationError(
            "\(command): the download URL base \(base) would make every notice untrusted: \(what) (trusted: "
                + "\(trusted); \(source)), so each vendor's watcher would refuse the notices. Use a URL on a trusted "
                + "host, or add its host with trust_host and give the vendors the same trust_host")
    }
}

/// `--deliver MAILDIR`: `ingest` as the mail server's whole delivery command.
struct DeliveryOptions: OptionGroup {
    var maildir: String?

    static var options: [Option<Self>] {
        [
            .value(
                "--deliver", key: "deliver_maildir", "MAILDIR", \.maildir,
                "then deliver every message, notice or not, into this Maildir (tmp/, fsync, rename into new/): ingest "
                    + "is then the mail server's whole delivery command. When the delivery cannot be made, nothing is "
                    + "changed and ingest exits 75", parse: Parse.text)
        ]
    }
}
