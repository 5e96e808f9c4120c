import Foundation
import MailParse

/// Checks for values that come from people: command-line options and configuration.
package enum Validation {
    /// A plain `local@domain` with no spaces, angle brackets or line breaks.
    package static func isAddrSpec(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, isHostName(String(parts[1])) else { return false }
        return value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"<>()[],;:\"\\".utf8.contains($0) }
    }

    /// One mailbox, `Name <local@domain>` or `local@domain`, with a plain ASCII address and no line breaks.
    package static func mailbox(_ value: String) -> Mailbox? {
        guard TextSafety.firstForbidden(in: value) == nil else { return nil }
        let boxes = Mailbox.parseList(Array(value.utf8)[...])
        guard boxes.count == 1, let box = boxes.first, isAddrSpec(box.addrSpec) else { return nil }
        return box
    }

    /// A size in bytes: digits, optionally followed by K, M or G (binary: 1K = 1024), from 1K to 1G.
    package static func byteSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text.uppercased())
        var unit = 1
        if let last = digits.last, let factor = units[last] {
            unit = factor
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 10, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let number = Int(digits), number <= (1 << 30) / unit
        else { return nil }
        let size = number * unit
        return (1 << 10...1 << 30).contains(size) ? size : nil
    }

    /// An https:// URL to which `?t=TOKEN` can be added.
    package static func isDownloadURLBase(_ value: String) -> Bool {
        value.lowercased().hasPrefix("https://") && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
            && !value.contains("#")
    }

    /// An ASCII host name: letters, digits, "-" and "." in labels, no empty label.
    package static func isHostName(_ value: String) -> Bool {
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.isEmpty, value.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { byte in
                    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                        || byte == UInt8(ascii: "-")
                }
        }
    }
}
