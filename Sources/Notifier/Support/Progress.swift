/// Where a long run shows how far it has come (the batch sender's count and pace). The executable picks the display
/// (a line redrawn on a terminal) or none; the core only says the numbers, never how they look.
struct ProgressSink: Sendable {
    /// How far the run has come.
    struct Progress: Equatable, Sendable {
        let done: Int
        let total: Int
        /// Items per second so far.
        let perSecond: Double
        /// Seconds left at that pace.
        let remainingSeconds: Int
    }

    private let show: @Sendable (Progress) -> Void
    private let end: @Sendable () -> Void

    /// `show` is called at most a few times a second; `end` once, when the run is over (to clear the display).
    init(show: @escaping @Sendable (Progress) -> Void, end: @escaping @Sendable () -> Void) {
        self.show = show
        self.end = end
    }

    func update(_ progress: Progress) { show(progress) }
    func finish() { end() }
}
