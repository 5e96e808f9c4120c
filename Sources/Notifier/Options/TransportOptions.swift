import Foundation
import NotifierCore

/// Where messages go: an SMTP server (`--smtp URL` and its settings) or a Maildir (`--outbox DIR`). Shared by every
/// command that sends.
struct TransportOptions: OptionGroup {
    var smtpURL: String?
    var outbox: String?
    var smtpUser: String?
    var smtpTLS: SMTPSettings.TLSMode?
    var caFile: String?
    var passwordFile: String?
    var passwordCommand: String?
    var auth: AuthMethod?
    var tokenCommand: String?
    var connectTimeout: Int?
    var timeout: Int?

    static var options: [Option<Self>] {
        [
            .value(
                "--smtp", key: "smtp_url", "URL", \.smtpURL,
                "send through this server: smtp://HOST[:PORT] (STARTTLS when offered) or smtps://HOST[:PORT]",
                parse: Parse.smtpURL),
            .value(
                "--outbox", "DIR", \.outbox,
                "write into the Maildir DIR instead (tmp/ then new/); the default when no SMTP server is configured "
                    + "is $XDG_DATA_HOME/notifier/outbox", parse: Parse.text),
            .value(
                "--smtp-user", key: "smtp_user", "USER", \.smtpUser,
                "log in as USER; the password comes from $NOTIFIER_SMTP_PASSWORD, the password file or the password "
                    + "command (never from the command line), or a token from --smtp-token-command", parse: Parse.text),
            .value(
                "--smtp-password-file", key: "smtp_password_file", "PATH", \.passwordFile,
                "a file whose first line is the SMTP password (mode 0600)", parse: Parse.text),
        ]
            + LoginSource.options(
                service: "SMTP", prefix: "smtp", passwordCommand: \.passwordCommand, auth: \.auth,
                tokenCommand: \.tokenCommand, reconnects: false)
            + [
                .value(
                    "--smtp-tls", key: "smtp_tls", "MODE", \.smtpTLS,
                    "auto (the default): STARTTLS when offered; without it a login is refused (exit 69) unless the host "
                        + "is localhost, 127.x.x.x or ::1. required: refuse to send in clear. none: STARTTLS when offered, "
                        + "and a login in clear allowed on purpose", parse: Parse.choice),
                .value(
                    "--ca-file", key: "ca_file", "PATH", \.caFile,
                    "trust this CA bundle (a private CA); certificates are always verified", parse: Parse.text),
                .value(
                    "--connect-timeout", key: "smtp_connect_timeout", "S", \.connectTimeout,
                    "seconds to wait for the connection (default 10)", parse: Parse.seconds),
                .value(
                    "--timeout", key: "smtp_timeout", "S", \.timeout, "seconds one message may take (default 120)",
                    parse: Parse.seconds),
                .refused(
                    "--smtp-password",
                    because: "passwords are not taken on the command line (every user can read it): set "
                        + "NOTIFIER_SMTP_PASSWORD or --smtp-password-file"),
                .refused(
                    "--password",
                    because: "passwords are not taken on the command line (every user can read it): set "
                        + "NOTIFIER_SMTP_PASSWORD or --smtp-password-file"),
            ]
    }

    func validate() throws {
        if smtpURL != nil && outbox != nil { throw UsageError("give --smtp or --outbox, not both") }
    }

    /// The transport these options name (already filled from the configuration): `--outbox`, else `--smtp` or
    /// smtp_url, else the default outbox.
    func transport(context: CommandContext) throws -> MessageTransport {
        if let outbox { return try MaildirOutbox(path: outbox) }
        guard let url = smtpURL else { return try MaildirOutbox(path: try context.paths.defaultOutbox()) }
        var settings = SMTPSettings(url: url)
        settings.tls = smtpTLS ?? .auto
        settings.caFile = caFile
        settings.connectTimeout = connectTimeout ?? settings.connectTimeout
        settings.timeout = timeout ?? settings.timeout
        settings.responseTimeout = min(settings.responseTimeout, settings.timeout)
        if let user = smtpUser {
            let source = LoginSource(
                service: "SMTP", prefix: "smtp", user: user, method: auth ?? .password, passwordFile: passwordFile,
                passwordCommand: passwordCommand, tokenCommand: tokenCommand)
            settings.login = try source.login(environment: context.environment)
            guard settings.login != nil else {
                throw ConfigurationError(
                    "--smtp-user is set but there is no password: set NOTIFIER_SMTP_PASSWORD, smtp_password_file or "
                        + "smtp_password_command (or smtp_auth = xoauth2 with smtp_token_command)")
            }
        } else if (auth != nil && auth != .password) || tokenCommand != nil {
            throw UsageError("--smtp-auth and --smtp-token-command need --smtp-user (smtp_user): the login name")
        }
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError("cannot read the CA file \(caFile)")
        }
        return SMTPTransport(settings: settings)
    }
}
