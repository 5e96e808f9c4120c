// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "notifier",
    products: [
        .executable(name: "notifier", targets: ["Notifier"]),
        .library(name: "MailParse", targets: ["MailParse"]),
    ],
    targets: [
        // Pure mail-format library: bytes in, values out. Foundation only, no I/O, no C.
        .target(name: "MailParse"),
        // Non-variadic wrappers over libcurl (SMTP, IMAP, TLS).
        .target(
            name: "CCurlShim",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // The system's sqlite3, as a module.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // OpenSSL's libcrypto, only where a keyed hash is needed (HMAC-SHA-256 of one-time passwords).
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .executableTarget(
            name: "Notifier",
            dependencies: ["MailParse", "CCurlShim", "CSQLite", "CCrypto"]
        ),
        .testTarget(
            name: "MailParseTests",
            dependencies: ["MailParse"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "NotifierTests",
            dependencies: ["Notifier", "MailParse"]
        ),
    ]
)
