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
        // The core: everything but argv, the configuration file, printing and exit codes. Imports MailParse and
        // the C shims (CCurlShim only in Net/Curl, CSQLite in Store, CCrypto in Support/Crypto); never
        // UsageError or ExitCode. What the executable uses is `package`, nothing is `public`.
        .target(
            name: "NotifierCore",
            dependencies: ["MailParse", "CCurlShim", "CSQLite", "CCrypto"]
        ),
        // The `notifier` executable, thin: argv, options, the configuration file, the commands (mail, issuer,
        // vendor), printing, and errors turned into exit codes at one edge. Imports NotifierCore and MailParse.
        .executableTarget(
            name: "Notifier",
            dependencies: ["NotifierCore", "MailParse"]
        ),
        .testTarget(
            name: "MailParseTests",
            dependencies: ["MailParse"],
            resources: [.copy("Fixtures")]
        ),
        // Tests of behaviour import NotifierCore; tests of the CLI run the binary (and use the executable's
        // types through @testable import Notifier).
        .testTarget(
            name: "NotifierTests",
            dependencies: ["NotifierCore", "Notifier", "MailParse"]
        ),
    ]
)
