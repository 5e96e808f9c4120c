import Foundation

/// The man pages, in roff with man(7)'s macros: notifier(1), and one page per command group and command
/// (notifier-notices(1), notifier-notices-send(1) ...). Made from the same parts as `--help` (`CommandPage`: the
/// usage forms, the text, the option tables with their configuration keys, the exit status), so the two cannot
/// drift apart.
enum ManualPage {
    /// One page: its file name (`notifier-notices-send.1`) and its text.
    struct File: Equatable {
        let name: String
        let text: String
    }

    /// The title line's third and fourth fields: the date (`2027-01-20`) and `notifier 0.1.0`.
    struct Edition {
        let date: String
        let version: String
    }

    /// notifier(1), then a page for every listed command and group, depth first. Hidden commands have none.
    static func all(_ edition: Edition) -> [File] {
        [File(name: "notifier.1", text: root(edition))]
            + RootCommand.commands.flatMap(\.allEntries).map { entry in
                let page = entry.page()
                return File(name: name(of: page.path) + ".1", text: command(page, edition))
            }
    }

    /// `notifier-notices-send` for `notices send`; `notifier` for notifier itself.
    static func name(of path: String) -> String {
        (["notifier"] + path.split(separator: " ").map(String.init)).joined(separator: "-")
    }

    /// notifier(1): the commands, the global options, the configuration file's keys, the environment.
    static func root(_ edition: Edition) -> String {
        let page = RootCommand.page
        var out = header("notifier", summary: page.summary, edition)
        out += synopsis(page)
        out += section("DESCRIPTION") + paragraphs(page.about)
        out += section("COMMANDS")
        for entry in page.subcommands {
            out += ".TP\n" + bold(entry.name) + "\n" + text(entry.summary) + "; see\n" + reference(entry.path) + ".\n"
        }
        out += section("OPTIONS") + options(page.options)
        out += section("CONFIGURATION")
        out += paragraphs(
            """
            The configuration file holds "key = value" lines and "#" comments; a key given more than once makes a \
            list. An option given on the command line wins over its key. An unknown key or a bad value is an error \
            naming the file, the line and the key (exit status 78). Secrets never live in it: a password is read \
            from the file a *_password_file key names. The keys:
            """)
        for option in Configuration.options {
            guard let key = option.key else { continue }
            out +=
                ".TP\n" + bold(key) + " = " + italic(option.valueName ?? "VALUE") + "\n" + line(sentence(option.help))
            out += option.flag.map { ".br\nOn the command line: " + bold($0) + ".\n" } ?? ""
        }
        out += section("ENVIRONMENT")
        out += ".TP\n" + bold("NOTIFIER_DB") + "\nthe database, when " + bold("--db") + " is not given.\n"
        out += ".TP\n" + bold("NOTIFIER_CONFIG") + "\nthe configuration file, when " + bold("--config")
        out += " is not given.\n"
        out += ".TP\n" + bold("XDG_DATA_HOME") + ", " + bold("XDG_CONFIG_HOME") + "\n"
        out += "where the database and the configuration file are by default.\n"
        out += exitStatus(page.footer)
        out += section("SEE ALSO")
        out += page.subcommands.map { reference($0.path) }.joined(separator: ",\n") + "\n"
        return out
    }

    /// The page of one command or group.
    static func command(_ page: CommandPage, _ edition: Edition) -> String {
        let title = name(of: page.path)
        var out = header(title, summary: page.summary, edition)
        out += synopsis(page)
        out += section("DESCRIPTION") + paragraphs(page.about)
        if !page.subcommands.isEmpty {
            out += section("SUBCOMMANDS")
            for entry in page.subcommands {
                out += ".TP\n" + bold(entry.name) + "\n" + text(entry.summary) + "; see\n" + reference(entry.path)
                out += ".\n"
            }
        }
        let shown = page.options.filter { $0.flag != nil && $0.isShown }
        if !shown.isEmpty { out += section("OPTIONS") + options(shown) }
        out += exitStatus(page.footer)
        out += section("SEE ALSO")
        let parents = page.path.split(separator: " ").dropLast().indices.map { index in
            page.path.split(separator: " ")[...index].joined(separator: " ")
        }
        let related = [""] + parents + page.subcommands.map(\.path)
        out += related.map(reference).joined(separator: ",\n") + "\n"
        return out
    }

    // MARK: Parts

    private static func header(_ title: String, summary: String, _ edition: Edition) -> String {
        """
        .\\" Made by 'notifier internal man' from the option tables that --help shows; do not edit.
        .TH \(title.uppercased().replacingOccurrences(of: "-", with: "\\-")) 1 "\(edition.date)" \
        "\(edition.version)" "notifier manual"
        .nh
        .ad l
        .SH NAME
        \(text(title)) \\- \(text(summary))

        """
    }

    private static func synopsis(_ page: CommandPage) -> String {
        var out = section("SYNOPSIS") + ".nf\n"
        for form in page.usage {
            if form.hasPrefix(" ") {
                // A continuation of the form above (`     [--connections N] ...`), aligned as in --help.
                let parents = page.path.count - (page.path.split(separator: " ").last?.count ?? 0)
                out += "\\&" + text(String(repeating: " ", count: 9 + parents) + form) + "\n"
            } else if !page.path.isEmpty, form.hasPrefix(page.path) {
                out += line(bold("notifier " + page.path) + text(String(form.dropFirst(page.path.count))))
            } else {
                out += line(bold("notifier") + " " + text(form))
            }
        }
        return out + ".fi\n"
    }

    private static func options(_ options: [OptionDoc]) -> String {
        var out = ""
        for option in options {
            guard let flag = option.flag, option.isShown else { continue }
            out += ".TP\n" + bold(flag) + (option.valueName.map { " " + italic($0) } ?? "") + "\n"
            out += line(sentence(option.help + (option.isRequired ? " (required)" : "")))
            if let key = option.key { out += ".br\nConfiguration key: " + bold(key) + ".\n" }
        }
        return out
    }

    /// The footer: a paragraph that starts "Exit status" or "Exit codes" under EXIT STATUS, the others under NOTES.
    private static func exitStatus(_ footer: String) -> String {
        let parts = footer.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        let statuses = parts.filter { $0.hasPrefix("Exit status") || $0.hasPrefix("Exit codes") }
        let notes = parts.filter { !statuses.contains($0) }
        var out = ""
        if !statuses.isEmpty {
            out += section("EXIT STATUS")
            for status in statuses {
                let body = status.hasPrefix("Exit status:") ? String(status.dropFirst(12)) : status
                out += paragraphs(body)
            }
        }
        if !notes.isEmpty { out += section("NOTES") + notes.map(paragraphs).joined(separator: ".PP\n") }
        return out
    }

    /// An option's help as a sentence: in roff, with a full stop at the end.
    private static func sentence(_ help: String) -> String {
        text(help) + (help.last.map { ".!?".contains($0) } == true ? "" : ".")
    }

    private static func section(_ name: String) -> String { ".SH \(name)\n" }

    /// `notifier-notices-send(1)`, in bold.
    private static func reference(_ path: String) -> String { bold(name(of: path)) + "(1)" }

    /// Paragraphs separated by a blank line; the lines of one paragraph joined, for roff to fill.
    private static func paragraphs(_ body: String) -> String {
        body.components(separatedBy: "\n\n").map { paragraph in
            let words = paragraph.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            return line(text(words.joined(separator: " ")))
        }.filter { $0 != "\n" }.joined(separator: ".PP\n")
    }

    private static func bold(_ value: String) -> String { "\\fB" + text(value) + "\\fR" }
    private static func italic(_ value: String) -> String { "\\fI" + text(value) + "\\fR" }

    /// One line of text: roff would take a leading `.` or `'` for a request, so it gets a zero-width `\&`.
    private static func line(_ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces).isEmpty ? "" : value
        if trimmed.hasPrefix(".") || trimmed.hasPrefix("'") { return "\\&" + trimmed + "\n" }
        return trimmed + "\n"
    }

    /// Text with roff's escape character written `\e`, and the hyphens of a word that starts with one (`--smtp-tls`,
    /// `-h`) written as the minus sign `\-`, so that an option copied from the page works and is never broken across
    /// lines; a hyphen inside another word (`e-bidding`, `03-31`) stays a hyphen.
    static func text(_ value: String) -> String {
        var out = ""
        var previous: Character = " "
        var inOption = false
        for character in value {
            if character == "-" && (previous == "-" || !(previous.isLetter || previous.isNumber)) { inOption = true }
            if !(character.isLetter || character.isNumber || character == "-" || character == "_") { inOption = false }
            switch character {
            case "\\": out += "\\e"
            case "-" where inOption: out += "\\-"
            default: out.append(character)
            }
            previous = character
        }
        return out
    }
}
