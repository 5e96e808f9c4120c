import NotifierCore

/// The one place where what happened becomes how the process ends. The core's errors and deliveries say what went
/// wrong; only the executable decides what a mail server, a timer or a script is told to do about it (sysexits(3):
/// 75 try again later, 67 refused for good, 78 fix the configuration ...).
extension ExitCode {
    init(for error: Error) {
        switch error {
        // The command line, or a value the core refused that no caller put a name to.
        case is UsageError, is InvalidValue, is UnknownTemplateError:
            self = .usage
        // Data that cannot be used as it is: fixing it is the person's job, retrying does not help.
        case is DataError, is TemplateError, is VendorCSVError, is VendorAddressError:
            self = .dataError
        case is InputError, is NoStoredURLError, is UnknownTokenError, is NothingToRequeueError:
            self = .noInput
        case is UnknownVendorError:
            self = .noUser
        case is OutboxError, is LockFileError, is ManualWriteError:
            self = .cannotCreate
        // Someone else holds what is needed, or a relay did not get through: the same call may work later.
        case is BusyError, is IngestError, is OTPRateLimitError, is OTPRelay.RelayError:
            self = .temporaryFailure
        // A locked OTP, or a token or password command that failed: the login cannot be made.
        case is OTPLockedError, is SecretCommandError:
            self = .noPermission
        case is ConfigurationError, is OTPKeyFileError, is PasswordFileError:
            self = .configuration
        case let error as OTPDeliveryError:
            self.init(for: error.delivery)
        case let error as IMAPError:
            self.init(for: error.kind)
        case let error as POP3Error:
            self.init(for: error.kind)
        case let error as SQLiteError:
            switch error.category {
            case .busy, .storage: self = .temporaryFailure
            case .access: self = .cannotCreate
            case .other: self = .software
            }
        default:
            // CurlError, OTPCryptoError, InternalError and anything that is not notifier's own.
            self = .software
        }
    }

    /// How a command that hands over one message ends (`send`, `resend-url`, `otp issue`, a batch that stopped).
    init(for delivery: Delivery) {
        switch delivery.outcome {
        case .sent: self = .success
        case .transient: self = .temporaryFailure
        case .permanent: self = .noUser
        case .unavailable: self = .unavailable
        case .authentication: self = .noPermission
        }
    }

    /// How a command ends on an IMAP failure it does not recover from.
    init(for kind: IMAPError.Kind) {
        switch kind {
        case .unavailable, .refused, .noSuchMessage: self = .unavailable
        case .login: self = .noPermission
        case .connectionLost, .timeout, .flood: self = .temporaryFailure
        case .messageTooLarge: self = .dataError
        case .noSuchMailbox: self = .noInput
        case .protocolError: self = .software
        }
    }

    /// The same for POP3: a mailbox that cannot be reached or read is 69, a refused login 77, a lost connection 75.
    init(for kind: POP3Error.Kind) {
        switch kind {
        case .unavailable, .refused: self = .unavailable
        case .login: self = .noPermission
        case .connectionLost, .timeout, .sessionChanged, .busy: self = .temporaryFailure
        case .tooLarge: self = .dataError
        case .protocolError: self = .software
        }
    }
}
