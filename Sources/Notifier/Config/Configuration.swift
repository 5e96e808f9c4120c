import Foundation
import MailParse
import NotifierCore

/// The configuration file: `key = value` lines, `#` comments, a key repeated for a list. Every key is known; an
/// unknown key or a bad value is an error naming the file, line and key (EX_CONFIG, 78). Secrets never live here.
///
/// ```
/// # Who may send notices, and where their download URLs may point.
/// trust_sender = nyusatsu@to-kousya.example
/// trust_host = bid.to-kousya.example
/// trust_token_length = 22
/// ```
struct Configuration: OptionGroup {
    var trust = TrustOptions()
    var transport = TransportOptions()
    var sender = SenderOptions()
    var imap = IMAPOptions()
    var pop3 = POP3Options()
    var relay = RelayOptions()
    var notices = NoticeOptions()
    var delivery = DeliveryOptions()
    var alarm = NoticeAlarmOptions()
    /// The OTP key file (default: `otp.key` beside the database).
    var otpKeyFile: String?
    /// How many minutes a vendor stays locked after too many wrong codes; 0 (the default): until `otp unlock`.
    var otpLockMinutes: Int?

    /// Every setting the file may hold: the option groups' settings that have a key, declared there once.
    static var options: [Option<Self>] {
        var all: [Option<Self>] = TrustOptions.options.lifted(\.trust) + TransportOptions.options.lifted(\.transport)
        all += SenderOptions.options.lifted(\.sender) + IMAPOptions.options.lifted(\.imap)
        all += POP3Options.options.lifted(\.pop3)
        all += RelayOptions.options.lifted(\.relay) + NoticeOptions.options.lifted(\.notices)
        all += DeliveryOptions.options.lifted(\.delivery) + NoticeAlarmOptions.options.lifted(\.alarm)
        all.append(.value(nil, key: "otp_key_file", "PATH", \.otpKeyFile, "the OTP key file", parse: Parse.text))
        all.append(
            .value(
                nil, key: "otp_lock_minutes", "MINUTES", \.otpLockMinutes,
                "minutes a vendor stays locked after 5 wrong codes (0: until 'otp unlock')",
                parse: Parse.number(0...525_600, "a number of minutes")))
        return all.filter { $0.key != nil }
    }

    static var keys: [String] { options.compactMap(\.key) }

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

    /// Reads `key = value` lines. Every bad line is reported, not only the first: one error names each one's file,
    /// line and key (with the closest known key for an unknown one), never a value nor the line: a secret pasted
    /// into the wrong line must not reach a terminal or a log.
    static func parse(_ text: String, path: String) throws -> Configuration {
        var configuration = Configuration()
        var problems: [String] = []
        let options = Self.options
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let place = "\(path):\(offset + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                problems.append("\(place): expected 'key = value', found a line without '=' (not shown)")
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let option = options.first(where: { $0.key == key }) else {
                let shown = Self.shownKey(key)
                let closest = shown.hasPrefix("'") ? Suggestion.closest(to: key, among: keys) : nil
                problems.append(
                    "\(place): unknown key \(shown)"
                        + (closest.map { "; did you mean '\($0)'?" }
                            ?? " (known keys: \(keys.joined(separator: ", ")))"))
                continue
            }
            guard !value.isEmpty else {
                problems.append("\(place): \(key) has no value")
                continue
            }
            do {
                try option.apply(&configuration, value, false)
            } catch let error as InvalidValue {
                problems.append("\(place): \(key) \(error.reason)")
            } catch let error as UnsafeText {
                problems.append("\(place): \(key) \(error.reason)")
            }
        }
        guard problems.count <= 1 else {
            throw ConfigurationError(
                "\(problems.count) problems in the configuration file \(path):\n"
                    + problems.map { "  " + $0 }.joined(separator: "\n"))
        }
        if let problem = problems.first { throw ConfigurationError(problem) }
        return configuration
    }

    /// An unknown key as an error shows it: quoted when it looks like a key (letters, digits, `_`, `-`), else not
    /// at all (it may be the start of a secret).
    static func shownKey(_ key: String) -> String {
        let looksLikeAKey =
            !key.isEmpty && key.utf8.count <= 40
            && key.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || $0 == 0x5F
                    || $0 == 0x2D
            }
        return looksLikeAKey ? "'\(key)'" : "(not shown: it does not look like a key)"
    }
}
