import Foundation
import NotifierCore

extension Diagnostics {
    /// Every line to standard error as `notifier: TEXT`, after what standard output holds so far.
    static let standardError = Diagnostics { _, text in
        StandardOutput.shared.flush()
        FileHandle.standardError.write(Data("notifier: \(text)\n".utf8))
    }
}
