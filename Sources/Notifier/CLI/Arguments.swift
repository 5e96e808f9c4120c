/// A cursor over command-line words, in the shape swift-argument-parser gives commands: options take
/// `--name VALUE` or `--name=VALUE`, `--` ends the options, and `-` alone is a positional (standard input).
struct Arguments {
    private var words: [String]
    private var index = 0
    private var optionsEnded = false

    init(_ words: [String]) { self.words = words }

    /// One parsed word.
    enum Word: Equatable {
        case option(name: String, inlineValue: String?)
        case positional(String)
    }

    var isAtEnd: Bool { index >= words.count }

    /// The words not yet read.
    var remaining: [String] { Array(words[index...]) }

    mutating func next() -> Word? {
        guard index < words.count else { return nil }
        let word = words[index]
        index += 1
        if optionsEnded || word == "-" || !word.hasPrefix("-") { return .positional(word) }
        if word == "--" {
            optionsEnded = true
            return next()
        }
        if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
            return .option(name: String(word[..<equals]), inlineValue: String(word[word.index(after: equals)...]))
        }
        return .option(name: word, inlineValue: nil)
    }

    /// The value of an option: its inline `=VALUE`, else the next word.
    mutating func value(for option: String, inlineValue: String?) throws -> String {
        if let inlineValue { return inlineValue }
        guard index < words.count else { throw UsageError("\(option) needs a value") }
        let value = words[index]
        index += 1
        return value
    }
}

extension Arguments.Word {
    /// The word as it was typed, for messages.
    var text: String {
        switch self {
        case .option(let name, let inline): return inline.map { "\(name)=\($0)" } ?? name
        case .positional(let value): return value
        }
    }
}

extension Arguments {
    /// Whether `--help` or `-h` stands among the options (before any `--`).
    var wantsHelp: Bool {
        for word in remaining {
            if word == "--" { return false }
            if word == "--help" || word == "-h" { return true }
        }
        return false
    }
}
