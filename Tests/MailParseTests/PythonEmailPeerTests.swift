import Foundation
import Testing

@testable import MailParse

/// A peer's test suite: every `msg_*.txt` of CPython's email test data parses, and its Subject decodes exactly as
/// Python's email package (policy=default) decodes it. `make deps` installs the data where the Python lacks it.
@Suite("CPython email test data")
struct PythonEmailPeerTests {
    /// Runs Python once: the data folder and, per file, Python's decoded Subject (null when there is none).
    static func pythonSubjects() throws -> (folder: String, subjects: [String: String?]) {
        let script = """
            import email, email.policy, glob, json, os, test.test_email
            folder = os.path.join(os.path.dirname(test.test_email.__file__), 'data')
            result = {}
            for path in sorted(glob.glob(os.path.join(folder, 'msg_*.txt'))):
                with open(path, 'rb') as f:
                    message = email.message_from_bytes(f.read(), policy=email.policy.default)
                subject = message['subject']
                result[os.path.basename(path)] = None if subject is None else str(subject)
            print(json.dumps({'folder': folder, 'subjects': result}))
            """
        var lastError = "no python3 found"
        for python in ["python3", "/usr/bin/python3"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, "-c", script]
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0,
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let folder = object["folder"] as? String, let subjects = object["subjects"] as? [String: Any]
            else {
                lastError = "\(python): \(errorText)"
                continue
            }
            return (folder, subjects.mapValues { $0 as? String })
        }
        throw PeerError(message: "Python with CPython's email test data is needed (run make deps): \(lastError)")
    }

    struct PeerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    @Test func subjectsMatchPython() throws {
        let (folder, subjects) = try Self.pythonSubjects()
        #expect(subjects.count >= 40)
        for (file, expected) in subjects.sorted(by: { $0.key < $1.key }) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(file)))
            let message = Message.parse(bytes)
            #expect(message.subject == expected, "\(file)")
            _ = NoticeReader.read(message)
        }
    }
}
