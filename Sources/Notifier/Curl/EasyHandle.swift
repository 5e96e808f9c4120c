import CCurlShim
import Foundation

/// One libcurl easy handle, owned for its whole life: the options set on it, the lists it points to and the upload
/// it reads from stay alive as long as it does, and `deinit` frees them. Reusing the handle reuses its connection.
/// The shape of swift-corelibs-foundation's `_EasyHandle`.
final class EasyHandle {
    private let handle: UnsafeMutableRawPointer
    /// The list each list option points to; replaced (and the old one freed) when the option is set again.
    private var lists: [UInt32: UnsafeMutablePointer<curl_slist>] = [:]
    /// What the upload callback reads from, and how far it has got.
    private var upload: [UInt8] = []
    private var uploadOffset = 0
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
        try CurlError.check(notifier_curl_setopt_ptr(handle, CURLOPT_READDATA, me), "setting the upload source")
        try CurlError.check(
            notifier_curl_setopt_io_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return 0 }
                let this = Unmanaged<EasyHandle>.fromOpaque(userdata).takeUnretainedValue()
                let length = min(size * count, this.upload.count - this.uploadOffset)
                this.upload.withUnsafeBytes { bytes in
                    UnsafeMutableRawPointer(buffer).copyMemory(
                        from: bytes.baseAddress! + this.uploadOffset, byteCount: length)
                }
                this.uploadOffset += length
                return length
            }, "setting the upload callback")
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
        for list in lists.values { curl_slist_free_all(list) }
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try CurlError.check(notifier_curl_setopt_long(handle, option, value), "setting libcurl option \(option.rawValue)")
    }

    /// A string option; libcurl keeps its own copy (since 7.17).
    func set(_ option: CURLoption, _ value: String) throws {
        try CurlError.check(
            value.withCString { notifier_curl_setopt_ptr(handle, option, $0) }, "setting libcurl option \(option.rawValue)")
    }

    /// A list option (recipients); the list lives until the handle goes.
    func set(_ option: CURLoption, list values: [String]) throws {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let appended = curl_slist_append(list, value) else {
                if let list { curl_slist_free_all(list) }
                throw CurlError(code: CURLE_OUT_OF_MEMORY, context: "building a libcurl list")
            }
            list = appended
        }
        let code = notifier_curl_setopt_ptr(handle, option, list)
        if let old = lists[option.rawValue] { curl_slist_free_all(old) }
        lists[option.rawValue] = list
        try CurlError.check(code, "setting libcurl option \(option.rawValue)")
    }

    /// Runs one transfer that uploads `body`; returns libcurl's code (the caller classifies it).
    func perform(uploading body: [UInt8]) throws -> CURLcode {
        upload = body
        uploadOffset = 0
        serverLines = []
        try set(CURLOPT_UPLOAD, 1)
        try CurlError.check(notifier_curl_setopt_int64(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.count)), "setting the size")
        let code = curl_easy_perform(handle)
        upload = []
        return code
    }

    /// Runs one transfer that uploads nothing; returns libcurl's code (the caller classifies it). With
    /// CURLOPT_CONNECT_ONLY set this only connects (TLS, STARTTLS and login included for IMAP); then `send` and
    /// `receive` carry the conversation.
    func perform() throws -> CURLcode {
        serverLines = []
        try set(CURLOPT_UPLOAD, 0)
        return curl_easy_perform(handle)
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
