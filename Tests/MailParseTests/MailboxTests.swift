import Testing

@testable import MailParse

/// Address lists (RFC 5322 §3.4): structure is read before encoded words are decoded.
@Suite("Addresses (RFC 5322 §3.4)")
struct MailboxTests {
    private func parse(_ text: String) -> [Mailbox] { Mailbox.parseList(Array(text.utf8)[...]) }

    @Test func displayNameAndAngleAddress() {
        let boxes = parse("=?utf-8?b?SktL5p2x5Lqs?= <nyusatsu@to-kousya.example>")
        #expect(boxes == [Mailbox(displayName: "JKK東京", localPart: "nyusatsu", domain: "to-kousya.example")])
    }

    @Test func spoofedDisplayNameStaysAName() {
        // Display name decodes to "JKK東京 <nyusatsu@to-kousya.example>"; the real address is the attacker's.
        let encoded = "=?utf-8?b?SktL5p2x5LqsIDxueXVzYXRzdUB0by1rb3VzeWEuZXhhbXBsZT4=?= <notice@kousya-portal.test>"
        let boxes = parse(encoded)
        #expect(boxes.count == 1)
        #expect(boxes.first?.addrSpec == "notice@kousya-portal.test")
        #expect(boxes.first?.displayName == "JKK東京 <nyusatsu@to-kousya.example>")
    }

    @Test func quotedNameWithSpecialsAndComments() {
        let boxes = parse("\"Suzuki, Ichiro (経理)\" <i.suzuki@example.jp> (work), bare@example.jp (Bare Name)")
        #expect(boxes.map(\.addrSpec) == ["i.suzuki@example.jp", "bare@example.jp"])
        #expect(boxes.map(\.displayName) == ["Suzuki, Ichiro (経理)", "Bare Name"])
    }

    @Test func quotedLocalPartIsUnquoted() {
        #expect(parse("\"nyusatsu\"@to-kousya.example").first?.addrSpec == "nyusatsu@to-kousya.example")
        // An "@" inside the quotes stays part of the local part: this is not the trusted address.
        #expect(parse("\"nyusatsu@to-kousya.example\"@evil.test").first?.domain == "evil.test")
    }

    @Test func groupsAndRoutes() {
        let boxes = parse("Team: a@example.jp, B <b@example.jp>;, <@relay.example:c@example.jp>")
        #expect(boxes.map(\.addrSpec) == ["a@example.jp", "b@example.jp", "c@example.jp"])
    }

    @Test func garbageGivesNoMailbox() {
        #expect(parse("not an address").isEmpty)
        #expect(parse("a@b@c").isEmpty)
        #expect(parse("").isEmpty)
    }

    /// White space between two words of an address leaves no address; around "@" and "." it is obsolete but valid.
    @Test(arguments: [
        "nyusatsu@to-kousya.exa mple", "nyu satsu@to-kousya.example", "JKK <nyu satsu@to-kousya.example>",
        "<nyusatsu@to-kousya .example mple>", "nyusatsu(x)satsu@to-kousya.example", "Big Bug bb@bug.com",
        "\"nyu\" satsu@to-kousya.example",
    ])
    func spaceInsideAnAddressIsNoAddress(field: String) {
        #expect(parse(field).isEmpty, "\(parse(field).map(\.addrSpec))")
    }

    @Test(arguments: [
        "nyusatsu @ to-kousya.example", "nyusatsu@to-kousya . example", "<nyusatsu @ to-kousya.example>",
        "nyusatsu (Tanto) @ to-kousya.example",
    ])
    func spaceAroundAtAndDotIsObsoleteButValid(field: String) {
        #expect(parse(field).map(\.addrSpec) == ["nyusatsu@to-kousya.example"])
    }
}
