import Foundation

/// `notifier vendors import FILE.csv` and `notifier vendors list [--json]`: the issuer's vendor registry.
struct VendorsCommand: Command {
    static let name = "vendors"
    static let summary = "Import the vendor registry from CSV, or list it"
    static let help = """
        Usage: notifier vendors import FILE.csv
               notifier vendors list [--json]

        import  reads FILE.csv (UTF-8 with or without BOM, or Shift_JIS/cp932 as Excel writes it in Japan) with
                the columns vendor_code (7 digits), name, email, kind (construction | commissioned) and the
                optional notify_after (a date; commissioned contractors are notified only from that day). All or
                nothing: any bad row (line, column, why) rejects the whole file (exit 65). A vendor already in
                the registry is updated in place; one the file does not list is kept. Prints how many were
                added, changed and unchanged.
        list    prints the registry; with --json one object per line: vendor_code, name, email, kind,
                notify_after.
        """

    enum Action {
        case importFile(String)
        case list(json: Bool)
    }

    let action: Action
    let context: CommandContext

    init(arguments: Arguments, context: CommandContext) throws {
        self.context = context
        var arguments = arguments
        guard case .positional(let verb)? = arguments.next() else {
            throw UsageError("vendors: say import FILE.csv or list")
        }
        switch verb {
        case "import":
            guard case .positional(let file)? = arguments.next() else { throw UsageError("vendors import: no FILE.csv given") }
            if let extra = arguments.next() { throw UsageError("vendors import: unexpected '\(extra.text)'") }
            action = .importFile(file)
        case "list":
            var json = false
            while let word = arguments.next() {
                guard case .option("--json", let inline) = word else { throw UsageError("vendors list: unexpected '\(word.text)'") }
                try Arguments.flag("--json", inlineValue: inline)
                json = true
            }
            action = .list(json: json)
        default:
            throw UsageError("vendors: unknown action '\(verb)' (import, list)")
        }
    }

    func run() throws -> ExitCode {
        let store = VendorStore(database: try context.openDatabase())
        let output = StandardOutput.shared
        switch action {
        case .importFile(let file):
            let records = try VendorCSV.parse(try InputFile.read(file), path: file)
            let summary = try store.importVendors(records, now: Date())
            var line = "imported \(records.count) vendors from \(file): \(summary.added) added, \(summary.changed) changed, "
                + "\(summary.unchanged) unchanged"
            if summary.notListed > 0 { line += "; \(summary.notListed) in the registry but not in the file (kept)" }
            output.write(line + "\n")
        case .list(let json):
            for vendor in try store.all() {
                if json {
                    var line = JSONLine()
                    line.add("vendor_code", vendor.code.rawValue)
                    line.add("name", vendor.name)
                    line.add("email", vendor.email)
                    line.add("kind", vendor.kind.rawValue)
                    line.add("notify_after", vendor.notifyAfter?.description)
                    output.write(line.line + "\n")
                } else {
                    let after = vendor.notifyAfter.map { "  from \($0)" } ?? ""
                    output.write("\(vendor.code)  \(vendor.kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))  "
                        + "\(vendor.email)  \(vendor.name.replacingControlCharacters())\(after)\n")
                }
            }
        }
        return .success
    }
}
