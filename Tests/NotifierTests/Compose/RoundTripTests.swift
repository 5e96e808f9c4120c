import Foundation
import MailParse
import Testing

@testable import NotifierCore

/// SplitMix64: a small seeded generator, so every property-test run tries the same cases and a failure repeats.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Everything composed parses back through MailParse to the same fields and is trusted under the sender's own
/// trust settings: a property test over random names, codes, URLs, OTPs, both charsets and long subjects.
@Suite("Compose and parse back")
struct RoundTripTests {
    static let pieces = [
        "株式会社", "青葉", "建設", "髙島", "﨑", "ｱｲｳｴｵ", "カナ", "ひらがな", "😀", "👨‍👩‍👧", "〜", "～", "①",
        "A&B", "O'Neil", "\"quoted\"", "Co., Ltd.", " ", "-", "é", "한국", "中文",
    ]
    static let policy = TrustPolicy(senders: ["nyusatsu@to-kousya.example"], hosts: ["bid.to-kousya.example"])

    static func randomName(_ rng: inout SeededGenerator, count: Int) -> String {
        var name = ""
        for _ in 0..<count { name += pieces.randomElement(using: &rng)! }
        return name.trimmingCharacters(in: .whitespaces).isEmpty ? "名前" : name.trimmingCharacters(in: .whitespaces)
    }

    static func token(_ rng: inout SeededGenerator, length: Int, alphabet: String) -> String {
        String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }

    func composer(_ rng: SeededGenerator) -> Composer {
        var composer = Composer(store: TemplateStore(directory: nil), messageIDDomain: "to-kousya.example")
        composer.clock = { Date(timeIntervalSince1970: 1_801_114_500) }
        let seed = rng.state
        composer.random = { seed }
        return composer
    }

    @Test("update notices", arguments: OutgoingMessage.BodyCharset.allCases)
    func updateNotices(charset: OutgoingMessage.BodyCharset) throws {
        var rng = SeededGenerator(state: 2027)
        let sender = try #require(Validation.mailbox("JKK東京 電子入札システム <nyusatsu@to-kousya.example>"))
        for _ in 0..<150 {
            let name = Self.randomName(&rng, count: Int.random(in: 1...12, using: &rng))
            let code = Self.token(&rng, length: 7, alphabet: "0123456789")
            let token = Self.token(
                &rng, length: Int.random(in: 8...40, using: &rng),
                alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            let url =
                "https://bid.to-kousya.example/cert/download?t=\(token)&lang=ja&v=\(Int.random(in: 1...9, using: &rng))"
            let year = Int.random(in: 2026...2040, using: &rng)
            let to = try #require(
                Validation.mailbox("\(name.replacingOccurrences(of: "\"", with: "")) <v\(code)@example.test>"))
            let composed = try composer(rng).compose(
                template: .updateNotice, from: sender, to: [to],
                variables: [
                    "vendor_name": name, "vendor_code": code, "url": url, "valid_from": "\(year)-04-01",
                    "valid_until": "\(year + 1)-03-31",
                ],
                charset: charset, strict: true)
            let notice = NoticeReader.read(composed.bytes, trust: Self.policy)
            #expect(notice.kind == .updateNotice && notice.trusted, "\(name)")
            #expect(notice.vendorCode == code)
            #expect(notice.url == url)
            #expect(notice.validFrom?.description == "\(year)-04-01")
            #expect(notice.validUntil?.description == "\(year + 1)-03-31")
            #expect(notice.subject == "【電子入札システム】クライアント証明書更新のお知らせ")
            let text = Message.parse(composed.bytes).root.text ?? ""
            // Written as ISO-2022-JP, WAVE DASH becomes FULLWIDTH TILDE (the documented substitution); text that
            // ISO-2022-JP cannot hold went out as UTF-8, exactly.
            let wentAsISO2022JP = String(decoding: composed.bytes, as: UTF8.self).contains("charset=ISO-2022-JP")
            #expect(wentAsISO2022JP == (charset == .iso2022JP && !name.contains { "髙﨑ｱｲｳｴｵ😀👨‍👩‍👧é한국".contains($0) }))
            let shown = wentAsISO2022JP ? name.replacingOccurrences(of: "〜", with: "～") : name
            // Long ISO-2022-JP lines are broken after a space, 、 or 。: joined again, the text is the same.
            let joined = wentAsISO2022JP ? text.replacingOccurrences(of: "\r\n", with: "") : text
            #expect(joined.contains("\(shown) 御中"), "\(name)")
        }
    }

    @Test("OTP notices", arguments: OutgoingMessage.BodyCharset.allCases)
    func otpNotices(charset: OutgoingMessage.BodyCharset) throws {
        var rng = SeededGenerator(state: 31)
        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        for _ in 0..<150 {
            let otp = Self.token(&rng, length: 8, alphabet: "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789")
            let hour = Int.random(in: 0...23, using: &rng)
            let minute = Int.random(in: 0...59, using: &rng)
            let expires =
                "2027-02-\(twoDigits(Int.random(in: 1...28, using: &rng)))T\(twoDigits(hour)):\(twoDigits(minute)):00+09:00"
            // Issued 30 minutes before it expires, as the issuer's are: an OTP further from its Date is implausible.
            var issuing = composer(rng)
            let expiry = try #require(TemplateValues.parseInstant(expires))
            issuing.clock = { expiry.addingTimeInterval(-1_800) }
            let composed = try issuing.compose(
                template: .otpNotice, from: sender, to: [sender], variables: ["otp": otp, "expires_at": expires],
                charset: charset, strict: true)
            let notice = NoticeReader.read(composed.bytes, trust: Self.policy)
            #expect(notice.kind == .otp && notice.trusted)
            #expect(notice.otp == otp)
            #expect(notice.expiresAt?.description == expires)
        }
    }

    @Test("long subjects", arguments: OutgoingMessage.BodyCharset.allCases)
    func longSubjects(charset: OutgoingMessage.BodyCharset) throws {
        var rng = SeededGenerator(state: 7)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "Subject: {{vendor_name}}\n\nbody {{vendor_name}}\n".write(
            to: folder.appendingPathComponent("long"), atomically: true, encoding: .utf8)
        var composer = composer(rng)
        composer = Composer(
            store: TemplateStore(directory: folder.path), messageIDDomain: "x.example", clock: composer.clock,
            random: composer.random)
        let sender = try #require(Validation.mailbox("a@x.example"))
        for _ in 0..<60 {
            let subject = Self.randomName(&rng, count: Int.random(in: 20...80, using: &rng))
            let composed = try composer.compose(
                template: TemplateName("long"), from: sender, to: [sender], variables: ["vendor_name": subject],
                charset: charset,
                strict: true)
            let header = String(decoding: composed.bytes, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
            for line in header.components(separatedBy: "\r\n") { #expect(line.count <= 78) }
            #expect(Message.parse(composed.bytes).subject == subject)
        }
    }
}
