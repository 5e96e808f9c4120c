import Foundation
import MailParse

/// The vendor code names no vendor in the registry (EX_NOUSER, 67): the one the mail would go to does not exist.
/// Chosen over 65 because sysexits(3) means 67 for exactly this ("the user specified did not exist") and the caller
/// acts as on a mail refused for good: no retry, the issuer must look. Standard error tells the two apart.
package struct UnknownVendorError: NotifierError, Equatable {
    let vendorCode: VendorCode
    let database: String

    package init(vendorCode: VendorCode, database: String) {
        self.vendorCode = vendorCode
        self.database = database
    }
    package var message: String {
        "no vendor \(vendorCode) in the registry (\(database)); check the code, or import the vendor list first"
    }
}

/// A new code was asked for too soon (EX_TEMPFAIL, 75): the mails a vendor gets are limited, so that a script or
/// an impatient double click cannot fill their mailbox.
package struct OTPRateLimitError: NotifierError, Equatable {
    package enum Reason: Equatable {
        /// The last code went out less than the cooldown ago.
        case cooldown(seconds: Int)
        /// The hourly cap was reached.
        case hourlyCap(issues: Int)
    }

    let vendorCode: VendorCode
    package let reason: Reason
    /// The first moment a new code will be mailed (UTC seconds).
    let retryAt: Int64
    /// When the refusal was made (UTC seconds).
    let now: Int64

    package var message: String {
        let when = "try again after \(JapanClock.iso8601(seconds: retryAt)) (in \(max(1, retryAt - now)) s)"
        switch reason {
        case .cooldown(let seconds):
            return "vendor \(vendorCode): a code was mailed less than \(seconds) s ago; \(when)"
        case .hourlyCap(let issues):
            return "vendor \(vendorCode): \(counted(issues, "code")) \(issues == 1 ? "was" : "were") mailed within the "
                + "last hour, the most allowed; \(when)"
        }
    }
}

/// The vendor is locked after too many wrong codes (EX_NOPERM, 77): no code is mailed or accepted until the
/// issuer unlocks them, or, with `otp_lock_minutes`, until the lock lifts by itself.
package struct OTPLockedError: NotifierError, Equatable {
    let vendorCode: VendorCode
    let lockedAt: Int64
    let wrongCodes: Int
    /// When the lock lifts by itself (UTC seconds); nil when only `otp unlock` lifts it.
    var liftsAt: Int64? = nil

    package var message: String {
        let since =
            "vendor \(vendorCode) is locked since \(JapanClock.iso8601(seconds: lockedAt)) after "
            + "\(counted(wrongCodes, "wrong code")) in a row"
        let unlock = "'notifier otp unlock --vendor \(vendorCode)'"
        guard let liftsAt else { return "\(since); the issuer must check with the vendor and run \(unlock)" }
        return "\(since), until \(JapanClock.iso8601(seconds: liftsAt)) (otp_lock_minutes); try again then, or the "
            + "issuer may check with the vendor and run \(unlock)"
    }
}

/// The code could not be mailed; it was discarded and is not valid. The exit code is the delivery's (75 try again
/// later, 67 refused for good, 69 no server, 77 login refused), as `send` ends.
package struct OTPDeliveryError: NotifierError, Equatable {
    let vendorCode: VendorCode
    let email: String
    package let delivery: Delivery

    package var message: String {
        "vendor \(vendorCode): the code could not be mailed to \(email) (\(delivery.outcome.rawValue): "
            + "\(delivery.reply)); it was discarded and is not valid"
    }
}

/// The key file is missing its protection, damaged, or cannot be made (EX_CONFIG, 78).
package struct OTPKeyFileError: NotifierError, Equatable {
    enum Problem: Equatable {
        case tooOpen(mode: Int)
        case wrongSize(Int)
        case notAFile
        case unreadable(String)
        case cannotCreate(String)
    }

    let path: String
    let problem: Problem

    package var message: String {
        switch problem {
        case .tooOpen(let mode):
            return "the OTP key file \(path) can be read by others (mode \(String(mode, radix: 8))); "
                + "chmod 600 \(path), and if others may have read it, delete it (every issued code becomes invalid)"
        case .wrongSize(let count):
            return
                "the OTP key file \(path) holds \(counted(count, "byte")), not \(OTPKey.size): it is damaged; restore it from "
                + "a backup, or delete it to make a new key (every issued code becomes invalid)"
        case .notAFile:
            return "the OTP key file \(path) is not a regular file; set NOTIFIER_OTP_KEY_FILE to a file path"
        case .unreadable(let reason):
            return "cannot read the OTP key file \(path): \(reason); check its owner and permissions"
        case .cannotCreate(let reason):
            return "cannot create the OTP key file \(path): \(reason); check the folder, or set NOTIFIER_OTP_KEY_FILE"
        }
    }
}

/// libcrypto could not compute an HMAC (EX_SOFTWARE, 70): nothing was stored or accepted.
struct OTPCryptoError: NotifierError, Equatable {
    package var message: String { "libcrypto could not compute HMAC-SHA-256; nothing was stored or accepted" }
}

/// The registry's address for the vendor is not one a mail can go to (EX_DATAERR, 65); no code was mailed.
package struct VendorAddressError: NotifierError, Equatable {
    let vendorCode: VendorCode
    let email: String
    package var message: String {
        "vendor \(vendorCode): the registry's address '\(email)' is not a mail address like name@example.jp; "
            + "correct it in the vendor list"
    }
}
