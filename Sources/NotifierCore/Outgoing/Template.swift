import Foundation
import Synchronization

/// A message template: header lines (Subject at least), a blank line, then the body, with `{{name}}` placeholders.
package struct Template: Equatable, Sendable {
    package let name: TemplateName
    /// Header lines in order, e.g. ("Subject", "【電子入札システム】…").
    let headers: [(name: String, value: String)]
    package let body: String

    package static func == (lhs: Template, rhs: Template) -> Bool {
        lhs.name == rhs.name && lhs.body == rhs.body && lhs.bodyPieces == rhs.bodyPieces
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    init(name: TemplateName, text: String) throws {
        self.name = name
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        guard let blank = normalized.range(of: "\n\n") else {
            throw TemplateError(template: name, reason: "no blank line between the header lines and the body")
        }
        var headers: [(String, String)] = []
        for line in normalized[..<blank.lowerBound].split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else {
                throw TemplateError(template: name, reason: "header line '\(line)' has no colon")
            }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !field.isEmpty, field.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw TemplateError(template: name, reason: "'\(field)' is not a header field name")
            }
            let reserved = [
                "from", "to", "cc", "bcc", "date", "message-id", "mime-version", "content-type",
                "content-transfer-encoding",
            ]
            guard !reserved.contains(field.lowercased()) else {
                throw TemplateError(template: name, reason: "\(field) is set by notifier, not by a template")
            }
            headers.append((field, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        guard headers.contains(where: { $0.0.lowercased() == "subject" }) else {
            throw TemplateError(template: name, reason: "no Subject line")
        }
        self.headers = headers
        var body = String(normalized[blank.upperBound...])
        if !body.hasSuffix("\n") { body += "\n" }
        self.body = body
        var names = Set<String>()
        headerPieces = try headers.map { try Self.pieces($0.1, template: name, names: &names) }
        bodyPieces = try Self.pieces(body, template: name, names: &names)
        placeholders = names
    }

    /// Every placeholder name used, in the headers or the body.
    let placeholders: Set<String>

    /// A template's text split once, when it is read: literal text and placeholders in turn. Filling it is then
    /// a concatenation, which the batch sender does ten thousand times.
    private enum Piece: Equatable {
        case text(String)
        case variable(String)
    }

    private let headerPieces: [[Piece]]
    private let bodyPieces: [Piece]

    /// The template with every placeholder replaced. Every placeholder must have a value.
    func render(_ values: [String: String]) throws -> (headers: [(name: String, value: String)], body: String) {
        func fill(_ pieces: [Piece]) throws -> String {
            var output = ""
            for piece in pieces {
                switch piece {
                case .text(let text): output += text
                case .variable(let variable):
                    guard let value = values[variable] else {
                        throw TemplateError(
                            template: name, variable: variable, reason: "has no value (give --var \(variable)=...)")
                    }
                    output += value
                }
            }
            return output
        }
        return (try zip(headers, headerPieces).map { ($0.0.name, try fill($0.1)) }, try fill(bodyPieces))
    }

    /// Splits text at its `{{name}}` placeholders, checking each name (lower-case letters, digits, _).
    private static func pieces(_ text: String, template: TemplateName, names: inout Set<String>) throws -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateError(template: template, reason: "'{{' without '}}'")
            }
            let variable = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard !variable.isEmpty,
                variable.unicodeScalars.allSatisfy({
                    $0.isASCII && ($0.properties.isLowercase || $0 == "_" || ("0"..."9").contains($0))
                })
            else {
                throw TemplateError(
                    template: template, reason: "'{{\(variable)}}' is not a placeholder (lower-case letters, digits, _)"
                )
            }
            names.insert(variable)
            pieces.append(.variable(variable))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces
    }
}

/// A template that cannot be read or filled (EX_DATAERR, 65), naming the template and the variable.
package struct TemplateError: NotifierError, Equatable {
    package let template: TemplateName
    var variable: String?
    package let reason: String

    init(template: TemplateName, variable: String? = nil, reason: String) {
        self.template = template
        self.variable = variable
        self.reason = reason
    }

    package var message: String {
        if let variable { return "template \(template): variable \(variable) \(reason)" }
        return "template \(template): \(reason)"
    }
}

/// No built-in template has this name.
package struct UnknownTemplateError: NotifierError, Equatable {
    package let name: TemplateName
    package var message: String {
        "unknown template '\(name)' (templates: \(TemplateName.builtIn.map(\.rawValue).joined(separator: ", ")))"
    }
}

/// Where templates come from: a folder of the user's copies, else the ones built into the binary. Each template
/// is read and parsed once per store.
package struct TemplateStore: Sendable {
    /// `--templates DIR` or the configuration's `templates`; nil for the built-in set.
    let directory: String?
    private let cache = Cache()

    package init(directory: String?) { self.directory = directory }

    /// Shared by the store's copies (the batch sender's threads).
    private final class Cache: Sendable {
        let templates = Mutex<[TemplateName: Template]>([:])
    }

    package func template(named name: TemplateName) throws -> Template {
        if let cached = cache.templates.withLock({ $0[name] }) { return cached }
        let template = try load(name)
        cache.templates.withLock { $0[name] = template }
        return template
    }

    private func load(_ name: TemplateName) throws -> Template {
        if let directory {
            let path = (directory as NSString).appendingPathComponent(name.rawValue)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError(path: path, reason: "no such template (the folder needs a file named \(name))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw TemplateError(template: name, reason: "\(path) is not UTF-8 text")
            }
            return try Template(name: name, text: text)
        }
        guard let text = BuiltInTemplates.texts[name.rawValue] else {
            throw UnknownTemplateError(name: name)
        }
        return try Template(name: name, text: text)
    }
}
