import Foundation
import MailParse

/// The configuration file: `key = value` lines, `#` comments, a key repeated for a list. Every key is known; an
/// unknown key or a bad value is an error naming the file, line and key (EX_CONFIG, 78). Secrets never live here.
///
/// ```
/// # Who may send notices, and where their download URLs may point.
/// trust_sender = nyusatsu@to-kousya.example
/// trust_host = bid.to-kousya.example
/// trust_token_length = 22
/// ```
struct Configuration: Equatable {
    /// Trusted sender addresses (addr-spec); empty means the built-in default.
    var trustSenders: [String] = []
    /// Trusted download URL hosts; empty means the built-in default.
    var trustHosts: [String] = []
    /// The authserv-ids of the vendor's receiving servers (`--trust-authserv-id`).
    var trustAuthservIDs: [String] = []
    /// How long the issuer's download tokens are at least; a shorter one was cut by line wrapping (0: not checked).
    var trustTokenLength: Int?
    /// `smtp://HOST[:PORT]` or `smtps://HOST[:PORT]`.
    var smtpURL: String?
    var smtpUser: String?
    var smtpTLS: SMTPSettings.TLSMode?
    /// A file whose first line is the SMTP password (mode 0600).
    var smtpPasswordFile: String?
    /// A CA bundle for a private CA.
    var caFile: String?
    var smtpConnectTimeout: Int?
    var smtpTimeout: Int?
    /// The From of every message notifier sends, `Name <address>` or `address`.
    var from: String?
    var messageIDDomain: String?
    var charset: OutgoingMessage.BodyCharset?
    /// A folder with the user's own templates.
    var templates: String?
    /// The issuer's download URL, to which each notice adds `?t=TOKEN`.
    var downloadURLBase: String?
    /// The OTP key file (default: `otp.key` beside the database).
    var otpKeyFile: String?
    /// The mailbox `watch` reads when no --maildir or --imap is given: `imaps://HOST[:PORT]/MAILBOX`.
    var imapURL: String?
    var imapUser: String?
    /// A file whose first line is the IMAP password (mode 0600).
    var imapPasswordFile: String?
    var imapTLS: IMAPSettings.TLSMode?
    /// The largest message `watch --imap` reads (`--max-message-size`); a larger one is skipped as `oversized`.
    var maxMessageSize: Int?
    /// Installers who get each fresh OTP by mail (`--relay-to`).
    var relayTo: [String] = []
    /// A command that gets each fresh OTP as JSON on its standard input (`--relay-command`).
    var relayCommand: String?
    /// Seconds the relay command may take before it is killed (`--relay-timeout`).
    var relayTimeout: Int?
    /// The Maildir `ingest` delivers every message into after handling it (`--deliver`).
    var deliverMaildir: String?

    static let keys = [
        "trust_sender", "trust_host", "trust_authserv_id", "trust_token_length", "smtp_url", "smtp_user", "smtp_tls", "smtp_password_file", "ca_file",
        "smtp_connect_timeout", "smtp_timeout", "from", "message_id_domain", "charset", "templates",
        "download_url_base", "otp_key_file", "imap_url", "imap_user", "imap_password_file", "relay_to", "relay_command",
        "relay_timeout", "deliver_maildir",
        "imap_tls", "max_message_size",
    ]

    /// Reads the configuration named by `--config`, `$NOTIFIER_CONFIG` or the XDG default; no file at the XDG
    /// default is an empty configuration, a missing explicit one is an error.
    static func load(override: String?, paths: Paths) throws -> Configuration {
        guard let (path, explicit) = try paths.configuration(override: override) else { return Configuration() }
        guard let data = FileManager.default.contents(atPath: path) else {
            if !explicit && !FileManager.default.fileExists(atPath: path) { return Configuration() }
            throw ConfigurationError("cannot read the configuration file \(path); check the path and its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(path) is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Reads `key = value` lines. An error names the file, the line and the key, never a value nor the line: a
    /// secret pasted into the wrong line must not reach a terminal or a log.
    static func parse(_ text: String, path: String) throws -> Configuration {
        var configuration = Configuration()
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let place = "\(path):\(offset + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                // Never the line itself: a password pasted on a line of its own must not reach a terminal or log.
                throw ConfigurationError("\(place): expected 'key = value', found a line without '=' (not shown)")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw ConfigurationError("\(place): \(key) has no value") }
            switch key {
            case "trust_sender":
                guard Validation.isAddrSpec(value) else {
                    throw ConfigurationError("\(place): trust_sender is not an address like name@example.jp")
                }
                configuration.trustSenders.append(value)
            case "trust_host":
                guard Validation.isHostName(value) else {
                    throw ConfigurationError("\(place): trust_host is not a host name like bid.example.jp")
                }
                configuration.trustHosts.append(value)
            case "trust_authserv_id":
                guard Validation.isHostName(value) else {
                    throw ConfigurationError("\(place): trust_authserv_id must be a server name like mx.example.jp")
                }
                configuration.trustAuthservIDs.append(value)
            case "trust_token_length":
                guard let length = Int(value), (0...256).contains(length) else {
                    throw ConfigurationError("\(place): trust_token_length must be a number from 0 (no check) to 256")
                }
                configuration.trustTokenLength = length
            case "smtp_url":
                do {
                    configuration.smtpURL = try SMTPSettings.validatedURL(value)
                } catch {
                    throw ConfigurationError("\(place): smtp_url \(error.reason)")
                }
            case "smtp_user":
                configuration.smtpUser = value
            case "smtp_tls":
                guard let mode = SMTPSettings.TLSMode(rawValue: value) else {
                    throw ConfigurationError("\(place): smtp_tls must be auto, required or none")
                }
                configuration.smtpTLS = mode
            case "smtp_password_file":
                configuration.smtpPasswordFile = value
            case "ca_file":
                configuration.caFile = value
            case "smtp_connect_timeout", "smtp_timeout":
                guard let seconds = Int(value), (1...3600).contains(seconds) else {
                    throw ConfigurationError("\(place): \(key) must be a number of seconds from 1 to 3600")
                }
                if key == "smtp_timeout" { configuration.smtpTimeout = seconds } else { configuration.smtpConnectTimeout = seconds }
            case "from":
                guard Validation.mailbox(value) != nil else {
                    throw ConfigurationError("\(place): from is not an address like 'Name <name@example.jp>'")
                }
                configuration.from = value
            case "message_id_domain":
                guard Validation.isHostName(value) else {
                    throw ConfigurationError("\(place): message_id_domain is not a domain name")
                }
                configuration.messageIDDomain = value
            case "charset":
                guard let charset = OutgoingMessage.BodyCharset(rawValue: value.lowercased()) else {
                    throw ConfigurationError("\(place): charset must be utf-8 or iso-2022-jp")
                }
                configuration.charset = charset
            case "templates":
                configuration.templates = value
            case "download_url_base":
                guard Validation.isDownloadURLBase(value) else {
                    throw ConfigurationError("\(place): download_url_base must be an https:// URL without spaces or '#'")
                }
                configuration.downloadURLBase = value
            case "otp_key_file":
                configuration.otpKeyFile = value
            case "imap_url":
                do {
                    _ = try IMAPSettings.endpoint(of: value)
                } catch {
                    throw ConfigurationError("\(place): imap_url: the IMAP URL \(error.reason)")
                }
                configuration.imapURL = value
            case "imap_user":
                configuration.imapUser = value
            case "imap_password_file":
                configuration.imapPasswordFile = value
            case "imap_tls":
                guard let mode = IMAPSettings.TLSMode(rawValue: value) else {
                    throw ConfigurationError("\(place): imap_tls must be auto, required or none")
                }
                configuration.imapTLS = mode
            case "max_message_size":
                guard let size = Validation.byteSize(value) else {
                    throw ConfigurationError("\(place): max_message_size must be a size from 1K to 1G, like 32M")
                }
                configuration.maxMessageSize = size
            case "relay_to":
                guard Validation.mailbox(value) != nil else {
                    throw ConfigurationError("\(place): relay_to is not an address like name@example.jp")
                }
                configuration.relayTo.append(value)
            case "relay_command":
                configuration.relayCommand = value
            case "relay_timeout":
                guard let seconds = Validation.relayTimeout(value) else {
                    throw ConfigurationError("\(place): relay_timeout must be a number of seconds from 1 to 3600")
                }
                configuration.relayTimeout = seconds
            case "deliver_maildir":
                configuration.deliverMaildir = value
            default:
                throw ConfigurationError(
                    "\(place): unknown key \(Self.shownKey(key)) (known keys: \(keys.joined(separator: ", ")))")
            }
        }
        return configuration
    }

    /// An unknown key as an error shows it: quoted when it looks like a key (letters, digits, `_`, `-`), else not
    /// at all (it may be the start of a secret).
    static func shownKey(_ key: String) -> String {
        let looksLikeAKey = !key.isEmpty && key.utf8.count <= 40
            && key.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || $0 == 0x5F || $0 == 0x2D }
        return looksLikeAKey ? "'\(key)'" : "(not shown: it does not look like a key)"
    }
}
