/// Bounds that keep hostile mail from costing more than a small multiple of its size. Past a bound the parser stops
/// opening containers and says so in `Message.defects`; it never fails.
public struct ParseLimits: Sendable {
    /// How deep multiparts and attached messages are opened. Real mail rarely nests beyond 5 levels.
    public var maxDepth: Int
    /// How many entities in all are parsed out of one message.
    public var maxEntities: Int
    /// How many header fields one entity keeps.
    public var maxHeaderFields: Int

    public init(maxDepth: Int = 32, maxEntities: Int = 10_000, maxHeaderFields: Int = 20_000) {
        self.maxDepth = maxDepth
        self.maxEntities = maxEntities
        self.maxHeaderFields = maxHeaderFields
    }
}
