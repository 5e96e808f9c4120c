/// Result slots that concurrent workers fill, each index by exactly one worker; read after they have all finished.
final class Slots<Value>: @unchecked Sendable {
    // A raw buffer rather than an Array property: writes from several threads to different indices must not go
    // through the array's uniqueness check and exclusivity bookkeeping.
    private let storage: UnsafeMutableBufferPointer<Value>

    init(count: Int, initial: Value) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: initial)
    }

    deinit {
        storage.baseAddress?.deinitialize(count: storage.count)
        storage.deallocate()
    }

    subscript(index: Int) -> Value {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    var values: [Value] { Array(storage) }
}
