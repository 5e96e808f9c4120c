/// What the audit trail records about one vendor's codes, one row each (`audit.event`). The names are part of the
/// trail's meaning: `otp_issue_started` rows are what the cooldown and the hourly cap count.
enum OTPEvent: String, CaseIterable, Sendable {
    /// A code was made and handed to the mail. Counted by the cooldown and the cap whatever the mail's outcome,
    /// so that neither a double click nor a retry loop against a failing server can send more than the cap allows.
    case issueStarted = "otp_issue_started"
    /// The mail was accepted and the code stored: valid from now until its expiry.
    case issued = "otp_issued"
    /// The mail could not be sent; the code was discarded.
    case issueFailed = "otp_issue_failed"
    /// No code was made: unknown vendor, locked vendor, cooldown or hourly cap.
    case issueRefused = "otp_issue_refused"
    /// A code was accepted (and is used from now on).
    case verified = "otp_verified"
    /// A code was not accepted: wrong, expired, already used, or not a code at all.
    case verifyFailed = "otp_verify_failed"
    /// A code was not even looked at: the vendor is locked, or unknown.
    case verifyRefused = "otp_verify_refused"
    /// Too many wrong codes in a row: the vendor is locked until unlocked (or until `otp_lock_minutes` pass).
    case locked = "otp_locked"
    /// The issuer cleared the lock and the wrong-code counter.
    case unlocked = "otp_unlocked"
    /// A lock of `otp_lock_minutes` ran out: recorded by the first issue, verify or unlock that finds it so (the
    /// detail names the moment it lifted), with the wrong-code counter cleared.
    case lockLifted = "otp_lock_lifted"
    /// The mail with a code came back undelivered (a bounce read by `bounces watch`): the vendor never got it.
    case bounced = "otp_bounced"
}
