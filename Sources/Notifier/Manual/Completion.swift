/// The bash and zsh completion scripts, made from the same parts as `--help` (`CommandPage`): after `notifier`
/// and any global options they offer the commands, after a group its subcommands, after a command its options
/// (`--help` too), after an option that takes a file or a folder a file or a folder name.
enum Completion {
    /// The shells there is a script for.
    static let shells = ["bash", "zsh"]

    /// One table row: a command path (`notices send`, empty for notifier itself) and what may follow it.
    struct Row: Equatable {
        let path: String
        /// `(name, summary)` of the subcommands.
        let subcommands: [(name: String, summary: String)]
        /// `(flag, help)` of the options, `--help` last.
        let options: [(flag: String, help: String)]
        /// The options that take a value, with what the value is (`file`, `dir`, or `other`).
        let values: [(flag: String, kind: String)]
        /// What the words that are not options are: `file` or `other`.
        let positional: String

        static func == (lhs: Row, rhs: Row) -> Bool { lhs.path == rhs.path }
    }

    /// A row for notifier itself and for every listed command and group, depth first.
    static var rows: [Row] {
        [row(RootCommand.page)] + RootCommand.commands.flatMap(\.allEntries).map { row($0.page()) }
    }

    static func row(_ page: CommandPage) -> Row {
        let shown = page.options.filter { $0.flag != nil && $0.isShown }
        var options = shown.map { (flag: $0.flag ?? "", help: $0.help) }
        if !options.contains(where: { $0.flag == "--help" }) { options.append(("--help", "show this command's help")) }
        let positional = page.options.first { if case .positional = $0.kind { true } else { false } }
        return Row(
            path: page.path, subcommands: page.subcommands.map { ($0.name, $0.summary) }, options: options,
            values: shown.filter(\.takesValue).map { ($0.flag ?? "", kind(of: $0.valueName)) },
            positional: kind(of: positional?.valueName) == "file" ? "file" : "other")
    }

    /// What a value named `PATH`, `FILE`, `DIR` or `MAILDIR` is; anything else is `other` (no names offered).
    static func kind(of valueName: String?) -> String {
        switch valueName {
        case "PATH", "FILE": return "file"
        case "DIR", "MAILDIR": return "dir"
        default: return "other"
        }
    }

    static func script(for shell: String) -> String? {
        switch shell {
        case "bash": return bash
        case "zsh": return zsh
        default: return nil
        }
    }

    // MARK: bash

    static var bash: String {
        var table = ""
        for row in rows {
            table += "    \(quoted(row.path)))\n"
            table += "        subcommands=\(quoted(row.subcommands.map(\.name).joined(separator: " ")))\n"
            table += "        options=\(quoted(row.options.map(\.flag).joined(separator: " ")))\n"
            table += "        values=\(quoted(" " + row.values.map { "\($0.flag):\($0.kind) " }.joined()))\n"
            table += "        positional=\(row.positional) ;;\n"
        }
        return """
            # bash completion for notifier(1). Made by 'notifier internal completion bash' from the option tables that
            # --help shows; do not edit.

            # Sets subcommands, options, values (" --flag:kind ...") and positional for the command path $1.
            _notifier_table() {
                case "$1" in
            \(table)    *) subcommands="" options="--help" values=" " positional=other ;;
                esac
            }

            _notifier() {
                local cur=${COMP_WORDS[COMP_CWORD]} path="" word value="" i
                local subcommands options values positional
                _notifier_table ""
                for ((i = 1; i < COMP_CWORD; i++)); do
                    word=${COMP_WORDS[i]}
                    # --flag=value: bash splits it into --flag, = and value.
                    [[ $word == "=" ]] && continue
                    if [[ -n $value ]]; then
                        value=""
                        continue
                    fi
                    if [[ $word == --* && $values == *" $word:"* ]]; then
                        value=${values#*" $word:"}
                        value=${value%% *}
                        continue
                    fi
                    if [[ $word != -* && " $subcommands " == *" $word "* ]]; then
                        path=${path:+$path }$word
                        _notifier_table "$path"
                    fi
                done
                COMPREPLY=()
                if [[ $cur == "=" ]]; then cur=""; fi
                if [[ -n $value ]]; then
                    case $value in
                        file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
                        dir) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
                    esac
                elif [[ $cur == -* ]]; then
                    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
                elif [[ -n $subcommands ]]; then
                    mapfile -t COMPREPLY < <(compgen -W "$subcommands" -- "$cur")
                elif [[ $positional == file ]]; then
                    compopt -o filenames 2>/dev/null
                    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
            }
            complete -F _notifier notifier

            """
    }

    // MARK: zsh

    static var zsh: String {
        var table = ""
        for row in rows {
            table += "    (\(quoted(row.path)))\n"
            let subcommands = row.subcommands.map { quoted($0.name + ":" + $0.summary) }
            table += "        subcommands=(\(subcommands.joined(separator: " ")))\n"
            let options = row.options.map { quoted($0.flag + ":" + short($0.help)) }
            table += "        options=(\(options.joined(separator: " ")))\n"
            table += "        values=(\(row.values.map { "\($0.flag) \($0.kind)" }.joined(separator: " ")))\n"
            table += "        positional=\(row.positional) ;;\n"
        }
        return """
            #compdef notifier
            # zsh completion for notifier(1). Made by 'notifier internal completion zsh' from the option tables that
            # --help shows; do not edit.

            # Sets subcommands and options (name:description), values (flag -> file, dir or other) and positional for
            # the command path $1.
            _notifier_table() {
                case $1 in
            \(table)    (*) subcommands=() options=('--help:show this command'"'"'s help') values=() positional=other ;;
                esac
            }

            _notifier() {
                local -a subcommands options
                local -A values
                local cmdpath="" word value="" positional i
                _notifier_table ""
                for ((i = 2; i < CURRENT; i++)); do
                    word=${words[i]}
                    if [[ -n $value ]]; then
                        value=""
                        continue
                    fi
                    if [[ $word == --* && -n ${values[$word]} ]]; then
                        value=${values[$word]}
                        continue
                    fi
                    if [[ $word != -* ]] && (( ${subcommands[(I)${(b)word}:*]} )); then
                        cmdpath=${cmdpath:+$cmdpath }$word
                        _notifier_table "$cmdpath"
                    fi
                done
                case $value in
                    file) _files; return ;;
                    dir) _files -/; return ;;
                    other) _message 'a value'; return ;;
                esac
                if [[ $PREFIX == -* ]]; then
                    _describe -t options option options
                elif (( $#subcommands )); then
                    _describe -t commands command subcommands
                elif [[ $positional == file ]]; then
                    _files
                fi
            }

            _notifier "$@"

            """
    }

    /// A help text cut to one line of a completion menu: at most 80 characters, cut between words.
    static func short(_ help: String) -> String {
        guard help.count > 80 else { return help }
        var line = ""
        for word in help.split(separator: " ") {
            if line.count + word.count + 1 > 76 { break }
            line += (line.isEmpty ? "" : " ") + word
        }
        return line + " ..."
    }

    /// `text` in single quotes for either shell (a quote inside written '"'"').
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
    }
}
