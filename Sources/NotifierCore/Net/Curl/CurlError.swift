import CCurlShim

/// A libcurl call that failed, with libcurl's own words for it.
struct CurlError: NotifierError, Equatable {
    let code: CURLcode
    /// What notifier was doing (never a value that could hold a secret).
    let context: String

    package var message: String {
        "\(context): \(String(cString: curl_easy_strerror(code))) (libcurl error \(code.rawValue))"
    }

    /// Turns a `CURLcode` into a thrown error; every libcurl return code goes through here.
    static func check(_ code: CURLcode, _ context: @autoclosure () -> String) throws {
        guard code == CURLE_OK else { throw CurlError(code: code, context: context()) }
    }
}
