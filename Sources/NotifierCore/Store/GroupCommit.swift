import Synchronization

/// Commits the writes of several threads through one database connection, as few transactions as they allow: a
/// thread hands over its write and waits until it is committed; whichever thread gets the connection takes every
/// write waiting by then and commits them in one transaction (the leader), while writes that come meanwhile wait
/// for the next one. Each caller still returns only once its own write is durable, so what it does next happens
/// after the commit; under load the cost of a commit (its locks and WAL frames) is shared.
///
/// All writes of one transaction stand or fall together: when one throws, the transaction is rolled back and
/// every caller of that group gets the error.
final class GroupCommit<Result: Sendable>: Sendable {
    /// One write: it gets the connection, inside the group's transaction.
    typealias Write = @Sendable (Database) throws -> Result

    private struct Queue {
        var waiting: [(ticket: Int, write: Write)] = []
        /// The outcomes of writes a leader committed for threads that have not picked them up yet.
        var outcomes: [Int: Swift.Result<Result, any Error>] = [:]
        var nextTicket = 0
        var transactions = 0
        var writes = 0
    }

    private let queue = Mutex(Queue())
    /// The connection: whoever holds it is the leader, so one thread at a time uses it (SQLite's multi-thread mode).
    private let connection: Mutex<Database>

    /// `database` is used only here from now on.
    init(database: sending Database) {
        connection = Mutex(database)
    }

    /// How many transactions and writes went through (for tests and the curious).
    var transactions: Int { queue.withLock { $0.transactions } }
    var writes: Int { queue.withLock { $0.writes } }

    /// Runs `write` in a transaction, possibly together with other threads' writes; returns once it is committed.
    func commit(_ write: @escaping Write) throws -> Result {
        let ticket = queue.withLock { queue in
            defer { queue.nextTicket += 1 }
            queue.waiting.append((queue.nextTicket, write))
            return queue.nextTicket
        }
        let outcome = connection.withLock { database -> Swift.Result<Result, any Error> in
            // A leader before us may have committed this write with its own.
            if let done = queue.withLock({ $0.outcomes.removeValue(forKey: ticket) }) { return done }
            let group = queue.withLock { queue in
                defer { queue.waiting = [] }
                return queue.waiting
            }
            let results = Swift.Result { try database.transaction { try group.map { try $0.write(database) } } }
            return queue.withLock { queue in
                queue.transactions += 1
                queue.writes += group.count
                for (index, member) in group.enumerated() {
                    queue.outcomes[member.ticket] = results.map { $0[index] }
                }
                return queue.outcomes.removeValue(forKey: ticket) ?? .failure(GroupCommitLost())
            }
        }
        return try outcome.get()
    }
}

/// A write that was queued but found in no committed group: cannot happen while every leader takes the whole queue.
private struct GroupCommitLost: Error {}
