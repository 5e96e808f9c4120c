import Foundation

extension Date {
    /// Whole seconds since 1970 (UTC), as the database keeps times; rounded down, so an expiry is never extended.
    var epochSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
}
