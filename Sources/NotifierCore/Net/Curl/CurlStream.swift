import CCurlShim
import Foundation

/// The bytes of a connection libcurl has set up with CURLOPT_CONNECT_ONLY (TCP, TLS or STARTTLS, the certificate
/// check and the login are libcurl's): notifier then speaks the protocol itself over curl_easy_send and
/// curl_easy_recv, waiting in poll(2) on the connection's socket, with its own time limits (libcurl's
/// CURLOPT_TIMEOUT does not apply to these calls). Used by the IMAP client and the SMTP transaction.
final class CurlStream {
    package enum Failure: Error, Equatable {
        /// Nothing moved for the time allowed.
        case timeout
        /// The peer closed the connection (CURLE_OK) or the connection broke (libcurl's code).
        case closed(CURLcode)

        /// What happened, in words.
        package var reason: String {
            switch self {
            case .timeout: return "no progress within the time allowed"
            case .closed(CURLE_OK): return "the server closed the connection"
            case .closed(let code): return String(cString: curl_easy_strerror(code))
            }
        }
    }

    let handle: EasyHandle
    let socket: curl_socket_t
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    /// Wraps `handle` after a successful connect-only `perform()`; nil when libcurl holds no connection.
    init?(connected handle: EasyHandle) {
        guard let socket = handle.socket else { return nil }
        self.handle = handle
        self.socket = socket
    }

    /// Sends all of `bytes`; throws `.timeout` when the socket takes nothing for `stall`, or when `deadline`
    /// passes with bytes still to go.
    func send(_ bytes: [UInt8], stall: Duration, until deadline: ContinuousClock.Instant? = nil) throws(Failure) {
        var offset = 0
        var limit = ContinuousClock.now + stall
        while offset < bytes.count {
            let (code, sent) = bytes.withUnsafeBytes { handle.send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            if code == CURLE_OK {
                offset += sent
                limit = .now + stall
            } else if code == CURLE_AGAIN {
                guard wait(for: Int16(POLLOUT), until: deadline.map { min($0, limit) } ?? limit) else { throw .timeout }
            } else {
                throw .closed(code)
            }
        }
    }

    /// Reads what has arrived and hands it to `take`: true when bytes came, false when none came by `limit`.
    /// Throws `.closed` at the end of the stream.
    func receive(until limit: ContinuousClock.Instant, into take: (ArraySlice<UInt8>) -> Void) throws(Failure) -> Bool {
        while true {
            // Decrypted TLS bytes may wait inside libcurl while the socket is quiet: ask libcurl before polling.
            let (code, count) = chunk.withUnsafeMutableBytes { handle.receive(into: $0) }
            if code == CURLE_OK {
                guard count > 0 else { throw .closed(CURLE_OK) }
                take(chunk[0..<count])
                return true
            }
            guard code == CURLE_AGAIN else { throw .closed(code) }
            guard wait(for: Int16(POLLIN), until: limit) else { return false }
        }
    }

    /// Whether the peer has sent something (or closed) that nobody asked for yet: a quiet connection between two
    /// exchanges has nothing to read, so anything there (an SMTP server's `421` before it hangs up, the end of the
    /// stream) means the connection is going away. A readable socket that holds only TLS housekeeping (a TLS 1.3
    /// session ticket, which libcurl reads and keeps to itself) is not that. Reads, and drops, at most one byte:
    /// ask only of a connection that is to be dropped when the answer is yes.
    var hasUnsolicitedInput: Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) != 0 else { return false }
        var byte: UInt8 = 0
        let (code, _) = withUnsafeMutableBytes(of: &byte) { handle.receive(into: $0) }
        return code != CURLE_AGAIN
    }

    /// Ends the connection at the TCP level without a word: libcurl's own goodbye at `curl_easy_cleanup` (QUIT,
    /// LOGOUT) then fails at once instead of waiting for an answer, and a half-sent SMTP message is abandoned by the
    /// server (it never saw the final dot). The socket stays libcurl's to close.
    func abandon() {
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }

    /// poll(2) until the socket is ready (or in error: the next call says which) or the time is up.
    private func wait(for events: Int16, until limit: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = limit - .now
            if remaining <= .zero { return false }
            let milliseconds = Int32(clamping: Int((remaining / .milliseconds(1)).rounded(.up)))
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }
        }
    }
}
