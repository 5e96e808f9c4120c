import Foundation
import MailParse
import Testing

@testable import Notifier
@testable import NotifierCore

/// The vendor list import: encodings Excel writes, RFC 4180 quoting, and all-or-nothing errors a person can act on.
@Suite("VendorCSV")
struct VendorCSVTests {
    static let header = "vendor_code,name,email,kind,notify_after"

    static func parse(_ text: String) throws -> [VendorRecord] {
        try VendorCSV.parse(Array(text.utf8), path: "vendors.csv")
    }

    /// The error parsing `bytes` throws; a test failure when it throws none.
    static func error(_ bytes: [UInt8]) throws -> VendorCSVError {
        try #require(#expect(throws: VendorCSVError.self) { try VendorCSV.parse(bytes, path: "vendors.csv") })
    }

    static func error(_ text: String) throws -> VendorCSVError { try error(Array(text.utf8)) }

    static func date(_ year: Int, _ month: Int, _ day: Int) throws -> CalendarDate {
        try #require(CalendarDate(year: year, month: month, day: day))
    }

    @Test func goodFile() throws {
        let text = """
            Kind , EMAIL,vendor_code,Name,notify_after
            construction,info@kensetsu.example.jp,0123456,株式会社 東京建設,
            Commissioned, sekkei@example.co.jp ,9876543,  設計事務所ミライ　,2027-02-01
            commissioned,a.b+c@example.jp,0000001,"Smith, Jones & \"\"Partners\"\"\",2027/2/3

            """
        let records = try Self.parse(text)
        #expect(
            records == [
                VendorRecord(
                    code: "0123456", name: "株式会社 東京建設", email: "info@kensetsu.example.jp",
                    kind: .construction, notifyAfter: nil),
                VendorRecord(
                    code: "9876543", name: "設計事務所ミライ", email: "sekkei@example.co.jp", kind: .commissioned,
                    notifyAfter: try Self.date(2027, 2, 1)),
                VendorRecord(
                    code: "0000001", name: "Smith, Jones & \"Partners\"", email: "a.b+c@example.jp",
                    kind: .commissioned, notifyAfter: try Self.date(2027, 2, 3)),
            ])
    }

    @Test func notifyAfterColumnMayBeLeftOut() throws {
        let records = try Self.parse("vendor_code,name,email,kind\n0123456,A,a@example.jp,commissioned")
        #expect(records.map(\.notifyAfter) == [nil])
        #expect(records.first?.kind == .commissioned)
    }

    @Test func byteOrderMarkIsDropped() throws {
        let text = "\(Self.header)\r\n0123456,東京建設,a@example.jp,construction,\r\n"
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        let records = try VendorCSV.parse(bytes, path: "vendors.csv")
        #expect(records.map(\.code) == ["0123456"])
        #expect(records.map(\.name) == ["東京建設"])
    }

    /// What Excel in Japan saves: Shift_JIS with the Windows extensions (①, and 髙 from the IBM rows at 0xFBFC).
    @Test func shiftJISFromExcel() throws {
        let before = try #require(
            "\(Self.header)\r\n0123456,株式会社①建設,a@example.jp,construction,\r\n0234567,"
                .data(using: .shiftJIS))
        let after = try #require("橋工務店,b@example.jp,commissioned,2027/01/15\r\n".data(using: .shiftJIS))
        let bytes = [UInt8](before) + [0xFB, 0xFC] + [UInt8](after)
        #expect(String(validating: bytes, as: UTF8.self) == nil)
        let records = try VendorCSV.parse(bytes, path: "vendors.csv")
        #expect(records.map(\.name) == ["株式会社①建設", "髙橋工務店"])
        #expect(records.last?.notifyAfter == (try Self.date(2027, 1, 15)))
    }

    @Test(
        "bytes that are neither UTF-8 nor Shift_JIS",
        arguments: [
            // 0x80 is no Shift_JIS lead byte.
            ([0x80], 3, "neither UTF-8 nor Shift_JIS (byte 0x80"),
            // A lead byte with nothing after it.
            ([0x82], 3, "neither UTF-8 nor Shift_JIS (byte 0x82"),
            // Well-formed Shift_JIS, but 0x8540 is no character in cp932.
            ([0x85, 0x40], 3, "no character"),
        ] as [([UInt8], Int, String)])
    func notShiftJIS(bad: [UInt8], line: Int, reason: String) throws {
        let bytes = Array("\(Self.header)\n0123456,A,a@example.jp,construction,\n0234567,".utf8) + bad
        let error = try Self.error(bytes)
        #expect(error.problems.map(\.line) == [line])
        #expect(error.message.contains(reason))
        #expect(error.message.contains("CSV UTF-8"))
    }

    @Test func utf16IsNamed() throws {
        let bytes: [UInt8] = [0xFF, 0xFE] + Array(Self.header.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try Self.error(bytes).message.contains("UTF-16"))
    }

    @Test func quotedCommasQuotesAndBlankRows() throws {
        let text = "\(Self.header)\n,,,,\n\"0123456\", \"A, \"\"B\"\" & C\" ,\"a@example.jp\",construction,\"\"\n  \n"
        let records = try Self.parse(text)
        #expect(records.map(\.name) == ["A, \"B\" & C"])
        #expect(records.map(\.code) == ["0123456"])
    }

    @Test(
        "every kind of bad value names its line, column and why",
        arguments: [
            ("123456,A,a@example.jp,construction,", "vendor_code", "'123456' has 6 digits, not 7 (a spreadsheet drops"),
            (
                "１２３４５６,A,a@example.jp,construction,", "vendor_code",
                "'１２３４５６' has 6 digits, not 7 (a spreadsheet drops"
            ),
            ("１２３４５６７８,A,a@example.jp,construction,", "vendor_code", "'１２３４５６７８' is not 7 digits"),
            ("12a4567,A,a@example.jp,construction,", "vendor_code", "'12a4567' is not 7 digits like 0123456"),
            ("01234567,A,a@example.jp,construction,", "vendor_code", "'01234567' is not 7 digits"),
            (",A,a@example.jp,construction,", "vendor_code", "is empty"),
            ("0123456, ,a@example.jp,construction,", "name", "is empty"),
            ("0123456,\"A\tB\",a@example.jp,construction,", "name", "'A\\tB' has a control character (U+0009)"),
            ("0123456,\"A\nB\",a@example.jp,construction,", "name", "'A\\nB' has a line break"),
            ("0123456,A,foo@,construction,", "email", "'foo@' is not an address like name@example.jp"),
            ("0123456,A,Taro <a@example.jp>,construction,", "email", "without a name or <>"),
            ("0123456,A,a b@example.jp,construction,", "email", "'a b@example.jp' is not an address"),
            ("0123456,A,a@b@example.jp,construction,", "email", "is not an address"),
            ("0123456,A,a@localhost,construction,", "email", "is not an address"),
            (
                "0123456,A,ａ＠example.jp,construction,", "email",
                "full-width characters; addresses are ASCII ('a@example.jp')"
            ),
            ("0123456,A,,construction,", "email", "is empty"),
            ("0123456,A,a@example.jp,builder,", "kind", "'builder' is not construction (建設) or commissioned (委託)"),
            ("0123456,A,a@example.jp,建設業,", "kind", "'建設業' is not construction (建設) or commissioned (委託)"),
            ("0123456,A,a@example.jp,,", "kind", "is empty; write construction (建設) or commissioned (委託)"),
            ("0123456,A,a@example.jp,construction,2027-02-30", "notify_after", "'2027-02-30' is not a real date"),
            ("0123456,A,a@example.jp,construction,2027-02-29", "notify_after", "is not a real date"),
            (
                "0123456,A,a@example.jp,construction,2027.01.15", "notify_after",
                "is not a date like 2027-01-15, 2027/1/15 or 2027年1月15日"
            ),
            ("0123456,A,a@example.jp,construction,2027-01/15", "notify_after", "is not a date like"),
            ("0123456,A,a@example.jp,construction,27-01-15", "notify_after", "is not a date like"),
            ("0123456,A,a@example.jp,construction,2027年2月30日", "notify_after", "is not a real date"),
            ("0123456,A,a@example.jp,construction,2027年1月", "notify_after", "is not a date like"),
            ("0123456,A,a@example.jp,construction,27年1月15日", "notify_after", "is not a date like"),
            ("0123456,A,a@example.jp,construction,2027年1月15", "notify_after", "is not a date like"),
            ("0123456,A,a@example.jp,construction,2027年123月1日", "notify_after", "is not a date like"),
            ("0123456,A,a@example.jp,construction,令和0年1月15日", "notify_after", "is not a date like"),
            ("0123456,A,a@example.jp,construction,平成31年1月15日", "notify_after", "is not a date like"),
            (
                "0123456,A,a@example.jp,construction,令和元年4月30日", "notify_after",
                "'令和元年4月30日' is before 令和 began (令和元年5月1日, 2019-05-01)"
            ),
        ])
    func badValue(row: String, column: String, reason: String) throws {
        let error = try Self.error("\(Self.header)\n0000001,Good,g@example.jp,construction,\n\(row)\n")
        #expect(ExitCode(for: error) == .dataError)
        #expect(error.problems.count == 1)
        #expect(error.message.hasPrefix("vendors.csv:3: column \(column): "), "\(error.message)")
        #expect(error.message.contains(reason), "\(error.message)")
    }

    @Test func leapDayIsADate() throws {
        let records = try Self.parse("\(Self.header)\n0123456,A,a@example.jp,commissioned,2028-02-29\n")
        #expect(records.first?.notifyAfter == (try Self.date(2028, 2, 29)))
    }

    @Test func exactMessage() throws {
        let error = try Self.error("\(Self.header)\n0123456,A,foo@,construction,\n")
        #expect(error.message == "vendors.csv:2: column email: 'foo@' is not an address like name@example.jp")
    }

    @Test(arguments: [
        ("0123456,A,a@example.jp", "3 fields, but the header names 5 columns (is a value missing?)"),
        ("0123456,\"A\"", "2 fields, but the header names 5 columns (is a value missing?)"),
        (
            "0123456,A, Ltd.,a@example.jp,construction,",
            "6 fields, but the header names 5 columns (a comma in a value "
                + "needs the value in quotes)"
        ),
    ])
    func wrongNumberOfFields(row: String, reason: String) throws {
        let error = try Self.error("\(Self.header)\n\(row)\n")
        #expect(error.problems == [VendorCSVError.Problem(line: 2, column: nil, reason: reason)])
    }

    @Test func everyProblemInARowIsListed() throws {
        let error = try Self.error("\(Self.header)\n12,,foo,worker,tomorrow\n")
        #expect(error.problems.map(\.column) == ["vendor_code", "name", "email", "kind", "notify_after"])
        #expect(error.problems.allSatisfy { $0.line == 2 })
    }

    /// Lines as an editor counts them: CRLF, LF or CR ends a line, blank lines count, and a quoted field that spans
    /// lines moves every later line number on.
    @Test("line numbers", arguments: ["\r\n", "\n", "\r"])
    func lineNumbers(newline: String) throws {
        let lines = [
            Self.header,  // 1
            "0123456,\"Multi",  // 2: name has a line break
            "line\",a@example.jp,construction,",  // 3
            "",  // 4
            "0234567,Ok,bad@,construction,",  // 5: email
            "0345678,\"X",  // 6: name
            "Y\",c@example.jp,oops,",  // 7: kind
            "0456789,\"Fine\",\"d@example.jp\",construction,",  // 8
            "0456789,Twin,e@example.jp,construction,",  // 9: duplicate of line 8
        ]
        let error = try Self.error(lines.joined(separator: newline) + newline)
        let places = error.problems.map { "\($0.line ?? 0) \($0.column ?? "-")" }
        #expect(places == ["2 name", "5 email", "6 name", "7 kind", "9 vendor_code"])
        #expect(error.message.contains("vendors.csv:9: column vendor_code: '0456789' is already on line 8"))
    }

    @Test func duplicateCodesNameBothLines() throws {
        let text = """
            \(Self.header)
            0123456,A,a@example.jp,construction,
            0234567,B,b@example.jp,construction,
            0123456,C,c@example.jp,commissioned,
            0123456,D,d@example.jp,commissioned,
            """
        let error = try Self.error(text)
        #expect(
            error.message == """
                vendors.csv:4: column vendor_code: '0123456' is already on line 2; each vendor is listed once
                vendors.csv:5: column vendor_code: '0123456' is already on line 2; each vendor is listed once
                """)
    }

    static let needs =
        "the header needs vendor_code, name, email and kind (業者コード, 商号又は名称, メールアドレス, 区分), "
        + "and may have notify_after (通知開始日)"

    @Test(
        "bad headers",
        arguments: [
            (
                "vendor_code,name,mail,kind",
                [
                    "'mail' looks like email (メールアドレス) misspelt; correct the heading, or rename the column if it "
                        + "is something else"
                ]
            ),
            (
                "vendor_code,name,連絡先,kind,備考",
                ["no column email (メールアドレス); NEEDS", "notifier does not read the columns '連絡先', '備考'"]
            ),
            (
                "vendor_code,name,email,kind,Name",
                ["columns 2 'name' and 5 'Name' are the same column, name (商号又は名称 or 業者名); keep one of them"]
            ),
            (
                "業者コード,商号又は名称,メールアドレス,区分,vendor_code",
                [
                    "columns 1 '業者コード' and 5 'vendor_code' are the same column, vendor_code (業者コード); "
                        + "keep one of them"
                ]
            ),
            (
                "業者コード,業者名,メールアドレス,区分,商号または名称",
                [
                    "columns 2 '業者名' and 5 '商号または名称' are the same column, name (商号又は名称 or 業者名); "
                        + "keep one of them"
                ]
            ),
            (
                "vendor_code,name,email,kind,",
                ["column 5 of the header has no name (a column needs one; delete it if unused)"]
            ),
            (
                "name,email",
                ["no column vendor_code (業者コード); NEEDS", "no column kind (区分); NEEDS"]
            ),
            (
                "0123456,A,a@example.jp,construction",
                [
                    "the first line must name the columns, vendor_code,name,email,kind[,notify_after] or "
                        + "業者コード,商号又は名称,メールアドレス,区分[,通知開始日], but it reads "
                        + "'0123456,A,a@example.jp,construction'"
                ]
            ),
        ])
    func badHeader(header: String, reasons: [String]) throws {
        // NEEDS stands for the list of columns a header needs, which every missing-column problem repeats.
        let reasons = reasons.map { $0.replacingOccurrences(of: "NEEDS", with: Self.needs) }
        let error = try Self.error("\n\(header)\n0123456,A,a@example.jp,construction,\n")
        #expect(error.problems.map(\.reason) == reasons)
        #expect(error.problems.allSatisfy { $0.line == 2 && $0.column == nil })
    }

    @Test(
        "no vendors",
        arguments: [
            ("", "the file is empty"), ("\n\r\n,,,,\n", "the file is empty"),
            ("\(header)\n", "only the header line"), ("\(header)\r\n,,,,\r\n\r\n", "only the header line"),
        ])
    func noVendors(text: String, reason: String) throws {
        let error = try Self.error(text)
        #expect(error.message.hasPrefix("vendors.csv: no vendors: "))
        #expect(error.message.contains(reason))
    }

    @Test(
        "broken quoting stops at its line",
        arguments: [
            ("0123456,\"Open,a@example.jp,construction,\n0234567,B,b@example.jp,construction,", 3, "never closed"),
            ("0123456,Ab\"c,a@example.jp,construction,", 3, "does not start with one"),
            ("0123456,\"Ab\"c,a@example.jp,construction,", 3, "text after the closing quote"),
        ])
    func brokenQuoting(rows: String, line: Int, reason: String) throws {
        let error = try Self.error("\(Self.header)\n0000001,Good,g@example.jp,construction,\n\(rows)\n")
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.line == line)
        #expect(error.message.contains(reason), "\(error.message)")
    }

    @Test func twentyProblemsAreListedAndTheRestCounted() throws {
        let rows = (1...25).map { "12\($0),A,a@example.jp,construction," }
        let error = try Self.error(([Self.header] + rows).joined(separator: "\n"))
        #expect(error.problems.count == 25)
        let lines = error.message.split(separator: "\n")
        #expect(lines.count == 21)
        let first =
            "vendors.csv:2: column vendor_code: '121' has 3 digits, not 7 (a spreadsheet drops leading zeros "
            + "unless the column is formatted as text)"
        #expect(lines.first.map(String.init) == first)
        #expect(lines.dropFirst(19).first?.hasPrefix("vendors.csv:21: ") == true)
        #expect(lines.last == "vendors.csv: and 5 more problems (25 in all)")
    }

    @Test func exactlyTwentyProblemsNeedNoCount() throws {
        let rows = (1...20).map { _ in "1,A,a@example.jp,construction," }
        let message = try Self.error(([Self.header] + rows).joined(separator: "\n")).message
        #expect(message.split(separator: "\n").count == 20)
        #expect(!message.contains("more problem"))
    }

    @Test func longAndControlValuesAreShownOnOneLine() throws {
        let long = String(repeating: "x", count: 60) + "@"
        let error = try Self.error(
            "\(Self.header)\n0123456,A,\(long),construction,\n0234567,\"\u{1B}[31m\",b@example.jp,construction,\n")
        #expect(error.message.contains("'\(String(repeating: "x", count: 40))…' is not an address"))
        #expect(error.message.contains("'\\u{1B}[31m' has a control character (U+001B)"))
        #expect(error.message.split(separator: "\n").count == 2)
    }

    // MARK: - Japanese registries

    /// The same two vendors under the Japanese headings, the columns in `order` (indexes into the headings), rows
    /// laid out to match.
    static func japaneseFile(_ order: [Int], name: String = "商号又は名称") -> String {
        let headings = ["業者コード", name, "メールアドレス", "区分", "通知開始日"]
        let rows = [
            ["０１２３４５６", "株式会社 東京建設", "info@kensetsu.example.jp", "建設", ""],
            ["9876543", "設計事務所ミライ", "sekkei@example.co.jp", "委託", "2027年2月1日"],
        ]
        return ([headings] + rows).map { row in order.map { row[$0] }.joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
    }

    static var japaneseRecords: [VendorRecord] {
        get throws {
            [
                VendorRecord(
                    code: "0123456", name: "株式会社 東京建設", email: "info@kensetsu.example.jp", kind: .construction,
                    notifyAfter: nil),
                VendorRecord(
                    code: "9876543", name: "設計事務所ミライ", email: "sekkei@example.co.jp", kind: .commissioned,
                    notifyAfter: try date(2027, 2, 1)),
            ]
        }
    }

    @Test(
        "Japanese headings in any order",
        arguments: [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [3, 0, 4, 2, 1], [1, 2, 0, 3], [2, 0, 3, 1, 4]])
    func japaneseHeadings(order: [Int]) throws {
        let records = try Self.parse(Self.japaneseFile(order))
        var expected = try Self.japaneseRecords
        if !order.contains(4) { expected[1].notifyAfter = nil }
        #expect(records == expected)
    }

    @Test("業者名 and 商号または名称 name the name column too", arguments: ["業者名", "商号または名称", " 業者名　"])
    func otherNameHeadings(name: String) throws {
        #expect(try Self.parse(Self.japaneseFile([0, 1, 2, 3, 4], name: name)) == (try Self.japaneseRecords))
    }

    @Test func japaneseAndEnglishHeadingsMix() throws {
        let text = "業者コード,name,メールアドレス,Kind,notify_after\n0123456,東京建設,a@example.jp,委託,2027/1/20\n"
        let records = try Self.parse(text)
        #expect(records.map(\.kind) == [.commissioned])
        #expect(records.map(\.notifyAfter) == [try Self.date(2027, 1, 20)])
    }

    /// Excel in Japan saves "CSV (comma separated)" as cp932: Japanese headings, kinds and dates come through.
    @Test func japaneseHeadingsInShiftJIS() throws {
        let text = Self.japaneseFile([0, 1, 2, 3, 4])
        let bytes = [UInt8](try #require(text.data(using: .shiftJIS)))
        #expect(String(validating: bytes, as: UTF8.self) == nil)
        #expect(try VendorCSV.parse(bytes, path: "vendors.csv") == (try Self.japaneseRecords))
    }

    @Test(
        "kinds in Japanese and English",
        arguments: [
            ("建設", VendorKind.construction), ("委託", .commissioned), ("construction", .construction),
            ("Commissioned", .commissioned), ("　建設　", .construction), ("ｃｏｎｓｔｒｕｃｔｉｏｎ", .construction),
        ])
    func kinds(text: String, kind: VendorKind) throws {
        let records = try Self.parse("業者コード,商号又は名称,メールアドレス,区分\n0123456,A,a@example.jp,\(text)\n")
        #expect(records.map(\.kind) == [kind])
    }

    @Test(
        "full-width codes are folded as notices fold them",
        arguments: [("０１２３４５６", "0123456"), ("　９８７６５４３ ", "9876543"), ("01２3４56", "0123456")])
    func fullWidthCodes(text: String, code: String) throws {
        let records = try Self.parse("\(Self.header)\n\(text),A,a@example.jp,construction,\n")
        #expect(records.map(\.code.rawValue) == [code])
    }

    @Test(
        "date forms",
        arguments: [
            ("2027-01-20", 2027, 1, 20), ("2027/1/20", 2027, 1, 20), ("2027年1月20日", 2027, 1, 20),
            ("2027年01月20日", 2027, 1, 20), ("２０２７年１月２０日", 2027, 1, 20), ("２０２７/１/２０", 2027, 1, 20),
            ("2027 年 1 月 20 日", 2027, 1, 20), ("令和9年1月20日", 2027, 1, 20), ("令和９年１月２０日", 2027, 1, 20),
            ("R9/1/20", 2027, 1, 20), ("令和元年5月1日", 2019, 5, 1), ("令和10年2月29日", 2028, 2, 29),
        ])
    func dateForms(text: String, year: Int, month: Int, day: Int) throws {
        let records = try Self.parse("\(Self.header)\n0123456,A,a@example.jp,commissioned,\(text)\n")
        #expect(records.map(\.notifyAfter) == [try Self.date(year, month, day)])
    }

    /// A problem names the column as the file's header writes it, not by notifier's English name.
    @Test func problemsNameTheHeadingAsWritten() throws {
        let text = """
            業者コード,業者名,メールアドレス,区分,通知開始日
            0123456,A,foo@,建設業,2027年2月30日
            """
        let error = try Self.error(text)
        #expect(
            error.message == """
                vendors.csv:2: column メールアドレス: 'foo@' is not an address like name@example.jp
                vendors.csv:2: column 区分: '建設業' is not construction (建設) or commissioned (委託)
                vendors.csv:2: column 通知開始日: '2027年2月30日' is not a real date (no such day in the calendar)
                """)
    }

    @Test func extraColumnsAreIgnoredWithOneNote() throws {
        let text = """
            No.,業者コード,商号又は名称,電話番号,メールアドレス,区分,担当者,通知開始日,備考
            1,0123456,株式会社 東京建設,03-1234-5678,info@kensetsu.example.jp,建設,山田,,"=HYPERLINK(""x"")"
            2,9876543,設計事務所ミライ,,sekkei@example.co.jp,委託,,2027年2月1日,"line
            break"
            """
        let list = try VendorCSV.read(Array(text.utf8), path: "vendors.csv")
        #expect(list.records == (try Self.japaneseRecords))
        #expect(list.ignoredColumns == ["No.", "電話番号", "担当者", "備考"])
        #expect(list.note == "vendors.csv: ignored 4 columns notifier does not read: 'No.', '電話番号', '担当者', '備考'")
    }

    @Test func noExtraColumnsNoNote() throws {
        let list = try VendorCSV.read(Array(Self.japaneseFile([0, 1, 2, 3, 4]).utf8), path: "vendors.csv")
        #expect(list.ignoredColumns.isEmpty)
        #expect(list.note == nil)
    }

    /// A heading with control characters or a huge one is shown on one line, cut short.
    @Test func hostileExtraHeadingsStayOnOneLine() throws {
        let huge = String(repeating: "長", count: 5000)
        let text = "\(Self.header),\"\u{1B}[31mred\nx\",\(huge)\n0123456,A,a@example.jp,construction,,y,z\n"
        let note = try #require(try VendorCSV.read(Array(text.utf8), path: "vendors.csv").note)
        #expect(!note.contains("\n") && !note.contains("\u{1B}"))
        #expect(note.contains("'\\u{1B}[31mred\\nx'"))
        #expect(note.contains("'\(String(repeating: "長", count: 40))…'"))
        #expect(note.count < 200)
    }

    /// A heading one typo from a column the header lacks is an error, not an ignored column: a misspelt
    /// notify_after would otherwise notify commissioned contractors at once.
    @Test(
        "misspelt headings",
        arguments: [
            ("vendor_code,name,email,kind,notify_afer", "'notify_afer' looks like notify_after (通知開始日) misspelt"),
            ("vendor_code,name,email,kind,ntoify_after", "'ntoify_after' looks like notify_after (通知開始日)"),
            ("業者コード,業者名,メールアドレス,区分,通知開始", "'通知開始' looks like notify_after (通知開始日)"),
            ("業者コード,業者名,メルアドレス,区分", "'メルアドレス' looks like email (メールアドレス)"),
            ("vendor_code,name,e-mail,kind", "'e-mail' looks like email (メールアドレス)"),
        ])
    func misspeltHeading(header: String, reason: String) throws {
        let error = try Self.error("\(header)\n0123456,A,a@example.jp,construction,\n")
        #expect(error.problems.contains { $0.reason.hasPrefix(reason) }, "\(error.message)")
    }

    /// A look-alike of a column the header already has is just another column (a second address, say).
    @Test func lookAlikeOfAColumnPresentIsIgnored() throws {
        let text = "vendor_code,name,email,email2,kind,notify_after,notify_afte\n0123456,A,a@example.jp,b,建設,,x\n"
        let list = try VendorCSV.read(Array(text.utf8), path: "vendors.csv")
        #expect(list.ignoredColumns == ["email2", "notify_afte"])
        #expect(list.records.map(\.email) == ["a@example.jp"])
    }
}
