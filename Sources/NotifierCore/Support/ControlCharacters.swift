extension String {
    /// The text with control characters (C0, DEL and C1: a hostile server's or header's terminal escapes, NULs)
    /// shown as U+FFFD, for printing and storing what a server or a message said.
    package func replacingControlCharacters() -> String {
        // C0, DEL and (as UTF-8 C2 80...C2 9F) C1: the control characters.
        var previous: UInt8 = 0
        let hasControl = utf8.contains { byte in
            defer { previous = byte }
            return byte < 0x20 || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte))
        }
        guard hasControl else { return self }
        return String(
            String.UnicodeScalarView(
                unicodeScalars.map {
                    $0.properties.generalCategory == .control ? "\u{FFFD}" : $0
                }))
    }
}
