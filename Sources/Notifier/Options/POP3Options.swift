import Foundation
import NotifierCore

/// The mailbox `watch` reads over POP3: `--pop3 URL` and its login.
struct POP3Options: OptionGroup {
    var url: String?
    var user: String?
    var passwordFile: String?
    var passwordCommand: String?
    var auth: AuthMethod?
    var tokenCommand: String?
    var tls: POP3Settings.TLSMode?

    static var options: [Option<Self>] {
        [
            .value(
                "--pop3", key: "pop3_url", "URL", \.url,
                "the mailbox over POP3: pop3s://HOST[:PORT], or pop3://... with STLS; the user from --pop3-user (or "
                    + "user@ in the URL), the password from $NOTIFIER_POP3_PASSWORD, --pop3-password-file or "
                    + "--pop3-password-command (never argv), or a token from --pop3-token-command. Read-only (never DELE): each message is named by its UIDL, its headers are read first "
                    + "(TOP) and only a possible notice is downloaded (RETR). One short session per pass, every "
                    + "--poll seconds (default 60 for POP3): keep messages on the server at least a day",
                parse: Parse.pop3URL),
            .value("--pop3-user", key: "pop3_user", "USER", \.user, "the POP3 login name", parse: Parse.text),
            .value(
                "--pop3-password-file", key: "pop3_password_file", "PATH", \.passwordFile,
                "a file whose first line is the POP3 password (mode 0600)", parse: Parse.text),
        ]
            + LoginSource.options(
                service: "POP3", prefix: "pop3", passwordCommand: \.passwordCommand, auth: \.auth,
                tokenCommand: \.tokenCommand, reconnects: true)
            + [
                .value(
                    "--pop3-tls", key: "pop3_tls", "MODE", \.tls,
                    "auto (the default): STLS when offered; without it the login is refused (exit 69) unless the host "
                        + "is localhost, 127.x.x.x or ::1. required: refuse to log in without TLS. none: a login in clear "
                        + "allowed on purpose", parse: Parse.choice),
                .refused(
                    "--pop3-password",
                    because:
                        "passwords are not taken on the command line: set NOTIFIER_POP3_PASSWORD, --pop3-password-file or "
                        + "--pop3-password-command"),
            ]
    }

    /// The watched server's host name (it names the provider whose Authentication-Results count).
    var host: String? { ServerAccount.host(of: url) }

    /// The POP3 settings (these options already filled from the configuration): the user from --pop3-user or the
    /// URL's user part, the password from the environment, a file or a command, or a token from a command; never
    /// from argv; `--max-message-size`,
    /// `--connect-timeout` and `--timeout` as for IMAP.
    func settings(
        caFile: String?, connectTimeout: Int?, timeout: Int?, maxMessageSize: Int?, context: CommandContext
    ) throws -> POP3Settings {
        let (url, login) = try LoginSource.mailbox(
            service: "POP3", prefix: "pop3", url: self.url, user: user, auth: auth, passwordFile: passwordFile,
            passwordCommand: passwordCommand, tokenCommand: tokenCommand, environment: context.environment)
        var settings = POP3Settings(url: url, login: login, tls: tls ?? .auto, caFile: caFile)
        settings.maxMessageSize = maxMessageSize ?? settings.maxMessageSize
        settings.commandTimeout = timeout ?? settings.commandTimeout
        settings.responseTimeout = min(settings.responseTimeout, settings.commandTimeout)
        settings.connectTimeout = connectTimeout ?? settings.connectTimeout
        return settings
    }
}
