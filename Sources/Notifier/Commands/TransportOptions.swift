import Foundation

/// Where messages go: an SMTP server (`--smtp URL` and its settings) or a Maildir (`--outbox DIR`). Shared by every
/// command that sends.
struct TransportOptions {
    var smtpURL: String?
    var outbox: String?
    var smtpUser: String?
    var smtpTLS: SMTPSettings.TLSMode?
    var caFile: String?
    var passwordFile: String?
    var connectTimeout: Int?
    var timeout: Int?

    static let help = """
          --smtp URL            send through this server: smtp://HOST[:PORT] (STARTTLS when offered) or
                                smtps://HOST[:PORT] (default: the configuration's smtp_url)
          --outbox DIR          write into the Maildir DIR instead (tmp/ then new/); the default when no SMTP
                                server is configured is $XDG_DATA_HOME/notifier/outbox
          --smtp-user USER      log in as USER; the password comes from $NOTIFIER_SMTP_PASSWORD or the file named
                                by --smtp-password-file or smtp_password_file (never from the command line)
          --smtp-password-file PATH
          --smtp-tls MODE       auto (the default): STARTTLS when offered; without it a login is refused (exit 69)
                                unless the host is localhost, 127.x.x.x or ::1. required: refuse to send in clear.
                                none: STARTTLS when offered, and a login in clear allowed on purpose
          --ca-file PATH        trust this CA bundle (a private CA); certificates are always verified
          --connect-timeout S   seconds to wait for the connection (default 10)
          --timeout S           seconds one message may take (default 120)
        """

    mutating func take(_ word: Arguments.Word, from arguments: inout Arguments) throws -> Bool {
        func seconds(_ option: String, _ inline: String?) throws -> Int {
            let value = try arguments.value(for: option, inlineValue: inline)
            guard let number = Int(value), (1...3600).contains(number) else {
                throw UsageError("\(option) takes a number of seconds from 1 to 3600, not '\(value)'")
            }
            return number
        }
        switch word {
        case .option("--smtp", let inline):
            let value = try arguments.value(for: "--smtp", inlineValue: inline)
            do { smtpURL = try SMTPSettings.validatedURL(value) } catch { throw UsageError("--smtp \(error.reason)") }
        case .option("--outbox", let inline):
            outbox = try arguments.value(for: "--outbox", inlineValue: inline)
        case .option("--smtp-user", let inline):
            smtpUser = try arguments.value(for: "--smtp-user", inlineValue: inline)
        case .option("--smtp-password-file", let inline):
            passwordFile = try arguments.value(for: "--smtp-password-file", inlineValue: inline)
        case .option("--smtp-tls", let inline):
            let value = try arguments.value(for: "--smtp-tls", inlineValue: inline)
            guard let mode = SMTPSettings.TLSMode(rawValue: value) else {
                throw UsageError("--smtp-tls must be auto, required or none, not '\(value)'")
            }
            smtpTLS = mode
        case .option("--ca-file", let inline):
            caFile = try arguments.value(for: "--ca-file", inlineValue: inline)
        case .option("--connect-timeout", let inline):
            connectTimeout = try seconds("--connect-timeout", inline)
        case .option("--timeout", let inline):
            timeout = try seconds("--timeout", inline)
        case .option("--smtp-password", _), .option("--password", _):
            throw UsageError(
                "passwords are not taken on the command line (every user can read it): set NOTIFIER_SMTP_PASSWORD "
                    + "or --smtp-password-file")
        default:
            return false
        }
        return true
    }

    func validate() throws {
        if smtpURL != nil && outbox != nil { throw UsageError("give --smtp or --outbox, not both") }
    }

    /// The transport these options and the configuration name: `--outbox`, else `--smtp` or smtp_url, else the
    /// default outbox.
    func transport(configuration: Configuration, context: CommandContext) throws -> MessageTransport {
        if let outbox { return try MaildirOutbox(path: outbox) }
        guard let url = smtpURL ?? configuration.smtpURL else {
            return try MaildirOutbox(path: try context.paths.defaultOutbox())
        }
        var settings = SMTPSettings(url: url)
        settings.tls = smtpTLS ?? configuration.smtpTLS ?? .auto
        settings.caFile = caFile ?? configuration.caFile
        settings.connectTimeout = connectTimeout ?? configuration.smtpConnectTimeout ?? settings.connectTimeout
        settings.timeout = timeout ?? configuration.smtpTimeout ?? settings.timeout
        settings.responseTimeout = min(settings.responseTimeout, settings.timeout)
        if let user = smtpUser ?? configuration.smtpUser {
            settings.credentials = try Credentials.password(
                user: user, variable: "NOTIFIER_SMTP_PASSWORD", passwordFile: passwordFile ?? configuration.smtpPasswordFile,
                environment: context.environment, service: "SMTP")
            guard settings.credentials != nil else {
                throw ConfigurationError(
                    "--smtp-user is set but there is no password: set NOTIFIER_SMTP_PASSWORD or smtp_password_file")
            }
        }
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError("cannot read the CA file \(caFile)")
        }
        return SMTPTransport(settings: settings)
    }
}
