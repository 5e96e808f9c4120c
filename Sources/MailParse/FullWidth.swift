/// Full-width ASCII as a Japanese input method types it (`０１２３`, `ＡＢＣ`, `＠`, and the ideographic space),
/// folded to the ASCII it stands for. The one folding notifier uses: notice text is matched on a folded copy, and the
/// registry import reads codes and dates through it.
public enum FullWidth {
    /// Full-width ASCII (U+FF01-U+FF5E) to ASCII and the ideographic space (U+3000) to a space; everything else as
    /// it is. One scalar for one, so positions in the folded text are positions in the original.
    @inlinable
    public static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        if value >= 0xFF01 && value <= 0xFF5E { return Unicode.Scalar(value - 0xFEE0)! }
        if value == 0x3000 { return " " }
        return scalar
    }

    /// `text` with every scalar folded.
    public static func fold(_ text: String) -> String {
        var folded = String.UnicodeScalarView()
        folded.append(contentsOf: text.unicodeScalars.lazy.map(fold))
        return String(folded)
    }

    /// Whether `scalar` is one that `fold` changes.
    public static func isFullWidth(_ scalar: Unicode.Scalar) -> Bool {
        (0xFF01...0xFF5E).contains(scalar.value) || scalar == "\u{3000}"
    }
}
