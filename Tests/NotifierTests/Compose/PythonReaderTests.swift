import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// A real client reads what notifier writes: Python's email package (policy=default) gets the same decoded Subject
/// and a body with the URL, the code and the OTP, in both charsets.
@Suite("Python's email package reads composed mail")
struct PythonReaderTests {
    static func pythonRead(_ bytes: [UInt8]) throws -> (subject: String, body: String, charset: String) {
        let script = """
            import email, email.policy, json, sys
            message = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
            body = message.get_body(('plain',))
            print(json.dumps({'subject': str(message['subject']), 'body': body.get_content(),
                              'charset': body.get_content_charset(), 'defects': len(message.defects)}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 failed")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["defects"] as? Int == 0)
        // The canonical form of text is CRLF (RFC 2045 §6.8); Python hands it back as it was encoded.
        let body = (object["body"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        return (object["subject"] as? String ?? "", body, object["charset"] as? String ?? "")
    }

    static let composer: Composer = {
        var composer = Composer(store: TemplateStore(directory: nil), messageIDDomain: "to-kousya.example")
        composer.clock = { Date(timeIntervalSince1970: 1_801_114_500) }
        return composer
    }()

    @Test("update notice", arguments: OutgoingMessage.BodyCharset.allCases)
    func updateNotice(charset: OutgoingMessage.BodyCharset) throws {
        let sender = try #require(Validation.mailbox("JKK東京 電子入札システム <nyusatsu@to-kousya.example>"))
        let url = "https://bid.to-kousya.example/cert/download?t=Zq8x-_Yb&lang=ja"
        let composed = try Self.composer.compose(
            template: .updateNotice, from: sender, to: [sender],
            variables: [
                "vendor_name": "株式会社青葉建設", "vendor_code": "5184962", "url": url,
                "valid_from": "2027-04-01", "valid_until": "2028-03-31",
            ],
            charset: charset, strict: true)
        let read = try Self.pythonRead(composed.bytes)
        #expect(read.subject == "【電子入札システム】クライアント証明書更新のお知らせ")
        #expect(read.charset == charset.rawValue)
        #expect(read.body.contains("ダウンロードURL:\(url)"))
        #expect(read.body.contains("業者コード:5184962"))
        #expect(read.body.contains("株式会社青葉建設 御中"))
    }

    @Test("OTP notice", arguments: OutgoingMessage.BodyCharset.allCases)
    func otpNotice(charset: OutgoingMessage.BodyCharset) throws {
        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        let composed = try Self.composer.compose(
            template: .otpNotice, from: sender, to: [sender],
            variables: ["otp": "Hk7mQ2xZ", "expires_at": "2027-01-28T14:35:00+09:00"], charset: charset, strict: true)
        let read = try Self.pythonRead(composed.bytes)
        #expect(read.subject == "【電子入札システム】更新用ワンタイムパスワードのお知らせ")
        #expect(read.body.contains("ワンタイムパスワード:Hk7mQ2xZ\n有効期限:2027/01/28 14:35\n"))
    }
}
