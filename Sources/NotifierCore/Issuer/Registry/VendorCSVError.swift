/// A vendor list that cannot be imported (EX_DATAERR, 65), with every problem found, so that the person fixing the
/// file can fix it in one go rather than one error per run.
package struct VendorCSVError: NotifierError, Equatable {
    /// One thing wrong with the file: where (line as an editor counts it, column name) and why.
    struct Problem: Equatable, Sendable {
        /// nil when the problem is the file as a whole (empty, wrong encoding).
        var line: Int?
        var column: String?
        package var reason: String
    }

    /// How many problems the message lists; a file with the wrong layout can have one problem per row.
    static let listed = 20

    let path: String
    let problems: [Problem]

    /// One line per problem, `vendors.csv:14: column email: 'foo@' is not an address like name@example.jp`.
    package var message: String {
        var lines = problems.prefix(Self.listed).map { problem in
            let place = problem.line.map { "\(path):\($0)" } ?? path
            let column = problem.column.map { "column \($0): " } ?? ""
            return "\(place): \(column)\(problem.reason)"
        }
        if problems.count > Self.listed {
            let more = problems.count - Self.listed
            lines.append("\(path): and \(more) more problem\(more == 1 ? "" : "s") (\(problems.count) in all)")
        }
        return lines.joined(separator: "\n")
    }
}
