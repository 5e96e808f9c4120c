import Dispatch
import Glibc
import Synchronization

/// SIGTERM and SIGINT end the watch at the next pass, never in the middle of a message. The handler runs on a
/// dispatch queue and the watch loop on its own thread, so the flag is an atomic.
package final class StopSignal {
    /// The flag, shared with the signal handlers.
    private final class Flag: Sendable {
        package let value = Atomic<Bool>(false)
    }

    private let semaphore = DispatchSemaphore(value: 0)
    private let flag = Flag()
    private var sources: [DispatchSourceSignal] = []

    package init() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [flag, semaphore] in
                flag.value.store(true, ordering: .sequentiallyConsistent)
                semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether a stop was asked for.
    package var requested: Bool { flag.value.load(ordering: .sequentiallyConsistent) }

    /// Sleeps `seconds`, or less when a stop is requested.
    package func wait(seconds: Double) {
        _ = semaphore.wait(timeout: .now() + seconds)
    }
}
