import Foundation

/// The one-time password itself: 8 characters from an alphabet without look-alikes, drawn without bias from a
/// cryptographic random source. A vendor reads it from a mail and types it, so no character may be mistaken for
/// another (0/O, 1/I/l), and Japanese input methods may turn it full-width, which `normalize` undoes.
package enum OTPCode {
    /// 24 capitals (no I, O), 25 small letters (no l), 8 digits (no 0, 1): 57 characters, so 8 of them carry
    /// 8 × log2(57) ≈ 46.7 bits, far beyond 5 guesses before a lock.
    static let alphabet: [UInt8] = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".utf8)
    package static let length = 8

    /// The characters that must never appear: each looks like another one.
    static let lookAlikes: Set<UInt8> = Set("0O1Il".utf8)

    /// A new code. The default generator is `SystemRandomNumberGenerator` (getrandom(2) on Linux); tests may pass
    /// their own.
    static func generate<Generator: RandomNumberGenerator>(using generator: inout Generator) -> String {
        var code: [UInt8] = []
        code.reserveCapacity(length)
        while code.count < length {
            code.append(alphabet[uniformIndex(using: &generator)])
        }
        return String(decoding: code, as: UTF8.self)
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// An index into the alphabet, every one equally likely: a random byte is taken only below the largest
    /// multiple of the alphabet's size that fits in a byte (228 = 4 × 57) and others are drawn again. A plain
    /// `byte % 57` would make the first 28 characters more likely than the rest.
    static func uniformIndex<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Int {
        let limit = UInt8(256 / alphabet.count * alphabet.count)
        while true {
            for byte in withUnsafeBytes(of: generator.next(), Array.init) where byte < limit {
                return Int(byte) % alphabet.count
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

    /// Whether `text` has the shape of a code at all: the right length, only characters of the alphabet.
    static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == length && bytes.allSatisfy(alphabet.contains)
    }
}
