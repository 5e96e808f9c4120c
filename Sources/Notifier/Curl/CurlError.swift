import CCurlShim

/// A libcurl call that failed, with libcurl's own words for it.
struct CurlError: NotifierError, Equatable {
    let code: CURLcode
    /// What notifier was doing (never a value that could hold a secret).
    let context: String

    var message: String {
        "\(context): \(String(cString: curl_easy_strerror(code))) (libcurl error \(code.rawValue))"
    }

    /// Turns a `CURLcode` into a thrown error; every libcurl return code goes through here.
    static func check(_ code: CURLcode, _ context: @autoclosure () -> String) throws {
        guard code == CURLE_OK else { throw CurlError(code: code, context: context()) }
    }
}

extension CURLcode {
    /// Whether a failed connect means there is no server to talk to, or not safely: refused, not found, a TLS or
    /// certificate failure, a URL libcurl cannot use. Retrying soon will not help; a person has to look.
    var meansNoServer: Bool {
        [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SSL_CONNECT_ERROR,
         CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR,
         CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT].contains(self)
    }
}
