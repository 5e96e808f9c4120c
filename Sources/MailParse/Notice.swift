import Foundation

/// A number from 0 to 99 with a leading zero (String(format:) is slow on Linux).
public func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

/// A calendar date as a notice writes it (no time zone: the notices mean Japan time).
public struct CalendarDate: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A real date of the Gregorian calendar, or nil (2027/02/30 is no date).
    public init?(year: Int, month: Int, day: Int) {
        guard (1900...9999).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD` (ISO 8601).
    public var description: String { "\(year)-\(twoDigits(month))-\(twoDigits(day))" }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// A wall-clock time in Japan (Asia/Tokyo, UTC+09:00 all year: Japan has no daylight saving time).
public struct JapanTime: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let date: CalendarDate
    public let hour: Int
    public let minute: Int
    public let second: Int

    public init?(date: CalendarDate, hour: Int, minute: Int, second: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// `YYYY-MM-DDTHH:MM:SS+09:00`.
    public var description: String {
        "\(date)T\(twoDigits(hour)):\(twoDigits(minute)):\(twoDigits(second))+09:00"
    }

    /// The instant this wall-clock time is in Japan.
    public var instant: Date { JapanClock.instant(of: self) }

    public static func < (lhs: JapanTime, rhs: JapanTime) -> Bool {
        (lhs.date, lhs.hour, lhs.minute, lhs.second) < (rhs.date, rhs.hour, rhs.minute, rhs.second)
    }
}

/// What a message is to notifier: a certificate update notice, an OTP notice, or something else, with the fields
/// read from it and whether it may be acted on.
public struct Notice: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case updateNotice = "update_notice"
        case otp = "otp"
        case other = "other"
        /// A delivery failure report (`bounce` holds what it says); never trusted, never acted on as a notice.
        case bounce = "bounce"
    }

    public var kind: Kind
    /// True only when `TrustPolicy` accepts the sender and every URL; always false for `.other` and `.bounce`.
    public var trusted: Bool
    /// 業者コード, 7 ASCII digits.
    public var vendorCode: String?
    /// The download URL exactly as it must be opened.
    public var url: String?
    public var validFrom: CalendarDate?
    public var validUntil: CalendarDate?
    /// The one-time password, 8 ASCII letters and digits.
    public var otp: String?
    public var expiresAt: JapanTime?
    /// The decoded Subject.
    public var subject: String?
    /// The first mailbox of the From field.
    public var from: Mailbox?
    /// The Message-ID without angle brackets.
    public var messageID: String?
    /// What a `.bounce` reports; nil for every other kind.
    public var bounce: Bounce?
    /// Why the message could not be read, when it could not.
    public var error: String?
    /// Why a notice is not trusted, in words for a person (for reports), nil when trusted or `.other`.
    public var distrustReason: String?
    /// Why a notice is not trusted, as a stable code (`parse --json`'s `reason`), nil when trusted or `.other`.
    public var reason: DistrustReason?
    /// Whether the distrust is suspected phishing: a look-alike host, a spoofed display name or a link whose text
    /// shows another URL. A forward, a list, a relay's damage or a link rewriter is not.
    public var suspectedPhishing = false
    /// What was done to read the notice that a person should know of ("link rewritten by Safe Links; stored the
    /// issuer's original").
    public var notes: [String] = []
    /// Whether the vendor's receiving server vouched for the sender (`SenderAuthentication`); nil when the trust
    /// policy names no authserv-id.
    public var authenticated: Bool?
    /// The Date field's instant, when it has one that reads.
    public var sentAt: Date?
    /// An OTP notice whose expiry is further from its Date than any issuer's OTP lives (`OTPPlausibility`).
    public var implausibleExpiry = false

    public init(kind: Kind = .other) {
        self.kind = kind
        self.trusted = false
    }
}
