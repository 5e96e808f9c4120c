import Foundation

/// Commits the writes of several threads through one database connection, as few transactions as they allow: a
/// thread hands over its write and waits until it is committed; whichever thread finds no commit under way takes
/// every write waiting by then and commits them in one transaction (the leader), while writes that come
/// meanwhile wait for the next one. Each caller still returns only once its own write is durable, so what it does
/// next happens after the commit; under load the cost of a commit (its locks and WAL frames) is shared.
///
/// All writes of one transaction stand or fall together: when one throws, the transaction is rolled back and
/// every caller of that group gets the error.
final class GroupCommit<Result>: @unchecked Sendable {
    private final class Ticket {
        let write: () throws -> Result
        var outcome: Swift.Result<Result, Error>?
        init(_ write: @escaping () throws -> Result) { self.write = write }
    }

    let database: Database
    private let condition = NSCondition()
    private var waiting: [Ticket] = []
    private var committing = false

    /// How many transactions and writes went through (for tests and the curious).
    private(set) var transactions = 0
    private(set) var writes = 0

    /// `database` is used only here from now on, by one thread at a time (SQLite's multi-thread mode).
    init(database: Database) {
        self.database = database
    }

    /// Runs `write` in a transaction, possibly together with other threads' writes; returns once it is committed.
    func commit(_ write: @escaping () throws -> Result) throws -> Result {
        let ticket = Ticket(write)
        condition.lock()
        defer { condition.unlock() }
        waiting.append(ticket)
        while ticket.outcome == nil {
            guard !committing else {
                condition.wait()
                continue
            }
            committing = true
            let group = waiting
            waiting = []
            condition.unlock()
            let outcome = Swift.Result { try database.transaction { try group.map { try $0.write() } } }
            condition.lock()
            switch outcome {
            case .success(let results):
                for (member, result) in zip(group, results) { member.outcome = .success(result) }
            case .failure(let error):
                for member in group { member.outcome = .failure(error) }
            }
            transactions += 1
            writes += group.count
            committing = false
            condition.broadcast()
        }
        return try ticket.outcome!.get()
    }
}
