import NotifierCore

/// `--expect-notice-by MM-DD` (`expect_notice_by`): the day of the renewal season by which `watch` expects the
/// coming fiscal year's update notice in the vault, and from which it says daily that none came.
struct NoticeAlarmOptions: OptionGroup {
    var expectNoticeBy: SeasonDay?

    static var options: [Option<Self>] {
        [
            .value(
                "--expect-notice-by", key: "expect_notice_by", "MM-DD", \.expectNoticeBy,
                "from this day (Japan time) of the renewal season on, while no trusted URL for the coming fiscal year "
                    + "is in the vault, say so once a day and mail --relay-to the template notice_missing (default "
                    + "02-15); when the certificate in use ends within 14 days and no OTP was seen, remind once "
                    + "(template otp_missing)", parse: Parse.seasonDay)
        ]
    }
}
