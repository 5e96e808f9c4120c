import Foundation
import MailParse

/// Issues, verifies and unlocks one-time passwords for the download portal.
///
/// A code lives in memory and in the vendor's mail only: the database keeps HMAC-SHA-256(key, vendor:code), and
/// nothing this type writes or returns for printing holds the code. The clock is injected so that tests can move
/// time; the commands use the real one.
package struct OTPService {
    package let store: OTPStore
    /// The key file (`OTPKey.path`), read when a code is made or checked; unlocking does not need it.
    let keyFile: String
    package let policy: OTPPolicy
    let now: () -> Date

    package init(
        database: Database, keyFile: String, policy: OTPPolicy = .standard, now: @escaping () -> Date = { Date() }
    ) {
        store = OTPStore(database: database)
        self.keyFile = keyFile
        self.policy = policy
        self.now = now
    }

    private var database: Database { store.database }

    // MARK: Issue

    /// What the mail must carry. The only value holding the code that leaves this type.
    package struct Mail {
        let vendorCode: VendorCode
        let email: String
        let code: String
        /// UTC seconds.
        let expiresAt: Int64
    }

    /// How the mail went: the transport's outcome and the message's Message-ID, for the audit trail.
    package struct Handover {
        let delivery: Delivery
        let messageID: String?
    }

    /// A code that was mailed and is now valid.
    package struct Issued: Equatable {
        package let email: String
        /// UTC seconds.
        package let expiresAt: Int64
    }

    /// Makes a new code for the vendor and has `send` mail it, before returning. Only a code whose mail was
    /// accepted is stored (replacing the vendor's older one); one that could not be sent never is, so it is not
    /// valid, and the vendor's older code, if any, stays as it was.
    ///
    /// Short transactions rather than one long one: the write lock is never held while a mail server thinks (up to
    /// the SMTP timeout). The first checks and reserves (an `otp_issue_started` row, which the cooldown and the cap
    /// count, so a second issue at the same moment is refused); the second stores the code, or records why not.
    /// A mail that timed out may still arrive: its code is not valid, which is the safe way to be wrong.
    ///
    /// - Throws: `UnknownVendorError` (67), `OTPLockedError` (77), `OTPRateLimitError` (75), `OTPDeliveryError`
    ///   (the delivery's code), `OTPKeyFileError` (78), or whatever `send` throws.
    package func issue(vendorCode: VendorCode, send: (Mail) throws -> Handover) throws -> Issued {
        let key = try OTPKey.load(path: keyFile)
        let issuedAt = now().epochSeconds
        let expiresAt = issuedAt + policy.validity
        let code = OTPCode.generate()
        let digest = try key.digest(vendorCode: vendorCode, code: code)

        let gate: Gate = try database.transaction {
            let gate = try admit(vendorCode, at: issuedAt)
            switch gate {
            case .open(let email):
                try store.audit(
                    .issueStarted, vendorCode: vendorCode, at: issuedAt,
                    detail: "mailing a new code to \(email), valid until \(JapanClock.iso8601(seconds: expiresAt))")
            case .refused(_, let why):
                try store.audit(.issueRefused, vendorCode: vendorCode, at: issuedAt, detail: why)
            }
            return gate
        }
        let email: String
        switch gate {
        case .refused(let error, _): throw error
        case .open(let address): email = address
        }

        let handover: Handover
        do {
            handover = try send(Mail(vendorCode: vendorCode, email: email, code: code, expiresAt: expiresAt))
        } catch {
            let reason = error.personMessage
            try? database.transaction {
                try store.audit(
                    .issueFailed, vendorCode: vendorCode, at: now().epochSeconds,
                    detail: "not mailed to \(email): \(reason); the code was discarded", withholding: code)
            }
            throw error
        }
        let delivery = handover.delivery
        guard delivery.outcome == .sent else {
            try database.transaction {
                try store.audit(
                    .issueFailed, vendorCode: vendorCode, at: now().epochSeconds,
                    detail: "not mailed to \(email) (\(delivery.outcome.rawValue): \(delivery.reply)); "
                        + "the code was discarded", withholding: code)
            }
            throw OTPDeliveryError(vendorCode: vendorCode, email: email, delivery: delivery)
        }
        try database.transaction {
            try store.replaceCode(vendorCode, digest: digest, issuedAt: issuedAt, expiresAt: expiresAt)
            let id = handover.messageID.map { " (Message-ID <\($0)>)" } ?? ""
            try store.audit(
                .issued, vendorCode: vendorCode, at: now().epochSeconds,
                detail:
                    "mailed to \(email)\(id): \(delivery.reply); valid until \(JapanClock.iso8601(seconds: expiresAt))",
                withholding: code, messageID: handover.messageID)
        }
        return Issued(email: email, expiresAt: expiresAt)
    }

    /// Whether a new code may be made: the answer of the first transaction, committed with its audit row before
    /// a refusal is thrown (a throw inside the transaction would roll the row back).
    private enum Gate {
        case open(email: String)
        case refused(any NotifierError, why: String)
    }

    /// Checks, in this order: the vendor exists, is not locked (a code could not be used anyway), the last code is
    /// older than the cooldown, and fewer than the cap were made within the window.
    private func admit(_ vendorCode: VendorCode, at now: Int64) throws -> Gate {
        guard let email = try store.vendorEmail(vendorCode) else {
            return .refused(UnknownVendorError(vendorCode: vendorCode, database: database.path), why: "unknown vendor")
        }
        let guardState = try currentGuard(vendorCode, at: now)
        if let lockedAt = guardState.lockedAt {
            let error = OTPLockedError(
                vendorCode: vendorCode, lockedAt: lockedAt, wrongCodes: guardState.wrongInARow,
                liftsAt: policy.lockLifts(lockedAt: lockedAt))
            return .refused(error, why: "locked since \(JapanClock.iso8601(seconds: lockedAt))")
        }
        let recent = try store.eventTimes(vendorCode, .issueStarted, after: now - policy.capWindow)
        var refusals: [OTPRateLimitError] = []
        if let last = recent.last, last + policy.cooldown > now {
            refusals.append(
                OTPRateLimitError(
                    vendorCode: vendorCode, reason: .cooldown(seconds: Int(policy.cooldown)),
                    retryAt: last + policy.cooldown, now: now))
        }
        if recent.count >= policy.issuesPerHour {
            // The window rolls: a new code is allowed once enough of these have aged out of it.
            let oldestThatMustAge = recent[recent.count - policy.issuesPerHour]
            refusals.append(
                OTPRateLimitError(
                    vendorCode: vendorCode, reason: .hourlyCap(issues: recent.count),
                    retryAt: oldestThatMustAge + policy.capWindow, now: now))
        }
        if let binding = refusals.max(by: { $0.retryAt < $1.retryAt }) {
            let why: String
            switch binding.reason {
            case .cooldown(let seconds): why = "cooldown (\(seconds) s)"
            case .hourlyCap(let issues): why = "hourly cap (\(counted(issues, "code")) within the last hour)"
            }
            return .refused(binding, why: "\(why); retry after \(JapanClock.iso8601(seconds: binding.retryAt))")
        }
        return .open(email: email)
    }

    // MARK: Verify

    /// Why a code was not accepted (exit 1).
    package enum Rejection: Equatable {
        /// It matches no code of the vendor's: counted toward the lock. `locked` when this one locked the vendor.
        case wrong(inARow: Int, locked: Bool)
        /// It is the vendor's code, but the code expired (UTC seconds).
        case expired(at: Int64)
        /// It is the vendor's code, but it was used already.
        case used(at: Int64)
        /// It cannot be a code at all: wrong length, or characters outside the alphabet; the words say which
        /// (`OTPCode.malformation`).
        case malformed(String)
    }

    package enum Verdict: Equatable {
        /// The code is right and valid; it is used from now on.
        case valid
        case rejected(Rejection)
        /// The vendor is locked: the code was not looked at (exit 77).
        case locked(OTPLockedError)
        /// No such vendor (exit 67).
        case unknownVendor
    }

    /// Checks `input` (what the vendor typed) against the vendor's code, in one BEGIN IMMEDIATE transaction: two
    /// verifications of the same code at the same moment are serialized, and the second finds it used.
    ///
    /// What counts toward the lock: only input that has the shape of a code and does not match the vendor's code,
    /// since only such a guess tells an attacker anything. A right code that expired or was used already is the
    /// vendor's own mistake, not a guess; input that cannot be a code (7 characters, an `O`) can never match, so
    /// it gives nothing away either, and a vendor who mistypes is not pushed toward the lock for it. Small letters
    /// are read as capitals: a code typed in either case is one guess, not two. Only an accepted code resets the
    /// counter.
    package func verify(vendorCode: VendorCode, input: String) throws -> Verdict {
        let key = try OTPKey.load(path: keyFile)
        let typed = OTPCode.normalize(input)
        let candidate = OTPCode.canonical(typed)
        let malformation = OTPCode.malformation(candidate, typed: typed)
        // Codes are one case, so the code in small letters is the code: one guess, however it is typed.
        var digests = malformation == nil ? [try key.digest(vendorCode: vendorCode, code: candidate)] : []
        // A code mailed before codes were one case, typed as mailed (see `OTPCode.mixedCaseAlphabet`).
        if typed != candidate && OTPCode.isWellFormedMixedCase(typed) {
            digests.append(try key.digest(vendorCode: vendorCode, code: typed))
        }
        let at = now().epochSeconds
        return try database.transaction {
            guard try store.vendorEmail(vendorCode) != nil else {
                try store.audit(.verifyRefused, vendorCode: vendorCode, at: at, detail: "unknown vendor")
                return .unknownVendor
            }
            var state = try currentGuard(vendorCode, at: at)
            if let lockedAt = state.lockedAt {
                try store.audit(
                    .verifyRefused, vendorCode: vendorCode, at: at,
                    detail: "locked since \(JapanClock.iso8601(seconds: lockedAt)); the code was not checked")
                return .locked(
                    OTPLockedError(
                        vendorCode: vendorCode, lockedAt: lockedAt, wrongCodes: state.wrongInARow,
                        liftsAt: policy.lockLifts(lockedAt: lockedAt)))
            }
            let stored = try store.storedCode(vendorCode)
            // Every digest is compared, whichever matches, so the time taken does not tell which one did.
            let matches = stored.map { stored in digests.map { OTPKey.same(stored.digest, $0) }.contains(true) }
            if let malformation, matches != true {
                try store.audit(
                    .verifyFailed, vendorCode: vendorCode, at: at,
                    detail: "not a code: \(malformation); not counted toward the lock")
                return .rejected(.malformed(malformation))
            }
            guard let stored, matches == true else {
                state.wrongInARow += 1
                let locks = state.wrongInARow >= policy.wrongCodesBeforeLock
                if locks { state.lockedAt = at }
                try store.setGuard(vendorCode, state)
                let which = stored == nil ? "wrong code (none was issued)" : "wrong code"
                try store.audit(
                    .verifyFailed, vendorCode: vendorCode, at: at,
                    detail: "\(which): \(state.wrongInARow) of \(policy.wrongCodesBeforeLock) in a row")
                if locks {
                    try store.audit(
                        .locked, vendorCode: vendorCode, at: at,
                        detail: "locked after \(counted(state.wrongInARow, "wrong code")) in a row, "
                            + lockDuration(lockedAt: at))
                }
                return .rejected(.wrong(inARow: state.wrongInARow, locked: locks))
            }
            if let usedAt = stored.usedAt {
                try store.audit(
                    .verifyFailed, vendorCode: vendorCode, at: at,
                    detail:
                        "the code was already used at \(JapanClock.iso8601(seconds: usedAt)); not counted toward the lock"
                )
                return .rejected(.used(at: usedAt))
            }
            guard at < stored.expiresAt else {
                try store.audit(
                    .verifyFailed, vendorCode: vendorCode, at: at,
                    detail:
                        "the code expired at \(JapanClock.iso8601(seconds: stored.expiresAt)); not counted toward the lock"
                )
                return .rejected(.expired(at: stored.expiresAt))
            }
            try store.markUsed(vendorCode, at: at)
            if state.wrongInARow != 0 { try store.setGuard(vendorCode, OTPStore.Guard()) }
            // The portal checks a code just before the download: the vendor now holds the year's certificate.
            let year = RenewalCalendar.certificateYear(downloadedAt: Date(timeIntervalSince1970: TimeInterval(at)))
            try store.recordDownload(vendorCode, fiscalYear: year, at: at)
            try store.audit(
                .verified, vendorCode: vendorCode, at: at,
                detail:
                    "the code issued at \(JapanClock.iso8601(seconds: stored.issuedAt)) was accepted and is now used; "
                    + "the download of the fiscal year \(year) certificate is recorded")
            return .valid
        }
    }

    /// How long a new lock lasts, in words for the audit trail.
    private func lockDuration(lockedAt: Int64) -> String {
        guard let lifts = policy.lockLifts(lockedAt: lockedAt) else { return "until 'notifier otp unlock'" }
        return "for \(policy.lockLength) (otp_lock_minutes), until \(JapanClock.iso8601(seconds: lifts)), "
            + "or 'notifier otp unlock'"
    }

    /// The vendor's counter and lock as they stand at `now`: a lock whose `otp_lock_minutes` ran out is lifted here,
    /// with its counter, and the audit trail says when it lifted. Called inside the caller's transaction, so the
    /// lifting and what follows are one.
    private func currentGuard(_ vendorCode: VendorCode, at now: Int64) throws -> OTPStore.Guard {
        let state = try store.guardState(vendorCode)
        guard let lockedAt = state.lockedAt, let lifts = policy.lockLifts(lockedAt: lockedAt), lifts <= now else {
            return state
        }
        try store.setGuard(vendorCode, OTPStore.Guard())
        try store.audit(
            .lockLifted, vendorCode: vendorCode, at: now,
            detail: "the lock set at \(JapanClock.iso8601(seconds: lockedAt)) after \(state.wrongInARow) wrong codes "
                + "in a row lifted at \(JapanClock.iso8601(seconds: lifts)) (otp_lock_minutes = \(policy.lockMinutes)); "
                + "the count of wrong codes starts again")
        return OTPStore.Guard()
    }

    // MARK: Unlock

    /// What unlocking found.
    package struct Unlocked: Equatable {
        /// When the lock was set; nil when the vendor was not locked.
        package let lockedAt: Int64?
        /// The wrong-code counter that was cleared.
        package let wrongInARow: Int
    }

    /// Clears the vendor's lock and wrong-code counter. Unlocking a vendor that is not locked is no error (the
    /// counter is cleared all the same), so a script may run it twice.
    /// - Throws: `UnknownVendorError` (67).
    package func unlock(vendorCode: VendorCode) throws -> Unlocked {
        let at = now().epochSeconds
        let result: Unlocked? = try database.transaction {
            guard try store.vendorEmail(vendorCode) != nil else { return nil }
            let state = try currentGuard(vendorCode, at: at)
            try store.setGuard(vendorCode, OTPStore.Guard())
            let was = state.lockedAt.map { "was locked since \(JapanClock.iso8601(seconds: $0))" } ?? "was not locked"
            try store.audit(
                .unlocked, vendorCode: vendorCode, at: at,
                detail: "\(was); \(counted(state.wrongInARow, "wrong code")) in a row cleared")
            return Unlocked(lockedAt: state.lockedAt, wrongInARow: state.wrongInARow)
        }
        guard let result else { throw UnknownVendorError(vendorCode: vendorCode, database: database.path) }
        return result
    }
}
