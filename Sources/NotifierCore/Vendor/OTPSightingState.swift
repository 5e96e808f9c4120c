/// What became of an OTP notice the vendor received: the state of its otp_sightings row (the schema's `CHECK` list
/// holds the same names). Only these four: the pipeline's other decisions never make a sighting.
enum OTPSightingState: String, CaseIterable, Sendable {
    /// Sent on to the installer (--relay-to, --relay-command).
    case relayed
    /// Fresh, but no relay was configured.
    case unrelayed
    /// Past its expiry when it arrived.
    case expired
    /// A newer OTP was already seen or relayed.
    case superseded
}

extension VendorPipeline.Decision {
    /// The pipeline's decision for an OTP notice that became this sighting.
    init(_ sighting: OTPSightingState) {
        switch sighting {
        case .relayed: self = .relayed
        case .unrelayed: self = .unrelayed
        case .expired: self = .expired
        case .superseded: self = .superseded
        }
    }
}
