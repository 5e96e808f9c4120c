/// One option, declared once: how it is written on the command line (`flag`) and in the configuration file (`key`),
/// the name of its value, its help, and where its parsed value goes. The command-line parser, the configuration
/// file reader and the help text are all made from these tables, so they cannot drift apart. This is the shape of
/// swift-argument-parser's `@Option`, written by hand because notifier takes no packages.
struct Option<Values> {
    typealias Kind = OptionKind

    /// `--smtp-tls`; nil for a setting only the configuration file has.
    let flag: String?
    /// `smtp_tls`, when the configuration file has the setting too.
    let key: String?
    /// `MODE`; nil for a flag.
    let valueName: String?
    let help: String
    let kind: Kind
    /// Whether the command refuses to run without it (checked after parsing, with the configuration not yet read).
    var isRequired = false
    /// Stores one value; `first` is true for the first one of this option, so that a list given on the command
    /// line replaces the configuration's instead of adding to it.
    let apply: (inout Values, String, _ first: Bool) throws -> Void
    /// Takes the configuration's value where the command line gave none.
    let fill: (inout Values, Values) -> Void

    /// An option with a value, kept in an optional: nil means "not given", so the configuration's value can fill it.
    static func value<T>(
        _ flag: String?, key: String? = nil, _ valueName: String, _ path: WritableKeyPath<Values, T?>, _ help: String,
        parse: @escaping (String) throws -> T
    ) -> Option {
        Option(
            flag: flag, key: key, valueName: valueName, help: help, kind: .value,
            apply: { values, text, _ in values[keyPath: path] = try parse(text) },
            fill: { values, configured in
                if values[keyPath: path] == nil { values[keyPath: path] = configured[keyPath: path] }
            })
    }

    /// A repeatable option; every value is kept, in order.
    static func list<T>(
        _ flag: String?, key: String? = nil, _ valueName: String, _ path: WritableKeyPath<Values, [T]>, _ help: String,
        parse: @escaping (String) throws -> T
    ) -> Option {
        Option(
            flag: flag, key: key, valueName: valueName, help: help, kind: .list,
            apply: { values, text, first in
                let value = try parse(text)
                if first { values[keyPath: path] = [] }
                values[keyPath: path].append(value)
            },
            fill: { values, configured in
                if values[keyPath: path].isEmpty { values[keyPath: path] = configured[keyPath: path] }
            })
    }

    /// A flag that turns something on.
    static func flag(_ flag: String, _ path: WritableKeyPath<Values, Bool>, _ help: String) -> Option {
        Option(
            flag: flag, key: nil, valueName: nil, help: help, kind: .flag,
            apply: { values, _, _ in values[keyPath: path] = true }, fill: { _, _ in })
    }

    /// The one word that is not an option (`TEMPLATE`).
    static func positional<T>(
        _ valueName: String, _ path: WritableKeyPath<Values, T?>, parse: @escaping (String) throws -> T
    ) -> Option {
        Option(
            flag: nil, key: nil, valueName: valueName, help: "", kind: .positional(list: false),
            apply: { values, text, _ in values[keyPath: path] = try parse(text) }, fill: { _, _ in })
    }

    /// Every word that is not an option (`FILE...`).
    static func positionals(_ valueName: String, _ path: WritableKeyPath<Values, [String]>) -> Option {
        Option(
            flag: nil, key: nil, valueName: valueName, help: "", kind: .positional(list: true),
            apply: { values, text, _ in values[keyPath: path].append(text) }, fill: { _, _ in })
    }

    /// An option notifier refuses on purpose (a password on the command line), with the reason it gives.
    static func refused(_ flag: String, because reason: String) -> Option {
        Option(
            flag: flag, key: nil, valueName: nil, help: reason, kind: .refused,
            apply: { _, _, _ in throw UsageError(reason) }, fill: { _, _ in })
    }

    /// This option, which the command cannot do without.
    var required: Option {
        var option = self
        option.isRequired = true
        return option
    }

    /// This option as part of a larger set of values that holds its group at `path`.
    func lifted<Outer>(_ path: WritableKeyPath<Outer, Values>) -> Option<Outer> {
        let apply = self.apply
        let fill = self.fill
        return Option<Outer>(
            flag: flag, key: key, valueName: valueName, help: help, kind: kind, isRequired: isRequired,
            apply: { outer, text, first in try apply(&outer[keyPath: path], text, first) },
            fill: { outer, configured in fill(&outer[keyPath: path], configured[keyPath: path]) })
    }
}

/// A set of values parsed from options: an option group (`TransportOptions`), a command, the configuration file.
protocol OptionGroup {
    init()
    static var options: [Option<Self>] { get }
}

extension OptionGroup {
    /// These values, with the configuration's where the command line gave none.
    func filled(from configured: Self) -> Self {
        var values = self
        for option in Self.options { option.fill(&values, configured) }
        return values
    }
}

extension Array {
    /// Every option of a group, lifted into the values that hold the group at `path`.
    func lifted<Group, Outer>(_ path: WritableKeyPath<Outer, Group>) -> [Option<Outer>] where Element == Option<Group> {
        map { $0.lifted(path) }
    }
}

/// How an option takes its value.
enum OptionKind: Equatable, Sendable {
    /// `--json`: no value.
    case flag
    /// `--smtp URL`: the last one given counts.
    case value
    /// `--to ADDR`, repeatable; the command line's list replaces the configuration's.
    case list
    /// A word that is not an option (`FILE`); a list takes every such word.
    case positional(list: Bool)
    /// `--smtp-password`: refused with the help's text as the reason.
    case refused
}
