import Synchronization

/// Result slots that concurrent workers fill, each index by exactly one worker; read after they have all finished.
/// A slot is written under a lock held only for the store, so the workers' own work runs side by side.
final class Slots<Value: Sendable>: Sendable {
    private let storage: Mutex<[Value]>

    init(count: Int, initial: Value) {
        storage = Mutex(Array(repeating: initial, count: count))
    }

    subscript(index: Int) -> Value {
        get { storage.withLock { $0[index] } }
        set { storage.withLock { $0[index] = newValue } }
    }

    var values: [Value] { storage.withLock { $0 } }
}
