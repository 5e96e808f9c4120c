/// Where a long run shows how far it has come (the batch sender's count and pace). The executable picks the display
/// (a line redrawn on a terminal) or none; the core only says the numbers, never how they look.
package struct ProgressSink: Sendable {
    /// How far the run has come.
    package struct Progress: Equatable, Sendable {
        package let done: Int
        package let total: Int
        /// Items per second so far.
        package let perSecond: Double
        /// Seconds left at that pace.
        package let remainingSeconds: Int
    }

    private let show: @Sendable (Progress) -> Void
    private let end: @Sendable () -> Void

    /// `show` is called at most a few times a second; `end` once, when the run is over (to clear the display).
    package init(show: @escaping @Sendable (Progress) -> Void, end: @escaping @Sendable () -> Void) {
        self.show = show
        self.end = end
    }

    func update(_ progress: Progress) { show(progress) }
    func finish() { end() }
}
