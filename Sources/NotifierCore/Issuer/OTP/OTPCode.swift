import Foundation

/// The one-time password itself: 8 characters from an alphabet without look-alikes, drawn without bias from a
/// cryptographic random source. A vendor reads it from a mail and types it, so no character may be mistaken for
/// another (0/O, 1/I/l), and one case only: capitals and digits, so that a code typed in small letters, or turned
/// full-width by a Japanese input method, is still the code (`canonical` undoes both).
package enum OTPCode {
    /// 24 capitals (no I, O) and 8 digits (no 0, 1): 32 characters, so 8 of them are 32⁸ = 2⁴⁰ codes, far beyond
    /// 5 guesses before a lock.
    static let alphabet: [UInt8] = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789".utf8)
    package static let length = 8

    /// The characters that must never appear: each looks like another one.
    static let lookAlikes: Set<UInt8> = Set("0O1Il".utf8)

    /// The alphabet of codes issued before codes were one case: capitals without I and O, small letters without l,
    /// digits without 0 and 1. Such a code is valid for 30 minutes after it was mailed, so `OTPService.verify`
    /// still takes one typed exactly as mailed during the first half hour after an upgrade; after that no stored
    /// code can have a small letter, and this alphabet can match only codes that expired long ago.
    static let mixedCaseAlphabet: [UInt8] = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".utf8)

    /// A new code. The default generator is `SystemRandomNumberGenerator` (getrandom(2) on Linux); tests may pass
    /// their own.
    static func generate<Generator: RandomNumberGenerator>(using generator: inout Generator) -> String {
        var code: [UInt8] = []
        code.reserveCapacity(length)
        while code.count < length {
            code.append(alphabet[uniformIndex(below: alphabet.count, using: &generator)])
        }
        return String(decoding: code, as: UTF8.self)
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// An index below `count` (at most 256), every one equally likely: a random byte is taken only below the largest
    /// multiple of `count` that fits in a byte and others are drawn again. With 32 characters every byte is taken;
    /// with, say, 57 a plain `byte % 57` would make the first 28 characters more likely than the rest.
    static func uniformIndex<Generator: RandomNumberGenerator>(
        below count: Int, using generator: inout Generator
    ) -> Int {
        precondition(count > 0 && count <= 256)
        let limit = 256 / count * count
        while true {
            for byte in withUnsafeBytes(of: generator.next(), Array.init) where Int(byte) < limit {
                return Int(byte) % count
            }
        }
    }

    /// What the vendor typed, as a code would be written: whitespace and line ends around it dropped, full-width
    /// ASCII (ＡＢＣ２３, what a Japanese input method may produce) folded to ASCII.
    static func normalize(_ input: String) -> String {
        let folded = input.unicodeScalars.map { scalar -> Character in
            let value = scalar.value
            if value >= 0xFF01 && value <= 0xFF5E, let ascii = Unicode.Scalar(value - 0xFEE0) {
                return Character(ascii)
            }
            if value == 0x3000 { return " " }
            return Character(scalar)
        }
        return String(folded).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The code as it is written: small ASCII letters made capitals (only ASCII: no locale's case rules may change a
    /// character's length or turn `i` into a dotted capital).
    static func canonical(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    /// Whether `text` has the shape of a code at all: the right length, only characters of the alphabet.
    static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == length && bytes.allSatisfy(alphabet.contains)
    }

    /// Whether `text` has the shape of a code mailed before codes were one case (`mixedCaseAlphabet`).
    static func isWellFormedMixedCase(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == length && bytes.allSatisfy(mixedCaseAlphabet.contains)
    }

    /// Why `text` (already `canonical`) cannot be a code, in words a vendor or the portal's staff can act on, or nil
    /// when it can. Names the characters that are not in the alphabet, as typed, each once: a capital `O` is the
    /// usual one. Never repeats the input itself: only characters no code has.
    static func malformation(_ text: String, typed: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        let typedScalars = Array(typed.unicodeScalars)
        var foreign: [String] = []
        for (index, scalar) in scalars.enumerated() where !(scalar.isASCII && alphabet.contains(UInt8(scalar.value))) {
            let shown = show(index < typedScalars.count ? typedScalars[index] : scalar)
            if !foreign.contains(shown) { foreign.append(shown) }
        }
        var reasons: [String] = []
        if !foreign.isEmpty {
            let listed = foreign.prefix(8).joined(separator: ", ") + (foreign.count > 8 ? ", ..." : "")
            let verb = foreign.count == 1 ? "is" : "are"
            reasons.append("\(listed) \(verb) not used in codes")
        }
        if scalars.count != length {
            reasons.append("it has \(counted(scalars.count, "character")), not \(length)")
        }
        guard !reasons.isEmpty else { return nil }
        return reasons.joined(separator: ", and ")
            + " (a code is \(length) of the capitals A-Z without I and O and the digits 2-9; "
            + "small letters are read as capitals)"
    }

    /// One character of typed input as an error shows it: a printable ASCII character quoted, anything else
    /// (a control character, a letter of another script) as its code point, so that nothing typed can move the
    /// cursor of a terminal or forge a line of a log.
    private static func show(_ scalar: Unicode.Scalar) -> String {
        if scalar.value >= 0x21 && scalar.value <= 0x7E { return "'\(Character(scalar))'" }
        return "U+" + String(format: "%04X", scalar.value)
    }
}
