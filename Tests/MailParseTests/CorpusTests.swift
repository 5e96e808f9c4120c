import Foundation
import Testing

@testable import MailParse

/// Every sample message gives exactly the fields its `expected.jsonl` line lists: `corpus` is `shared/corpus` as
/// the issuer's sample notices come and the deliveries of issue 11 (scripts/make_deliveries.py: rewriters, wrapped
/// URLs, reasons, charsets, CR-only files), `variants` one message per shape of Japanese mail
/// (scripts/make_variants.py).
@Suite("Sample notices")
struct CorpusTests {
    /// The corpus is read as `notifier parse` reads it by default: the built-in issuer, tokens of 22 characters at
    /// least. The variants use short placeholder tokens, so their policy does not check token length.
    static let corpusPolicy = TrustPolicy.builtIn
    static let variantsPolicy = TrustPolicy(senders: ["nyusatsu@to-kousya.example"], hosts: ["bid.to-kousya.example"])

    @Test("shared/corpus", arguments: Fixture.names("corpus"))
    func corpus(file: String) throws {
        try check(folder: "corpus", file: file)
    }

    @Test("variants", arguments: Fixture.names("variants"))
    func variants(file: String) throws {
        try check(folder: "variants", file: file)
    }

    @Test func corpusIsComplete() throws {
        // The 14 sample notices and at least 30 deliveries of issue 11 (scripts/make_deliveries.py).
        #expect(Fixture.names("corpus").filter { $0.hasPrefix("p") }.count == 14)
        #expect(Fixture.names("corpus").filter { $0.hasPrefix("d") }.count >= 30)
        #expect(Fixture.names("variants").count >= 20)
    }

    private func check(folder: String, file: String) throws {
        let expected = try #require(try Fixture.expectations(folder).first { $0.file == file }?.fields)
        let policy = folder == "corpus" ? Self.corpusPolicy : Self.variantsPolicy
        let notice = NoticeReader.read(try Fixture.bytes("\(folder)/\(file)"), trust: policy)
        #expect(notice.kind.rawValue == expected["kind"] as? String)
        #expect(notice.trusted == expected["trusted"] as? Bool)
        #expect(notice.vendorCode == expected["vendor_code"] as? String)
        #expect(notice.url == expected["url"] as? String)
        #expect(notice.validFrom?.description == expected["valid_from"] as? String)
        #expect(notice.validUntil?.description == expected["valid_until"] as? String)
        #expect(notice.otp == expected["otp"] as? String)
        #expect(notice.expiresAt?.description == expected["expires_at"] as? String)
        #expect(notice.subject == expected["subject"] as? String)
        #expect((notice.error != nil) == (expected["error"] as? Bool ?? false))
        if expected.keys.contains("reason") {
            #expect(notice.reason?.rawValue == expected["reason"] as? String)
        }
        if notice.kind == .other { #expect(!notice.trusted) }
    }
}
