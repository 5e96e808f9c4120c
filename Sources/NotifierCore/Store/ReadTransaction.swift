extension Database {
    /// BEGIN (deferred), the body, COMMIT; on any error ROLLBACK and rethrow. Every statement in the body reads one
    /// snapshot of the database, the one its first read finds, whatever other processes commit meanwhile: a report
    /// taken while a send runs is consistent across its queries. In WAL mode a reader neither waits for a writer
    /// nor holds one up; it takes no write lock, unlike `transaction`.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try enclosed(beginning: "BEGIN DEFERRED", body)
    }

    /// Runs `sql` with `values` and hands each row to `body` as it is read, without collecting them all first.
    /// The body must not run the same SQL (the statement is cached and would be reset under it).
    func forEachRow(_ sql: String, _ values: [SQLValue] = [], _ body: (Row) throws -> Void) throws {
        let statement = try self.statement(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while let row = try statement.step() { try body(row) }
    }
}
