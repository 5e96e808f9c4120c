import Foundation
import MailParse
import NotifierCore

/// The typed parses of the option tables: a word in, a value out, or `InvalidValue` with a reason that reads after
/// the option's name (`--smtp-tls must be auto, required or none`). The same parse serves the command line and the
/// configuration file.
enum Parse {
    static func text(_ value: String) -> String { value }

    /// A whole number in `range`.
    static func number(_ range: ClosedRange<Int>, _ what: String = "a number") -> (String) throws -> Int {
        { value in
            guard let number = Int(value), range.contains(number) else {
                throw InvalidValue("takes \(what) from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
    }

    /// Seconds from 1 to 3600.
    static func seconds(_ value: String) throws -> Int { try number(1...3600, "a number of seconds")(value) }

    /// One of a type's raw values (`auto`, `required`, `none`).
    static func choice<T: RawRepresentable & CaseIterable>(_ value: String) throws -> T where T.RawValue == String {
        guard let parsed = T(rawValue: value.lowercased()) else {
            let names = T.allCases.map(\.rawValue)
            throw InvalidValue("must be \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "")")
        }
        return parsed
    }

    /// One mailbox, `Name <local@domain>` or `local@domain`, parsed once here. A line break or control character
    /// in it is refused as unsafe text (EX_DATAERR on the command line).
    static func mailbox(_ value: String) throws -> Mailbox {
        if let scalar = TextSafety.firstForbidden(in: value) { throw UnsafeText(reason: TextSafety.reason(scalar)) }
        guard let mailbox = Validation.mailbox(value) else {
            throw InvalidValue("takes an address like 'Name <name@example.jp>' or name@example.jp")
        }
        return mailbox
    }

    /// A return path: `local@domain`, or with `{token}` once in the local part (VERP).
    static func returnPath(_ value: String) throws -> ReturnPath {
        guard let path = ReturnPath(value) else {
            throw InvalidValue(
                "takes an address like bounces@to-kousya.example or bounces+{token}@to-kousya.example "
                    + "({token} at most once, in the local part, which stays under 64 characters once filled)")
        }
        return path
    }

    /// A plain `local@domain`.
    static func addrSpec(_ value: String) throws -> String {
        guard Validation.isAddrSpec(value) else { throw InvalidValue("takes an address like name@example.jp") }
        return value
    }

    /// An ASCII host name; `example` shows what kind.
    static func host(like example: String) -> (String) throws -> String {
        { value in
            guard Validation.isHostName(value) else { throw InvalidValue("takes a host name like \(example)") }
            return value
        }
    }

    /// A size in bytes, with K, M or G.
    static func size(_ value: String) throws -> Int {
        guard let size = Validation.byteSize(value) else { throw InvalidValue("takes a size from 1K to 1G, like 32M") }
        return size
    }

    /// An https:// URL to which `?t=TOKEN` can be added.
    static func downloadURLBase(_ value: String) throws -> String {
        guard Validation.isDownloadURLBase(value) else {
            throw InvalidValue("must be an https:// URL without spaces or '#'")
        }
        return value
    }

    /// `smtp://HOST[:PORT]` or `smtps://HOST[:PORT]`.
    static func smtpURL(_ value: String) throws -> String {
        do {
            return try SMTPSettings.validatedURL(value)
        } catch {
            throw InvalidValue(error.reason, mayHoldSecret: true)
        }
    }

    /// `imaps://HOST[:PORT]/MAILBOX` or `imap://...`; a user name in it is the other spelling of `--imap-user`.
    static func imapURL(_ value: String) throws -> String {
        var components = URLComponents(string: value)
        if components?.password != nil {
            throw InvalidValue(
                "must not carry a password: set NOTIFIER_IMAP_PASSWORD or --imap-password-file", mayHoldSecret: true)
        }
        components?.user = nil
        do {
            _ = try IMAPSettings.endpoint(of: components?.string ?? value)
            return value
        } catch {
            throw InvalidValue(error.reason, mayHoldSecret: true)
        }
    }

    /// `pop3s://HOST[:PORT]` or `pop3://HOST[:PORT]`; a user name in it is the other spelling of `--pop3-user`.
    static func pop3URL(_ value: String) throws -> String {
        var components = URLComponents(string: value)
        if components?.password != nil {
            throw InvalidValue(
                "must not carry a password: set NOTIFIER_POP3_PASSWORD or --pop3-password-file", mayHoldSecret: true)
        }
        components?.user = nil
        do {
            _ = try POP3Settings.serverURL(of: components?.string ?? value)
            return value
        } catch {
            throw InvalidValue(error.reason, mayHoldSecret: true)
        }
    }

    /// `NAME=VALUE`.
    static func variable(_ value: String) throws -> (name: String, value: String) {
        guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
            throw InvalidValue("takes NAME=VALUE")
        }
        return (String(value[..<equals]), String(value[value.index(after: equals)...]))
    }
}

/// Text that may not go into a message header: a line break or a control character (EX_DATAERR on the command line,
/// a configuration error in the file).
struct UnsafeText: Error {
    let reason: String
}

extension SMTPSettings.TLSMode: CaseIterable {
    package static var allCases: [Self] { [.auto, .required, .none] }
}

extension IMAPSettings.TLSMode: CaseIterable {
    package static var allCases: [Self] { [.auto, .required, .none] }
}
