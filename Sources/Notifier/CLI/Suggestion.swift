/// "Did you mean": the word a person most likely meant, among the words that are accepted at that place (a
/// group's subcommands, one command's options, the configuration's keys), never among all of notifier's.
enum Suggestion {
    /// The accepted word closest to `word`: one that `word` begins (`ven` for `vendors`, three characters at
    /// least), else one within two edits (a letter added, dropped, changed or two swapped) and fewer edits than
    /// half the word's letters (so that `ls` is not taken for `otp`); the fewest edits wins, the first listed on a
    /// tie. Nil when nothing is that close. Leading dashes do not count as letters.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let typed = Array(word.lowercased())
        let stem = typed.drop { $0 == "-" }
        if stem.count >= 3, let prefixed = candidates.first(where: { Array($0.lowercased()).starts(with: typed) }) {
            return prefixed
        }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            guard distance <= 2 && distance * 2 < stem.count else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// `; did you mean 'notices'?` for an error message, or nothing.
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// The optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}

extension Suggestion {
    /// `; did you mean 'notices'?` when a word is that close, else the whole list (` (commands: parse, ...)`).
    static func or(_ word: String, among candidates: [String], list: String) -> String {
        if let closest = closest(to: word, among: candidates) { return "; did you mean '\(closest)'?" }
        return " (\(list): \(candidates.joined(separator: ", ")))"
    }
}
