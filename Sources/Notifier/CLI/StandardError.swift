import Foundation
import NotifierCore

extension Diagnostics {
    /// Every line to standard error as `notifier: TEXT`, after what standard output holds so far; each line
    /// starting with its syslog priority (`<3>` ...) when standard error is the journal.
    static let standardError = Diagnostics { level, text in
        StandardOutput.shared.flush()
        StandardError.write(level, "notifier: \(text)")
    }
}

/// Standard error, as people and the journal read it.
///
/// Under systemd a service's standard error is a stream to journald, which reads a `<N>` at the start of each
/// line as that line's priority (`SyslogLevelPrefix=`, on by default): so `journalctl -p err -u notifier-notices`
/// shows the failures only. systemd says a stream is the journal by setting `JOURNAL_STREAM` to the stream's
/// `DEVICE:INODE` in decimal (systemd.exec(5)); the variable is inherited by children whose standard error is
/// something else (a pipe, a file, a terminal), so only a match with standard error's own fstat(2) counts, and
/// anywhere else the lines stay as they are.
enum StandardError {
    /// Whether standard error is the journal, decided once per run.
    static let isJournal = isJournal(
        journalStream: ProcessInfo.processInfo.environment["JOURNAL_STREAM"], descriptor: STDERR_FILENO)

    /// Whether `JOURNAL_STREAM` names the file open on `descriptor`: `DEVICE:INODE`, both decimal, equal to its
    /// st_dev and st_ino. Anything malformed is no match.
    static func isJournal(journalStream value: String?, descriptor: Int32) -> Bool {
        guard let value else { return false }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// Writes `text` and a line end; for the journal, every line of it (a multi-line text too) starts with the
    /// priority of `level`, so no line of an error is filed as mere information.
    static func write(_ level: Diagnostics.Level, _ text: String) {
        FileHandle.standardError.write(Data(lines(level, text, journal: isJournal).utf8))
    }

    /// What `write` writes, for `journal` or not.
    static func lines(_ level: Diagnostics.Level, _ text: String, journal: Bool) -> String {
        guard journal else { return text + "\n" }
        let body = text.hasSuffix("\n") ? text.dropLast() : Substring(text)
        return body.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(level.rawValue)>\($0)\n" }.joined()
    }
}
