/// Where a notice (one vendor's row of the notices table for a fiscal year) stands. The schema's `CHECK` list holds
/// the same names; what a delivery outcome means for a notice is decided here and nowhere else.
package enum NoticeState: String, CaseIterable, Sendable {
    /// Planned, never tried.
    case pending
    /// Claimed: an exchange is under way, or was when the process died (sent again, with the same Message-ID).
    case sending
    case sent
    /// A transient failure: tried again from `next_attempt_at`.
    case deferred
    /// Refused for good, with the server's reply.
    case failed
    /// Accepted, then returned: a permanent delivery status notification came back (`bounces watch`), its status
    /// and diagnostic kept with the notice.
    case bounced

    /// The states a run may claim.
    static let claimable: [NoticeState] = [.pending, .sending, .deferred]

    /// The states `notices requeue --state` takes back to pending (a sent notice is requeued by vendor only).
    package static let requeueable: [NoticeState] = [.failed, .bounced, .deferred]

    /// Whether `notices status` lists the notice among the problems.
    package var needsAttention: Bool { self == .deferred || self == .failed || self == .bounced }

    /// When a notice left in this state by `outcome` is tried again.
    enum Retry: Equatable {
        case never
        /// On the next run, without waiting: the server, not the message, was the trouble.
        case nextRun
        /// After the backoff of its attempts.
        case afterBackoff
    }
}

extension Delivery.Outcome {
    /// The state a notice is left in after this outcome.
    var noticeState: NoticeState {
        switch self {
        case .sent: return .sent
        case .permanent: return .failed
        case .transient, .unavailable, .authentication: return .deferred
        }
    }

    /// When the notice is tried again.
    var retry: NoticeState.Retry {
        switch self {
        case .sent, .permanent: return .never
        case .transient: return .afterBackoff
        case .unavailable, .authentication: return .nextRun
        }
    }

    /// Whether the batch stops here (no server to talk to, or a login refused): every later notice would meet the
    /// same, so the rest stay as they are for the next run.
    var stopsTheBatch: Bool { retry == .nextRun }
}
