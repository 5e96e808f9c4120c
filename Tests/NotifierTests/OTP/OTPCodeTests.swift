import Foundation
import Testing

@testable import NotifierCore

/// The code: its alphabet, its length, how it is drawn, and how typed input is read.
@Suite("OTP codes")
struct OTPCodeTests {
    @Test func alphabetHasNoLookAlikes() {
        let alphabet = OTPCode.alphabet
        #expect(alphabet.count == 57)
        #expect(Set(alphabet).count == alphabet.count, "no character twice")
        for character in "0O1Il".utf8 { #expect(!alphabet.contains(character), "\(UnicodeScalar(character))") }
        #expect(alphabet.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
    }

    @Test func manyCodesAreEightCharactersOfTheAlphabetAndAllDifferent() {
        var seen = Set<String>()
        var counts = [UInt8: Int]()
        let codes = 4_000
        for _ in 0..<codes {
            let code = OTPCode.generate()
            #expect(code.utf8.count == 8)
            #expect(OTPCode.isWellFormed(code))
            #expect(!code.utf8.contains(where: OTPCode.lookAlikes.contains))
            seen.insert(code)
            for byte in code.utf8 { counts[byte, default: 0] += 1 }
        }
        #expect(seen.count == codes, "46.7 bits: no repeats in a few thousand")
        // 32,000 characters over 57: about 561 each. A byte % 57 bias would give the first 28 about 25% more;
        // chance alone stays far inside these bounds.
        #expect(counts.count == 57)
        let expected = Double(codes * 8) / 57
        for (byte, count) in counts {
            #expect(
                Double(count) > expected * 0.8 && Double(count) < expected * 1.2, "\(UnicodeScalar(byte)): \(count)")
        }
    }

    @Test func bytesAboveTheLastFullRoundAreDrawnAgain() {
        // 228 = 4 × 57: bytes 228...255 would favour the first 28 characters, so they are drawn again. Each index
        // takes a fresh 64-bit draw and reads its bytes in turn.
        var generator = ScriptedGenerator(
            bytes: [255, 228, 250, 240, 230, 229, 254, 251] + [56, 1, 1, 1, 1, 1, 1, 1]
                + [250, 227, 1, 1, 1, 1, 1, 1] + [57, 1, 1, 1, 1, 1, 1, 1] + [0, 1, 1, 1, 1, 1, 1, 1])
        #expect(OTPCode.uniformIndex(using: &generator) == 56, "a whole draw refused, then 56")
        #expect(OTPCode.uniformIndex(using: &generator) == 56, "227 is the last byte taken: 3 × 57 + 56")
        #expect(OTPCode.uniformIndex(using: &generator) == 0)
        #expect(OTPCode.uniformIndex(using: &generator) == 0)
    }

    @Test func typedInputIsReadAsACode() {
        #expect(OTPCode.normalize("  Ab3dEf9H\r\n") == "Ab3dEf9H")
        #expect(OTPCode.normalize("Ａｂ３ｄＥｆ９Ｈ\u{3000}") == "Ab3dEf9H", "full-width, as an input method may type it")
        #expect(OTPCode.isWellFormed("Ab3dEf9H"))
        #expect(!OTPCode.isWellFormed("Ab3dEf9"), "too short")
        #expect(!OTPCode.isWellFormed("Ab3dEf9HJ"), "too long")
        #expect(!OTPCode.isWellFormed("Ab3dEf0H"), "0 is not in the alphabet")
        #expect(!OTPCode.isWellFormed("Ab3d f9H"))
        #expect(!OTPCode.isWellFormed("Ab3dEf9é"))
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
