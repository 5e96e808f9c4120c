/// A count and its noun in the right number, for every count notifier prints: `counted(1, "vendor")` is
/// "1 vendor", `counted(3, "vendor")` is "3 vendors", `counted(2, "entry", plural: "entries")` is "2 entries".
package func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}
