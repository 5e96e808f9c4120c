import Foundation
import NotifierCore

/// Where notifier keeps its files, from the XDG Base Directory rules.
struct Paths {
    let environment: [String: String]

    /// `--db PATH`, else `$NOTIFIER_DB`, else `$XDG_DATA_HOME/notifier/notifier.sqlite3`, where XDG_DATA_HOME
    /// defaults to `~/.local/share`.
    func database(override: String?) throws -> String {
        if let override, !override.isEmpty { return override }
        if let path = environment["NOTIFIER_DB"], !path.isEmpty { return path }
        return try xdg("XDG_DATA_HOME", fallback: ".local/share") + "/notifier/notifier.sqlite3"
    }

    /// The Maildir that `send` writes to when no SMTP server is configured: `$XDG_DATA_HOME/notifier/outbox`.
    func defaultOutbox() throws -> String {
        let base = try xdg("XDG_DATA_HOME", fallback: ".local/share") + "/notifier"
        do {
            try FileManager.default.createDirectory(
                atPath: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OutboxError(path: base, reason: "\(error.localizedDescription)")
        }
        return base + "/outbox"
    }

    /// Where `ingest` keeps a message it could not handle: `$XDG_DATA_HOME/notifier/quarantine`, a Maildir.
    func quarantine() throws -> String {
        let outbox = try defaultOutbox()
        return (outbox as NSString).deletingLastPathComponent + "/quarantine"
    }

    /// `--config PATH`, else `$NOTIFIER_CONFIG`, else `$XDG_CONFIG_HOME/notifier/config` when that file exists
    /// (XDG_CONFIG_HOME defaulting to `~/.config`). `explicit` is false for the last: a missing default file is no error.
    func configuration(override: String?) throws -> (path: String, explicit: Bool)? {
        if let override, !override.isEmpty { return (override, true) }
        if let path = environment["NOTIFIER_CONFIG"], !path.isEmpty { return (path, true) }
        guard let base = try? xdg("XDG_CONFIG_HOME", fallback: ".config") else { return nil }
        return (base + "/notifier/config", false)
    }

    private func xdg(_ variable: String, fallback: String) throws -> String {
        // The spec says a relative value is invalid and must be ignored.
        if let value = environment[variable], value.hasPrefix("/") { return value }
        guard let home = environment["HOME"], home.hasPrefix("/") else {
            throw ConfigurationError(
                "neither $\(variable) nor $HOME is set to an absolute path; pass the path explicitly")
        }
        return home + "/" + fallback
    }
}
