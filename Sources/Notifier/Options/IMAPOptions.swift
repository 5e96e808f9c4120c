import Foundation
import NotifierCore

/// The mailbox `watch` reads over IMAP: `--imap URL` and its login and limits.
struct IMAPOptions: OptionGroup {
    var url: String?
    var user: String?
    var passwordFile: String?
    var passwordCommand: String?
    var auth: AuthMethod?
    var tokenCommand: String?
    var tls: IMAPSettings.TLSMode?
    var maxMessageSize: Int?
    var folders: [String] = []

    static var options: [Option<Self>] {
        [
            .value(
                "--imap", key: "imap_url", "URL", \.url,
                "the mailbox over IMAP: imaps://HOST[:PORT]/MAILBOX, or imap://... with STARTTLS (INBOX when no "
                    + "mailbox is named); the user from --imap-user (or user@ in the URL), the password from "
                    + "$NOTIFIER_IMAP_PASSWORD or --imap-password-file (never argv). UIDVALIDITY and the last UID are "
                    + "kept in the database. Without --once it waits with IMAP IDLE (re-IDLE every 25 minutes), "
                    + "reconnecting with backoff after a lost connection; --no-idle looks every --poll seconds instead",
                parse: Parse.imapURL),
            .list(
                "--folder", key: "imap_folder", "NAME", \.folders,
                "an IMAP folder to watch, by its name in UTF-8 (e.g. 迷惑メール; sent in modified UTF-7), repeatable "
                    + "(in the configuration, the key repeated); default: the URL's mailbox, else INBOX. With IDLE "
                    + "each folder waits on a connection of its own. "
                    + "watch also finds the junk folder (SPECIAL-USE \\Junk, else Junk, Junk E-mail, Spam, 迷惑メール, "
                    + "[Gmail]/Spam) and reads it too, unless a --folder is that folder; a trusted notice found there is "
                    + "handled and reported, to mark its sender as safe. A folder that cannot be opened is exit 66",
                parse: Self.folder),
            .value("--imap-user", key: "imap_user", "USER", \.user, "the IMAP login name", parse: Parse.text),
            .value(
                "--imap-password-file", key: "imap_password_file", "PATH", \.passwordFile,
                "a file whose first line is the IMAP password (mode 0600)", parse: Parse.text),
        ]
            + LoginSource.options(
                service: "IMAP", prefix: "imap", passwordCommand: \.passwordCommand, auth: \.auth,
                tokenCommand: \.tokenCommand, reconnects: true)
            + [
                .value(
                    "--imap-tls", key: "imap_tls", "MODE", \.tls,
                    "auto (the default): STARTTLS when offered; without it the login is refused (exit 69) unless the "
                        + "host is localhost, 127.x.x.x or ::1. required: refuse to log in without TLS. none: a login in "
                        + "clear allowed on purpose", parse: Parse.choice),
                .value(
                    "--max-message-size", key: "max_message_size", "SIZE", \.maxMessageSize,
                    "skip an IMAP or POP3 message larger than SIZE (bytes, or with K, M or G; default 32M): it is never "
                        + "downloaded, is reported once as UIDVALIDITY/UID: oversized, and later messages are read as usual",
                    parse: Parse.size),
                .refused(
                    "--imap-password",
                    because:
                        "passwords are not taken on the command line: set NOTIFIER_IMAP_PASSWORD, --imap-password-file or "
                        + "--imap-password-command"),
            ]
    }

    /// A folder name: not empty, no control characters, at most 1000 bytes.
    static func folder(_ value: String) throws -> String {
        guard !value.isEmpty, value.utf8.count <= 1000 else {
            throw InvalidValue("takes a folder name (1 to 1000 bytes)")
        }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw InvalidValue("must not hold a control character")
        }
        return value
    }

    /// The watched server's host name, which names the provider whose Authentication-Results count.
    var host: String? { ServerAccount.host(of: url) }

    /// The IMAP settings (these options already filled from the configuration): the user from --imap-user or the
    /// URL's user part, the password from the environment, a file or a command, or a token from a command; never
    /// from argv. The timeouts are the command line's `--connect-timeout` and `--timeout` (the configuration's
    /// smtp_ ones are SMTP's only).
    func settings(caFile: String?, connectTimeout: Int?, timeout: Int?, context: CommandContext) throws -> IMAPSettings
    {
        let (url, login) = try LoginSource.mailbox(
            service: "IMAP", prefix: "imap", url: self.url, user: user, auth: auth, passwordFile: passwordFile,
            passwordCommand: passwordCommand, tokenCommand: tokenCommand, environment: context.environment)
        var settings = IMAPSettings(url: url, login: login, tls: tls ?? .auto, caFile: caFile)
        settings.maxMessageSize = maxMessageSize ?? settings.maxMessageSize
        settings.folders = folders
        settings.commandTimeout = timeout ?? settings.commandTimeout
        settings.responseTimeout = min(settings.responseTimeout, settings.commandTimeout)
        settings.connectTimeout = connectTimeout ?? settings.connectTimeout
        return settings
    }
}
