import Foundation
import Testing

@testable import NotifierCore

/// The code: its alphabet, its length, how it is drawn, and how typed input is read.
@Suite("OTP codes")
struct OTPCodeTests {
    @Test func alphabetIsOneCaseWithoutLookAlikes() {
        let alphabet = OTPCode.alphabet
        #expect(alphabet.count == 32, "24 capitals and 8 digits: 32⁸ = 2⁴⁰ codes")
        #expect(Set(alphabet).count == alphabet.count, "no character twice")
        for character in "0O1Il".utf8 { #expect(!alphabet.contains(character), "\(UnicodeScalar(character))") }
        #expect(alphabet.allSatisfy { ($0 >= 0x32 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }, "capitals, 2-9")
    }

    @Test func manyCodesAreEightCharactersOfTheAlphabetAndAllDifferent() {
        var seen = Set<String>()
        var counts = [UInt8: Int]()
        let codes = 4_000
        for _ in 0..<codes {
            let code = OTPCode.generate()
            #expect(code.utf8.count == 8)
            #expect(OTPCode.isWellFormed(code))
            #expect(OTPCode.canonical(code) == code, "one case: a code is written in capitals")
            #expect(!code.utf8.contains(where: OTPCode.lookAlikes.contains))
            seen.insert(code)
            for byte in code.utf8 { counts[byte, default: 0] += 1 }
        }
        #expect(seen.count == codes, "40 bits: no repeats in a few thousand")
        // 32,000 characters over 32: about 1,000 each; chance alone stays far inside these bounds.
        #expect(counts.count == 32)
        let expected = Double(codes * 8) / 32
        for (byte, count) in counts {
            #expect(
                Double(count) > expected * 0.85 && Double(count) < expected * 1.15, "\(UnicodeScalar(byte)): \(count)")
        }
    }

    @Test func everyByteIsTakenFor32AndBytesAboveTheLastFullRoundAreDrawnAgainOtherwise() {
        // 32 divides 256: every byte is an index, 255 the last character.
        var every = ScriptedGenerator(bytes: [255, 1, 1, 1, 1, 1, 1, 1] + [32, 1, 1, 1, 1, 1, 1, 1])
        #expect(OTPCode.uniformIndex(below: 32, using: &every) == 31)
        #expect(OTPCode.uniformIndex(below: 32, using: &every) == 0)
        // 228 = 4 × 57: bytes 228...255 would favour the first 28 of 57, so they are drawn again. Each index
        // takes a fresh 64-bit draw and reads its bytes in turn.
        var generator = ScriptedGenerator(
            bytes: [255, 228, 250, 240, 230, 229, 254, 251] + [56, 1, 1, 1, 1, 1, 1, 1]
                + [250, 227, 1, 1, 1, 1, 1, 1] + [57, 1, 1, 1, 1, 1, 1, 1] + [0, 1, 1, 1, 1, 1, 1, 1])
        #expect(OTPCode.uniformIndex(below: 57, using: &generator) == 56, "a whole draw refused, then 56")
        #expect(OTPCode.uniformIndex(below: 57, using: &generator) == 56, "227 is the last byte taken: 3 × 57 + 56")
        #expect(OTPCode.uniformIndex(below: 57, using: &generator) == 0)
        #expect(OTPCode.uniformIndex(below: 57, using: &generator) == 0)
    }

    @Test func typedInputIsReadAsACodeInEitherCase() {
        #expect(OTPCode.normalize("  AB3DEF9H\r\n") == "AB3DEF9H")
        #expect(OTPCode.normalize("Ａｂ３ｄＥｆ９Ｈ\u{3000}") == "Ab3dEf9H", "full-width, as an input method may type it")
        #expect(OTPCode.canonical("ab3dEf9h") == "AB3DEF9H")
        #expect(OTPCode.canonical("ﬀıßé") == "ﬀıßé", "only ASCII letters change case, and nothing changes length")
        #expect(OTPCode.isWellFormed("AB3DEF9H"))
        #expect(!OTPCode.isWellFormed("Ab3dEf9H"), "small letters are made capitals before this check")
        #expect(!OTPCode.isWellFormed("AB3DEF9"), "too short")
        #expect(!OTPCode.isWellFormed("AB3DEF9HJ"), "too long")
        #expect(!OTPCode.isWellFormed("AB3DEF0H"), "0 is not in the alphabet")
        #expect(!OTPCode.isWellFormed("AB3D F9H"))
        #expect(!OTPCode.isWellFormed("AB3DEF9É"))
    }

    @Test(
        "input that cannot be a code: the words name the characters no code has, as typed, and never the rest",
        arguments: [
            ("WRONGCOD", "WRONGCOD", "'O' is not used in codes (a code is 8 of the capitals A-Z without I and O"),
            ("WRONGCOD", "wrongcod", "'o' is not used in codes"),
            ("0O1I0O1I", "0O1I0O1I", "'0', 'O', '1', 'I' are not used in codes"),
            ("ABCDEFG", "ABCDEFG", "it has 7 characters, not 8"),
            ("ABC-EFGHJ", "abc-efghj", "'-' is not used in codes, and it has 9 characters, not 8"),
            ("AB\u{7}DEF9H", "AB\u{7}DEF9H", "U+0007 is not used in codes"),
            ("AB\u{1B}[2JH", "AB\u{1B}[2JH", "U+001B, '[' are not used in codes"),
            ("ＡB3DEF9H", "ＡB3DEF9H", "U+FF21 is not used in codes"),
        ])
    func malformation(canonical: String, typed: String, expected: String) throws {
        let words = try #require(OTPCode.malformation(canonical, typed: typed))
        #expect(words.hasPrefix(expected) || words.contains(expected), "\(words)")
        #expect(!words.contains(typed) || typed.count <= 1, "the input itself is not repeated")
        #expect(!words.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "no control character")
    }

    @Test func aCodeHasNoMalformation() {
        #expect(OTPCode.malformation("AB3DEF9H", typed: "ab3def9h") == nil)
        #expect(OTPCode.malformation(OTPCode.generate(), typed: "") == nil)
    }
}

/// A generator that hands out given bytes, eight to a `next()`.
struct ScriptedGenerator: RandomNumberGenerator {
    var bytes: [UInt8]

    mutating func next() -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 {
            let byte = bytes.isEmpty ? 0 : bytes.removeFirst()
            value |= UInt64(byte) << (8 * UInt64(index))
        }
        return value
    }
}
