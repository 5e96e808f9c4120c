import Foundation
import Testing

@testable import Notifier
@testable import NotifierCore

/// How often a watch looks again without IDLE: once a minute over IMAP (`--no-idle`, or a server without IDLE),
/// every 2 s for a local Maildir; `--poll` overrides both.
@Suite("watch: the poll interval's default")
struct WatchPollDefaultTests {
    @Test func imapWithoutIdleLooksOnceAMinute() {
        var options = MailboxOptions()
        options.imap.url = "imaps://mail.aoba-kensetsu.example/INBOX"
        options.noIdle = true
        #expect(options.watchSettings.poll == 60 && !options.watchSettings.idle)
        // With IDLE, a server that has none is polled at the same pace.
        options.noIdle = false
        #expect(options.watchSettings.poll == 60 && options.watchSettings.idle)
        // imap_url from the configuration only: still IMAP.
        #expect(MailboxOptions().watchSettings.poll == 60)
    }

    @Test func aMaildirIsLookedAtEveryTwoSeconds() {
        var options = MailboxOptions()
        options.maildir = "/home/nyusatsu-tanto/Maildir"
        #expect(options.watchSettings.poll == 2)
    }

    @Test func pollOverridesEither() throws {
        var imap = MailboxOptions()
        imap.imap.url = "imaps://mail.example.jp/INBOX"
        imap.noIdle = true
        imap.poll = try MailboxOptions.poll("7.5")
        var maildir = MailboxOptions()
        maildir.maildir = "/tmp/Maildir"
        maildir.poll = try MailboxOptions.poll("0.5")
        #expect(imap.watchSettings.poll == 7.5 && maildir.watchSettings.poll == 0.5)
    }

    @Test(arguments: [["watch", "--help"], ["bounces", "watch", "--help"]])
    func theHelpSaysBothDefaults(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 0)
        let flat = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(
            flat.contains("how often to look again (default 60 over IMAP without IDLE and over POP3, 2 for --maildir)"),
            "\(result.stdout)")
    }
}
