import CCurlShim
import Foundation

/// Sends messages over SMTP through libcurl: smtp:// with STARTTLS when offered (or required), smtps://, AUTH,
/// verified certificates. One handle, so one connection carries message after message.
/// - SeeAlso: RFC 5321 §4.2 (reply codes), RFC 3207 (STARTTLS), RFC 4954 (AUTH)
final class SMTPTransport: MessageTransport {
    private let settings: SMTPSettings
    private let handle: EasyHandle

    init(settings: SMTPSettings) throws {
        self.settings = settings
        handle = try EasyHandle()
        try handle.set(CURLOPT_URL, settings.url)
        try handle.set(CURLOPT_USE_SSL, Int(settings.tls == .required ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = settings.caFile { try handle.set(CURLOPT_CAINFO, caFile) }
        if let user = settings.user { try handle.set(CURLOPT_USERNAME, user) }
        if let password = settings.password { try handle.set(CURLOPT_PASSWORD, password) }
        try handle.set(CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        try handle.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, settings.responseTimeout)
        try handle.set(CURLOPT_TIMEOUT, settings.timeout)
        try handle.set(CURLOPT_TCP_KEEPALIVE, 1)
    }

    func deliver(_ message: [UInt8], sender: String, recipients: [String]) throws -> Delivery {
        try handle.set(CURLOPT_MAIL_FROM, "<\(sender)>")
        try handle.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        let code = try handle.perform(uploading: message)
        return Self.classify(code, responseCode: handle.responseCode, lines: handle.serverLines)
    }

    /// Turns libcurl's code and the server's last reply into an outcome: the reply code decides when there is one
    /// (2xx sent, 4xx transient, 5xx permanent); without one, what failed does.
    static func classify(_ code: CURLcode, responseCode: Int, lines: [String]) -> Delivery {
        let replies = lines.filter { $0.count >= 3 && $0.prefix(3).allSatisfy(\.isNumber) }
        // After a refusal libcurl says QUIT and the server "221 Bye": the refusal is the reply that counts.
        let last = code == CURLE_OK ? replies.last : (replies.last { $0.first == "4" || $0.first == "5" } ?? replies.last)
        let reply = last ?? String(cString: curl_easy_strerror(code))
        let replyCode = last.flatMap { Int($0.prefix(3)) } ?? (responseCode > 0 ? responseCode : nil)
        if code == CURLE_OK { return Delivery(outcome: .sent, code: replyCode, reply: reply) }
        if code == CURLE_LOGIN_DENIED {
            return Delivery(outcome: .authentication, code: replyCode, reply: reply)
        }
        if let replyCode, code != CURLE_OPERATION_TIMEDOUT {
            switch replyCode {
            case 400..<500: return Delivery(outcome: .transient, code: replyCode, reply: reply)
            case 500..<600: return Delivery(outcome: .permanent, code: replyCode, reply: reply)
            default: break
            }
        }
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SSL_CONNECT_ERROR,
            CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_USE_SSL_FAILED, CURLE_SSL_CERTPROBLEM,
            CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            let why = code == CURLE_USE_SSL_FAILED
                ? "the server does not offer STARTTLS and --smtp-tls required refuses to send in clear"
                : String(cString: curl_easy_strerror(code))
            return Delivery(outcome: .unavailable, code: replyCode, reply: last.map { "\(why): \($0)" } ?? why)
        default:
            // Timeouts, broken connections, anything unexpected: the message may go through on a later try.
            let why = String(cString: curl_easy_strerror(code))
            return Delivery(outcome: .transient, code: replyCode, reply: last.map { "\(why) after: \($0)" } ?? why)
        }
    }
}
