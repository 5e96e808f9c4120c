import Foundation
import NotifierCore

extension ProgressSink {
    /// One line on standard error (a terminal), redrawn in place: `120/3000 notices, 41.2/s, ETA 1m9s`, cleared at
    /// the end.
    static func terminalLine(noun: String) -> ProgressSink {
        ProgressSink(
            show: { progress in
                let eta = progress.remainingSeconds
                FileHandle.standardError.write(
                    Data(
                        ("\r\u{1B}[K\(progress.done)/\(progress.total) \(noun), \(String(format: "%.1f", progress.perSecond))/s, "
                            + "ETA \(eta / 60)m\(eta % 60)s").utf8))
            },
            end: { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) })
    }
}
