/// The numbers of the OTP contract, in one place. The portal and the vendors' instructions depend on them.
package struct OTPPolicy: Equatable, Sendable {
    /// How long a code is valid after it was mailed: 30 minutes, as the issuer's notice says.
    var validity: Int64 = 30 * 60
    /// The least time between two codes for one vendor.
    var cooldown: Int64 = 60
    /// The most codes one vendor is mailed within any hour (counted from the audit trail).
    var issuesPerHour = 5
    /// The window of `issuesPerHour`.
    var capWindow: Int64 = 3600
    /// Wrong codes in a row that lock the vendor.
    package var wrongCodesBeforeLock = 5
    /// How long a lock lasts, in minutes (`otp_lock_minutes`): 0, the default, keeps the vendor locked until the
    /// issuer runs `otp unlock`; N lifts the lock N minutes after it was set, with a fresh count of wrong codes.
    /// Read when a lock is looked at, so a changed setting applies to locks already set too.
    package var lockMinutes = 0

    package init(lockMinutes: Int = 0) { self.lockMinutes = lockMinutes }

    package static let standard = OTPPolicy()

    /// The lock's length in words: `10 minutes`, `1 minute`.
    package var lockLength: String { lockMinutes == 1 ? "1 minute" : "\(lockMinutes) minutes" }

    /// When a lock set at `lockedAt` lifts by itself (UTC seconds), or nil when only `otp unlock` lifts it.
    package func lockLifts(lockedAt: Int64) -> Int64? {
        lockMinutes > 0 ? lockedAt + Int64(lockMinutes) * 60 : nil
    }
}
