import Foundation

/// The account part of a mailbox server's URL, which IMAP and POP3 read alike.
enum ServerAccount {
    /// The login name: `user` (from `--imap-user`, `--pop3-user`), else the URL's `USER@` part, percent-decoded;
    /// and the URL without that part, as libcurl gets it.
    static func split(url: String?, user: String?) -> (url: String, user: String?) {
        var url = url ?? ""
        var user = user
        if var components = URLComponents(string: url), let urlUser = components.user {
            user = user ?? urlUser.removingPercentEncoding ?? urlUser
            components.user = nil
            url = components.string ?? url
        }
        return (url, user)
    }

    /// The host of the server's URL, which names the provider whose Authentication-Results count.
    static func host(of url: String?) -> String? { url.flatMap { URLComponents(string: $0)?.host } }
}
