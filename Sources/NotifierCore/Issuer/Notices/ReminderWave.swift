/// A wave of reminders (`--wave 03-01`): 1 to 32 ASCII letters, digits, `-` and `_`. A vendor gets one reminder per
/// fiscal year and wave, and the wave is part of the reminder's Message-ID, so it holds only characters a
/// Message-ID's local part takes as they are (RFC 5322 §3.2.3 atext) and a systemd instance name keeps unescaped.
package struct ReminderWave: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: String

    /// The wave `text` names; refused unless it is 1 to 32 of A-Z, a-z, 0-9, `-` and `_`.
    package init(_ text: String) throws(InvalidValue) {
        guard (1...32).contains(text.utf8.count),
            text.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
        else {
            throw InvalidValue("takes 1 to 32 letters, digits, - and _ (A-Z, a-z, 0-9), like 03-01")
        }
        rawValue = text
    }

    package init?(rawValue: String) {
        guard let wave = try? ReminderWave(rawValue) else { return nil }
        self = wave
    }

    package var description: String { rawValue }
}
