import Testing

@testable import NotifierCore

/// RFC 4180 records with the line each field starts on.
@Suite("CSVReader")
struct CSVReaderTests {
    static func texts(_ text: String) throws -> [[String]] {
        try CSVReader.records(text).map { $0.fields.map(\.text) }
    }

    @Test(
        "RFC 4180 §2 examples and line endings",
        arguments: [
            ("aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n", [["aaa", "bbb", "ccc"], ["zzz", "yyy", "xxx"]]),  // §2.1, §2.2
            ("aaa,bbb,ccc\nzzz,yyy,xxx", [["aaa", "bbb", "ccc"], ["zzz", "yyy", "xxx"]]),
            ("\"aaa\",\"b\r\nbb\",\"ccc\"\r\n", [["aaa", "b\r\nbb", "ccc"]]),  // §2.6
            ("\"aaa\",\"b\"\"bb\",\"ccc\"", [["aaa", "b\"bb", "ccc"]]),  // §2.7
            ("a,,\n,\n", [["a", "", ""], ["", ""]]),
            ("a\r\rb", [["a"], [""], ["b"]]),
            ("", []),
            ("\n", [[""]]),
            ("\"\"", [[""]]),
        ] as [(String, [[String]])])
    func records(text: String, expected: [[String]]) throws {
        #expect(try Self.texts(text) == expected)
    }

    @Test func fieldsKnowTheirLine() throws {
        let records = try CSVReader.records("h1,h2\r\n\"a\r\nb\r\nc\",d\r\n\r\ne,\"f\ng\"\n")
        #expect(records.map(\.line) == [1, 2, 5, 6])
        #expect(records.map { $0.fields.map(\.line) } == [[1, 1], [2, 4], [5], [6, 6]])
        #expect(records.map(\.isBlank) == [false, false, true, false])
    }

    @Test func unterminatedQuoteNamesTheLineItOpensOn() throws {
        let error = #expect(throws: CSVReader.SyntaxError.self) { try CSVReader.records("a\nb,\"c\nd\ne\n") }
        #expect(error?.line == 2)
    }
}
