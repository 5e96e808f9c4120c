import NotifierCore

/// The one parse loop: any command's words into its values, by its option table. A value the table's parse refuses
/// (`InvalidValue`) becomes a usage error that names the option and the value given.
enum OptionParser {
    /// `command` names the command in messages (`otp issue`).
    static func parse<Values: OptionGroup>(_ arguments: Arguments, command: String) throws -> Values {
        var arguments = arguments
        var values = Values()
        let options = Values.options
        let positionals = options.indices.filter { if case .positional = options[$0].kind { true } else { false } }
        var given = Set<Int>()
        var nextPositional = 0
        while let word = arguments.next() {
            switch word {
            case .option(let name, let inline):
                guard let index = options.firstIndex(where: { $0.flag == name }) else {
                    let accepted = options.compactMap { $0.kind == .refused ? nil : $0.flag } + ["--help"]
                    throw UsageError(
                        "\(command): unknown option '\(name.replacingControlCharacters())'"
                            + Suggestion.didYouMean(name, among: accepted))
                }
                let option = options[index]
                var text = ""
                switch option.kind {
                case .flag: if inline != nil { throw UsageError("\(name) takes no value") }
                case .refused: break
                default: text = try arguments.value(for: name, inlineValue: inline)
                }
                try apply(option, text, first: given.insert(index).inserted, named: name, to: &values)
            case .positional(let text):
                guard nextPositional < positionals.count else {
                    throw UsageError("\(command): unexpected '\(text.replacingControlCharacters())'")
                }
                let index = positionals[nextPositional]
                let option = options[index]
                try apply(option, text, first: given.insert(index).inserted, named: option.valueName ?? "", to: &values)
                if option.kind == .positional(list: false) { nextPositional += 1 }
            }
        }
        for (index, option) in options.enumerated() where option.isRequired && !given.contains(index) {
            throw UsageError("\(command): no \(option.flag ?? option.valueName ?? "") given")
        }
        return values
    }

    private static func apply<Values>(
        _ option: Option<Values>, _ text: String, first: Bool, named name: String, to values: inout Values
    ) throws {
        do {
            try option.apply(&values, text, first)
        } catch let error as InvalidValue {
            let given = error.mayHoldSecret ? "" : ", not '\(text.replacingControlCharacters())'"
            throw UsageError("\(name) \(error.reason)\(given)")
        } catch let error as UnsafeText {
            throw DataError("\(name) \(error.reason); refused: a name or address is one line of plain text")
        }
    }
}

/// Help text made from the option tables.
enum Help {
    /// The column where the options' help starts, and the width it is wrapped to.
    static let indent = 24
    static let width = 116

    /// One entry per option that has a flag: `  --smtp URL          send through ...`, wrapped, with the
    /// configuration key when there is one.
    static func options<Values>(_ options: [Option<Values>]) -> String { Self.options(options.map(\.doc)) }

    /// The same, for options already described.
    static func options(_ options: [OptionDoc]) -> String {
        options.compactMap { option -> String? in
            guard let flag = option.flag, option.isShown else { return nil }
            let head = "  " + flag + (option.valueName.map { " " + $0 } ?? "")
            var text = option.help
            if let key = option.key { text += " (configuration key \(key))" }
            let lines = wrap(text, width: width - indent)
            let pad = String(repeating: " ", count: indent)
            if head.count > indent - 2 || lines.isEmpty {
                return ([head] + lines.map { pad + $0 }).joined(separator: "\n")
            }
            let first = head.padding(toLength: indent, withPad: " ", startingAt: 0) + lines[0]
            return ([first] + lines.dropFirst().map { pad + $0 }).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The words of `text` in lines of at most `width` characters (a longer word stands alone).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// A table of names and summaries (`  parse    Read messages ...`).
    static func list(_ rows: [(name: String, summary: String)]) -> String {
        let width = (rows.map(\.name.count).max() ?? 0) + 2
        return rows.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary }
            .joined(separator: "\n")
    }
}
