#ifndef NOTIFIER_CCURL_SHIM_H
#define NOTIFIER_CCURL_SHIM_H
#include <curl/curl.h>

/// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call. One non-variadic setter per
/// argument type, as swift-corelibs-foundation's CFURLSessionInterface does.
CURLcode notifier_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode notifier_curl_setopt_ptr(CURL *handle, CURLoption option, const void *value);
typedef int (*notifier_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);
CURLcode notifier_curl_setopt_debug_callback(CURL *handle, notifier_curl_debug_callback callback);
/// CURLOPT_WRITEFUNCTION: where the body of a transfer goes (POP3's UIDL, TOP and RETR answers).
typedef size_t (*notifier_curl_write_callback)(char *data, size_t size, size_t count, void *userdata);
CURLcode notifier_curl_setopt_write_callback(CURL *handle, notifier_curl_write_callback callback);
CURLcode notifier_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
/// curl_easy_getinfo(CURLINFO_ACTIVESOCKET): the socket of the connection (with CURLOPT_CONNECT_ONLY), for poll(2).
CURLcode notifier_curl_getinfo_socket(CURL *handle, curl_socket_t *socket);

/// The version string of the libcurl this binary runs with (for `notifier --version`).
const char *notifier_curl_version(void);
#endif
