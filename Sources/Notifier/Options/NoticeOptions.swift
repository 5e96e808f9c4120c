/// `--download-url-base URL`: where the issuer's personal download URLs point (`notices send`).
struct NoticeOptions: OptionGroup {
    var downloadURLBase: String?

    static var options: [Option<Self>] {
        [
            .value(
                "--download-url-base", key: "download_url_base", "URL", \.downloadURLBase,
                "the issuer's download URL, to which each notice adds ?t=TOKEN (https://)", parse: Parse.downloadURLBase
            )
        ]
    }
}

/// `--deliver MAILDIR`: `ingest` as the mail server's whole delivery command.
struct DeliveryOptions: OptionGroup {
    var maildir: String?

    static var options: [Option<Self>] {
        [
            .value(
                "--deliver", key: "deliver_maildir", "MAILDIR", \.maildir,
                "then deliver every message, notice or not, into this Maildir (tmp/, fsync, rename into new/): ingest "
                    + "is then the mail server's whole delivery command. When the delivery cannot be made, nothing is "
                    + "changed and ingest exits 75", parse: Parse.text)
        ]
    }
}
