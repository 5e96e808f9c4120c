import CCurlShim
import Foundation

/// One libcurl easy handle, owned for its whole life: `deinit` frees it. For SMTP and IMAP notifier uses libcurl to
/// connect, do TLS and log in (CURLOPT_CONNECT_ONLY); the protocol after that goes over `send` and `receive` (see
/// `CurlStream`). For POP3 libcurl carries each command and reads its answer (`transfer`).
/// The shape of swift-corelibs-foundation's `_EasyHandle`.
final class EasyHandle {
    private let handle: UnsafeMutableRawPointer
    /// The server's lines of the last transfer (CURLINFO_HEADER_IN). Only what the server said is kept, never
    /// what notifier sent: AUTH carries the password.
    private(set) var serverLines: [String] = []

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    init() throws {
        try CurlError.check(Self.globalInit, "initialising libcurl")
        guard let handle = curl_easy_init() else {
            throw CurlError(code: CURLE_FAILED_INIT, context: "creating a libcurl handle")
        }
        self.handle = handle
        let me = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_NOSIGNAL, 1)
        try CurlError.check(notifier_curl_setopt_ptr(handle, CURLOPT_DEBUGDATA, me), "setting the transcript sink")
        try CurlError.check(
            notifier_curl_setopt_debug_callback(handle) { _, type, data, size, userdata in
                guard type == CURLINFO_HEADER_IN, let data, let userdata else { return 0 }
                let this = Unmanaged<EasyHandle>.fromOpaque(userdata).takeUnretainedValue()
                let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
                for line in text.split(whereSeparator: \.isNewline) where this.serverLines.count < 200 {
                    this.serverLines.append(String(line))
                }
                return 0
            }, "setting the transcript callback")
        // The debug callback runs only with VERBOSE on; nothing is printed, it only feeds `serverLines`.
        try set(CURLOPT_VERBOSE, 1)
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try CurlError.check(
            notifier_curl_setopt_long(handle, option, value), "setting libcurl option \(option.rawValue)")
    }

    /// A string option; libcurl keeps its own copy (since 7.17).
    func set(_ option: CURLoption, _ value: String) throws {
        try CurlError.check(
            value.withCString { notifier_curl_setopt_ptr(handle, option, $0) },
            "setting libcurl option \(option.rawValue)")
    }

    /// Sets up a connect-only connection (CURLOPT_CONNECT_ONLY): `perform()` then connects, does TLS (implicit for
    /// smtps:// and imaps://, else STARTTLS when offered, or always with `requireTLS`), verifies the certificate
    /// against the system's CAs or `caFile`, and logs in with `credentials` when given (a password, or an OAuth2
    /// token by SASL XOAUTH2 or OAUTHBEARER); the conversation after that is the caller's (`CurlStream`).
    func connectOnly(
        url: String, requireTLS: Bool, caFile: String?, credentials: Credentials?, connectTimeout: Int,
        responseTimeout: Int
    ) throws {
        try configure(
            url: url, requireTLS: requireTLS, caFile: caFile, credentials: credentials, connectTimeout: connectTimeout,
            responseTimeout: responseTimeout)
        try set(CURLOPT_CONNECT_ONLY, 1)
        try set(CURLOPT_TIMEOUT, connectTimeout + responseTimeout)
    }

    /// What `connectOnly` and `transfers` share: the server, TLS, the certificate check, the login and the time limits.
    private func configure(
        url: String, requireTLS: Bool, caFile: String?, credentials: Credentials?, connectTimeout: Int,
        responseTimeout: Int
    ) throws {
        try set(CURLOPT_URL, url)
        try set(CURLOPT_USE_SSL, Int(requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { try set(CURLOPT_CAINFO, caFile) }
        switch credentials {
        case .password(let user, let password)?:
            try set(CURLOPT_USERNAME, user)
            try set(CURLOPT_PASSWORD, password)
        case .bearer(let user, let token, let mechanism)?:
            // Only this mechanism (CURLOPT_LOGIN_OPTIONS): without it libcurl would pick what the server offers,
            // and a server that offers neither is a refused login (CURLE_LOGIN_DENIED), never a LOGIN in clear.
            try set(CURLOPT_USERNAME, user)
            try set(CURLOPT_XOAUTH2_BEARER, token)
            try set(CURLOPT_LOGIN_OPTIONS, "AUTH=\(mechanism.rawValue)")
        case nil:
            break
        }
        try set(CURLOPT_CONNECTTIMEOUT, connectTimeout)
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, responseTimeout)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
    }

    // MARK: - Transfers that libcurl reads (POP3)

    /// The body of the transfer in progress, as the write callback hands it over.
    private var body: [UInt8] = []
    /// The most bytes `body` may hold; past it the write callback refuses the rest and the transfer fails.
    private var bodyLimit = Int.max
    /// Whether the transfer in progress went past `bodyLimit`.
    private var bodyOverflowed = false

    /// Sets up transfers that libcurl carries from end to end (POP3, where libcurl reads each answer to its end,
    /// undoes the dot-stuffing and hands only the body over): the same server, TLS, certificate check and login as
    /// `connectOnly`. Each `transfer(request:limit:timeout:)` then sends one command on the connection libcurl keeps
    /// between them, connecting (and logging in) again only when it has none.
    func transfers(
        url: String, requireTLS: Bool, caFile: String?, credentials: Credentials?, connectTimeout: Int,
        responseTimeout: Int
    ) throws {
        try configure(
            url: url, requireTLS: requireTLS, caFile: caFile, credentials: credentials, connectTimeout: connectTimeout,
            responseTimeout: responseTimeout)
        let me = Unmanaged.passUnretained(self).toOpaque()
        try CurlError.check(notifier_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, me), "setting the body sink")
        try CurlError.check(
            notifier_curl_setopt_write_callback(handle) { data, size, count, userdata in
                guard let userdata else { return 0 }
                let this = Unmanaged<EasyHandle>.fromOpaque(userdata).takeUnretainedValue()
                let length = size * count
                guard length > 0, let data else { return length }
                if this.body.count + length > this.bodyLimit {
                    this.bodyOverflowed = true
                    return 0  // libcurl ends the transfer with CURLE_WRITE_ERROR
                }
                this.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
                return length
            }, "setting the body callback")
    }

    /// Why a `transfer` failed: how its connection failed, or that the server refused the command, or that the
    /// answer was longer than allowed. libcurl closes the connection after any of these; the next transfer opens a
    /// new one (`newConnections` then says so).
    struct TransferFailure: Error, Equatable {
        /// The failure as a connect's (a lost connection, a timeout, a refused login...).
        let failure: ConnectFailure
        /// The server answered the command itself with an error (POP3's `-ERR`): `lastLine` has its words.
        let refused: Bool
        /// The answer was longer than the limit; what came was dropped.
        let overLimit: Bool
        /// The server's last line (never what notifier sent).
        let lastLine: String?
    }

    /// Sends `request` (CURLOPT_CUSTOMREQUEST: a whole POP3 command such as `UIDL` or `TOP 3 0`) and returns the
    /// body of its answer, at most `limit` bytes; the whole transfer (with a connection and login when libcurl has
    /// none) must end within `timeout` seconds.
    func transfer(request: String, limit: Int, timeout: Int) throws(TransferFailure) -> [UInt8] {
        serverLines = []
        body = []
        bodyLimit = limit
        bodyOverflowed = false
        defer { body = [] }
        var code = notifier_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, request)
        if code == CURLE_OK { code = notifier_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeout) }
        if code == CURLE_OK { code = curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            // libcurl says QUIT after a refusal, so the refusal is not always the last line.
            let refusal = serverLines.last { $0.hasPrefix("-ERR") }
            throw TransferFailure(
                failure: ConnectFailure(code), refused: code == CURLE_WEIRD_SERVER_REPLY && refusal != nil,
                overLimit: bodyOverflowed, lastLine: refusal ?? serverLines.last)
        }
        return body
    }

    /// How many new connections the last transfer opened (CURLINFO_NUM_CONNECTS): 0 when it used the one libcurl
    /// kept from the transfer before.
    var newConnections: Int {
        var count = 0
        _ = notifier_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// Connects (after `connectOnly`): TCP, TLS or STARTTLS, the greeting, EHLO or CAPABILITY, and the login;
    /// throws what went wrong for the caller to classify. Then `send` and `receive` carry the conversation.
    func perform() throws(ConnectFailure) {
        serverLines = []
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else { throw ConnectFailure(code) }
    }

    /// How long libcurl waits for the answer to its own goodbye (LOGOUT, QUIT) when the handle is freed: set before
    /// letting go of a connection, so that a silent server does not hold the process.
    func set(quitTimeout seconds: Int) throws {
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, seconds)
    }

    /// curl_easy_send on a CURLOPT_CONNECT_ONLY connection: sends what the socket takes now. CURLE_AGAIN (nothing
    /// sent) means "wait until `socket` is writable"; `sent` may be less than `bytes.count`.
    func send(_ bytes: UnsafeRawBufferPointer) -> (code: CURLcode, sent: Int) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return (CURLE_OK, 0) }
        var sent = 0
        let code = curl_easy_send(handle, base, bytes.count, &sent)
        return (code, sent)
    }

    /// curl_easy_recv on a CURLOPT_CONNECT_ONLY connection: CURLE_OK with 0 bytes means the server closed the
    /// connection; CURLE_AGAIN means nothing is there yet (poll `socket`). Decrypted TLS data may be waiting inside
    /// libcurl while the socket is not readable, so call this until CURLE_AGAIN before polling.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> (code: CURLcode, received: Int) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return (CURLE_OK, 0) }
        var received = 0
        let code = curl_easy_recv(handle, base, buffer.count, &received)
        return (code, received)
    }

    /// The connection's socket (CURLINFO_ACTIVESOCKET), for poll(2); nil when there is none.
    var socket: curl_socket_t? {
        var socket = CURL_SOCKET_BAD
        guard notifier_curl_getinfo_socket(handle, &socket) == CURLE_OK, socket != CURL_SOCKET_BAD else { return nil }
        return socket
    }

    /// The last reply code the server gave (CURLINFO_RESPONSE_CODE), 0 when none.
    var responseCode: Int {
        var code = 0
        _ = notifier_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }
}
