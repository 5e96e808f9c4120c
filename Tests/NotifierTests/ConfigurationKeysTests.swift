import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// The settings a timer or a long-running watcher takes from the configuration file instead of flags.
@Suite("configuration keys")
struct ConfigurationKeysTests {
    @Test func everyKeyIsRead() throws {
        let text = """
            trust_sender = nyusatsu@to-kousya.example
            trust_host = bid.to-kousya.example
            trust_authserv_id = mail.aoba-kensetsu.example
            trust_token_length = 24
            from = JKK東京 <nyusatsu@to-kousya.example>
            smtp_url = smtp://127.0.0.1:2525
            smtp_user = notifier
            smtp_tls = required
            smtp_password_file = /etc/notifier/smtp-password
            ca_file = /etc/notifier/ca.pem
            smtp_connect_timeout = 5
            smtp_timeout = 60
            message_id_domain = to-kousya.example
            return_path = bounces+{token}@to-kousya.example
            charset = iso-2022-jp
            templates = /etc/notifier/templates
            download_url_base = https://bid.to-kousya.example/cert/download
            otp_key_file = /etc/notifier/otp.key
            otp_lock_minutes = 15
            imap_url = imaps://mail.vendor.example/INBOX
            imap_user = nyusatsu-tanto
            imap_folder = INBOX
            imap_folder = 迷惑メール
            imap_password_file = /etc/notifier/imap-password
            relay_to = installer@vendor.example
            relay_to = second@vendor.example
            relay_command = /usr/local/bin/notify-installer
            relay_timeout = 12
            deliver_maildir = /home/nyusatsu-tanto/Maildir
            imap_tls = none
            max_message_size = 16M
            imap_auth = xoauth2
            imap_token_command = oama access nyusatsu-tanto@vendor.example
            imap_password_command = pass show imap
            smtp_auth = oauthbearer
            smtp_token_command = oama access relay@vendor.example
            smtp_password_command = pass show smtp
            expect_notice_by = 03-01
            pop3_url = pop3s://pop.vendor.example
            pop3_user = nyusatsu-tanto
            pop3_password_file = /etc/notifier/pop3-password
            pop3_password_command = pass show pop3
            pop3_auth = oauthbearer
            pop3_token_command = oama access pop3@vendor.example
            pop3_tls = required
            """
        let configuration = try Configuration.parse(text, path: "config")
        #expect(configuration.transport.smtpTLS == .required && configuration.sender.charset == .iso2022JP)
        #expect(configuration.relay.relayTo.map(\.addrSpec) == ["installer@vendor.example", "second@vendor.example"])
        #expect(configuration.otpKeyFile == "/etc/notifier/otp.key" && configuration.imap.user == "nyusatsu-tanto")
        #expect(configuration.otpLockMinutes == 15)
        #expect(configuration.notices.downloadURLBase == "https://bid.to-kousya.example/cert/download")
        #expect(configuration.trust.authservIDs == ["mail.aoba-kensetsu.example"])
        #expect(
            configuration.relay.relayTimeout == 12 && configuration.delivery.maildir == "/home/nyusatsu-tanto/Maildir")
        #expect(configuration.imap.tls == IMAPSettings.TLSMode.none && configuration.imap.maxMessageSize == 16 << 20)
        #expect(configuration.trust.tokenLength == 24)
        #expect(configuration.imap.auth == .xoauth2 && configuration.transport.auth == .oauthbearer)
        #expect(configuration.imap.tokenCommand == "oama access nyusatsu-tanto@vendor.example")
        #expect(configuration.transport.tokenCommand == "oama access relay@vendor.example")
        #expect(configuration.imap.passwordCommand == "pass show imap")
        #expect(configuration.transport.passwordCommand == "pass show smtp")
        #expect(configuration.alarm.expectNoticeBy == .day(SeasonDay("03-01")!))
        #expect(configuration.pop3.url == "pop3s://pop.vendor.example" && configuration.pop3.user == "nyusatsu-tanto")
        #expect(
            configuration.pop3.passwordFile == "/etc/notifier/pop3-password" && configuration.pop3.tls == .required)
        #expect(configuration.pop3.passwordCommand == "pass show pop3" && configuration.pop3.auth == .oauthbearer)
        #expect(configuration.pop3.tokenCommand == "oama access pop3@vendor.example")
        #expect(configuration.transport.connectTimeout == 5 && configuration.transport.timeout == 60)
        #expect(configuration.sender.messageIDDomain == "to-kousya.example" && configuration.imap.url != nil)
        #expect(configuration.sender.returnPath?.description == "bounces+{token}@to-kousya.example")
        #expect(configuration.imap.folders == ["INBOX", "迷惑メール"])
        #expect(Set(Configuration.keys).count == Configuration.keys.count)
        for key in Configuration.keys { #expect(text.contains("\(key) = "), "\(key) missing from this test") }
    }

    @Test func relayCommandAndOTPKeyFileFromTheConfiguration() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mailbox = folder.appendingPathComponent("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: mailbox.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let relayed = folder.appendingPathComponent("relayed.json")
        let config = folder.appendingPathComponent("config")
        try "relay_command = cat > '\(relayed.path)'\notp_key_file = \(folder.path)/keys/otp.key\n"
            .write(to: config, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try VendorSideTests.otpNotice(code: "CfgRel77", minutes: 20, id: "cfg").write(
            to: mailbox.appendingPathComponent("new/1"))
        let watch = try CLI.run([
            "--config", config.path, "--db", folder.appendingPathComponent("v.db").path,
            "watch", "--maildir", mailbox.path, "--once",
        ])
        #expect(watch.stdout == "1: relayed\n", "\(watch.stderr)")
        #expect(try String(contentsOf: relayed, encoding: .utf8).contains("\"otp\": \"CfgRel77\""))

        let database = folder.appendingPathComponent("issuer.db").path
        let csv = folder.appendingPathComponent("v.csv")
        try "vendor_code,name,email,kind\n5184962,青葉,a@example.test,construction\n".write(
            to: csv, atomically: true, encoding: .utf8)
        _ = try CLI.run(["--db", database, "vendors", "import", csv.path])
        let issue = try CLI.run([
            "--config", config.path, "--db", database, "otp", "issue", "--vendor", "5184962",
            "--from", "nyusatsu@to-kousya.example", "--outbox", folder.appendingPathComponent("out").path,
        ])
        #expect(issue.status == 0, "\(issue.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("keys/otp.key").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("otp.key").path))
    }
}
