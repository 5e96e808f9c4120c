import Foundation
import Synchronization
import Testing

@testable import NotifierCore

@Suite("Group commit")
struct GroupCommitTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("notifier-group-\(UUID().uuidString)")

    @Test func everyWriteOfEveryThreadIsCommittedOnceAndAnswered() throws {
        let database = try Database(path: folder.appendingPathComponent("g.sqlite3").path)
        try database.execute("CREATE TABLE t (thread INTEGER, n INTEGER, UNIQUE (thread, n))")
        let commits = GroupCommit<Int64>(database: database)
        let threads = 6
        let perThread = 300
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for n in 0..<perThread {
                do {
                    let answer = try commits.commit { database in
                        try database.run("INSERT INTO t VALUES (?, ?)", [.integer(Int64(thread)), .integer(Int64(n))])
                        return Int64(thread * 1000 + n)
                    }
                    if answer != Int64(thread * 1000 + n) {
                        failures.mutate { $0.append("\(thread)/\(n) got \(answer)") }
                    }
                } catch {
                    failures.mutate { $0.append("\(thread)/\(n): \(error)") }
                }
            }
        }
        #expect(failures.value.isEmpty, "\(failures.value.prefix(3))")
        #expect(commits.writes == threads * perThread)
        #expect(commits.transactions >= 1 && commits.transactions <= commits.writes)
        #expect(try commits.commit { try $0.row("SELECT count(*) FROM t")?.int(0) ?? -1 } == Int64(threads * perThread))
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func aFailingWriteTakesItsWholeGroupBackAndEveryMemberHearsOfIt() throws {
        let database = try Database(path: folder.appendingPathComponent("f.sqlite3").path)
        try database.execute("CREATE TABLE t (x UNIQUE)")
        let commits = GroupCommit<Bool>(database: database)
        #expect(throws: SQLiteError.self) {
            try commits.commit { database in
                try database.run("INSERT INTO t VALUES (1)")
                try database.run("INSERT INTO t VALUES (1)")
                return true
            }
        }
        #expect(try commits.commit { try $0.rows("SELECT x FROM t").isEmpty })
        // The connection is fine afterwards.
        #expect(try commits.commit { try $0.run("INSERT INTO t VALUES (2)") == 1 })
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A value several threads change under a lock.
final class Locked<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>
    init(_ value: Value) { stored = Mutex(value) }
    var value: Value { stored.withLock { $0 } }
    func mutate(_ change: (inout Value) -> Void) { stored.withLock { change(&$0) } }
}
