import NotifierCore

/// `--expect-notice-by MM-DD` (`expect_notice_by`): the day of the renewal season by which `watch` expects the
/// coming fiscal year's update notice in the vault, and from which it says daily that none came; `off`: never.
struct NoticeAlarmOptions: OptionGroup {
    /// The day, or no alarm at all (a watcher that is not the vendor's only one, a test machine).
    enum Day: Equatable {
        case day(SeasonDay)
        case off
    }

    var expectNoticeBy: Day?

    /// The day the alarm is due, nil when it is off: the default when none is set.
    var day: SeasonDay? {
        switch expectNoticeBy {
        case .day(let day): day
        case .off: nil
        case nil: .expectNoticeBy
        }
    }

    static var options: [Option<Self>] {
        [
            .value(
                "--expect-notice-by", key: "expect_notice_by", "MM-DD", \.expectNoticeBy,
                "from this day (Japan time) of the renewal season on, while no trusted URL for the coming fiscal year "
                    + "is in the vault, say so once a day and mail --relay-to the template notice_missing (default "
                    + "02-15); when the certificate in use ends within 14 days and no OTP was seen, remind once "
                    + "(template otp_missing); off: neither", parse: Self.parse)
        ]
    }

    static func parse(_ value: String) throws -> Day {
        if value.lowercased() == "off" { return .off }
        guard let day = SeasonDay(value) else {
            throw InvalidValue("takes a day of the year as MM-DD, like 02-15, or off")
        }
        return .day(day)
    }
}
