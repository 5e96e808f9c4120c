import Foundation
import NotifierCore

/// `notifier vendors import FILE.csv` and `notifier vendors list [--json]`: the issuer's vendor registry.
enum VendorsCommand {
    static let entry = CommandEntry(
        group: "vendors", summary: "Import the vendor registry from CSV, or list it",
        about: "The issuer's vendor registry: who gets an update notice, at which address, from which day.",
        [CommandEntry(VendorsImportCommand.self, in: "vendors"), CommandEntry(VendorsListCommand.self, in: "vendors")])
}

/// `notifier vendors import FILE.csv`.
struct VendorsImportCommand: Command {
    static let name = "import"
    static let summary = "Import (add or update) vendors from a CSV file"
    static let about = """
        Reads FILE.csv (UTF-8 with or without BOM, or Shift_JIS/cp932 as Excel writes it in Japan) with the
        columns vendor_code (7 digits), name, email, kind (construction | commissioned) and the optional
        notify_after (a date; commissioned contractors are notified only from that day), in any order. The
        Japanese headings work as well: 業者コード, 商号又は名称 (or 業者名), メールアドレス, 区分 (建設 | 委託),
        通知開始日; codes and dates may have full-width digits, dates may be 2027-01-20, 2027/1/20, 2027年1月20日
        or 令和9年1月20日. Other columns are ignored, with one note naming them, but a heading one typo from a
        column the file lacks (notify_afer) is an error. All or nothing: any bad row (line, column, why) rejects
        the whole file (exit 65). A vendor already in the registry is updated in place; one the file does not list
        is kept. Prints how many were added, changed and unchanged.
        """
    static var options: [Option<Self>] { [Option.positional("FILE.csv", \.file, parse: Parse.text).required] }

    var file: String?

    func run(_ context: CommandContext) throws -> ExitCode {
        let file = self.file ?? ""
        let store = VendorStore(database: try context.openDatabase())
        let list = try VendorCSV.read(try InputFile.read(file), path: file)
        let records = list.records
        if let note = list.note { Diagnostics.standardError.warning(note) }
        let summary = try store.importVendors(records, now: Date())
        var line =
            "imported \(counted(records.count, "vendor")) from \(file): \(summary.added) added, \(summary.changed) changed, "
            + "\(summary.unchanged) unchanged"
        if summary.notListed > 0 { line += "; \(summary.notListed) in the registry but not in the file (kept)" }
        StandardOutput.shared.write(line + "\n")
        return .success
    }
}

/// `notifier vendors list [--json]`.
struct VendorsListCommand: Command {
    static let name = "list"
    static let summary = "Print the registry"
    static let about =
        "Prints the registry; with --json one object per line: vendor_code, name, email, kind, notify_after."
    static var options: [Option<Self>] { [.flag("--json", \.json, "one JSON object per line")] }

    var json = false

    func run(_ context: CommandContext) throws -> ExitCode {
        let output = StandardOutput.shared
        for vendor in try VendorStore(database: try context.openDatabase()).all() {
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
                output.write(
                    "\(vendor.code)  \(vendor.kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))  "
                        + "\(vendor.email)  \(vendor.name.replacingControlCharacters())\(after)\n")
            }
        }
        return .success
    }
}
