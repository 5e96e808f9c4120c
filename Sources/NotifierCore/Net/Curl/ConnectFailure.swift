import CCurlShim

extension EasyHandle {
    /// Why a connect-only `perform()` failed (TCP, TLS or STARTTLS, the greeting, the login), in the terms SMTP and
    /// IMAP act on, with libcurl's own words: callers classify this, never a libcurl code.
    struct ConnectFailure: Error, Equatable {
        enum Kind: Equatable, Sendable {
            /// The server refused the user name or password.
            case loginDenied
            /// TLS was required and the server does not offer STARTTLS.
            case tlsRequired
            /// The time allowed for the connection ran out.
            case timeout
            /// No server to talk to, or not safely: refused, not found, a TLS or certificate failure, a URL libcurl
            /// cannot use. Retrying soon will not help; a person has to look.
            case noServer
            /// Anything else: a broken connection, a greeting that refused, ...
            case other
        }

        package let kind: Kind
        /// libcurl's words for it (curl_easy_strerror).
        package let reason: String
        /// libcurl's error number, for messages.
        let number: Int32

        /// `reason (libcurl error N)`.
        var detail: String { "\(reason) (libcurl error \(number))" }

        init(_ code: CURLcode) {
            reason = String(cString: curl_easy_strerror(code))
            number = Int32(code.rawValue)
            switch code {
            case CURLE_LOGIN_DENIED: kind = .loginDenied
            case CURLE_USE_SSL_FAILED: kind = .tlsRequired
            case CURLE_OPERATION_TIMEDOUT: kind = .timeout
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
                CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
                CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
                kind = .noServer
            default: kind = .other
            }
        }
    }
}

/// libcurl itself, as the binary runs with it.
package enum Curl {
    /// `libcurl/7.88.1 OpenSSL/3.0.15 ...`, for `notifier --version`.
    package static var version: String { String(cString: notifier_curl_version()) }
}
