import Foundation
import Testing

@testable import NotifierCore

@Suite("Templates")
struct TemplateTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../Templates").standardized

    @Test("built-in templates are Templates/ as it stands", arguments: TemplateName.builtIn)
    func builtInMatchesFolder(name: TemplateName) throws {
        let file = try String(contentsOf: Self.folder.appendingPathComponent(name.rawValue), encoding: .utf8)
        let builtIn = try #require(BuiltInTemplates.texts[name.rawValue], "run scripts/embed_templates.py")
        #expect(builtIn == file.trimmingCharacters(in: .newlines), "run scripts/embed_templates.py")
        #expect(try Template(name: name, text: file) == TemplateStore(directory: nil).template(named: name))
    }

    @Test func otpNoticeKeepsTheManualsWording() throws {
        let template = try TemplateStore(directory: nil).template(named: .otpNotice)
        #expect(template.headers.first?.value == "【電子入札システム】更新用ワンタイムパスワードのお知らせ")
        #expect(template.body.contains("ワンタイムパスワード:{{otp}}\n有効期限:{{expires_at}}\n"))
        #expect(template.body.contains("案内メールのURLから"))
    }

    @Test func updateNoticeSaysWhatTheIssuerSays() throws {
        let template = try TemplateStore(directory: nil).template(named: .updateNotice)
        for phrase in [
            "{{vendor_name}} 御中", "業者コード:{{vendor_code}}", "ダウンロードURL:{{url}}",
            "{{valid_from}}～{{valid_until}}", "本メールは削除せずに保存してください", "有効期限は30分です",
        ] {
            #expect(template.body.contains(phrase), "\(phrase)")
        }
    }

    @Test func reminderSaysWhatTheIssuerSays() throws {
        let template = try TemplateStore(directory: nil).template(named: .reminder)
        #expect(template.headers.first?.value == "【電子入札システム】クライアント証明書更新のお願い(再送)")
        for phrase in [
            "{{vendor_name}} 御中", "現在ご使用中のクライアント証明書は {{current_until}} で有効期間が終了",
            "{{valid_from}}～{{valid_until}}", "業者コード:{{vendor_code}}", "ダウンロードURL:{{url}}",
            "ログインIDは業者コードです", "有効期限は30分です", "JKK東京 契約課",
        ] {
            #expect(template.body.contains(phrase), "\(phrase)")
        }
        // A reminder uses the batch's variables only: the batch sender fills every template with the same set.
        #expect(
            template.placeholders == [
                "vendor_name", "vendor_code", "url", "valid_from", "valid_until", "current_until",
            ])
    }

    @Test func everyTemplateInTheFolderIsBuiltIn() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { !$0.hasPrefix(".") }
        #expect(Set(files) == Set(TemplateName.builtIn.map(\.rawValue)))
        #expect(Set(BuiltInTemplates.texts.keys) == Set(files))
    }

    @Test func noticeMissingSaysWhereToLookAndWhomToAsk() throws {
        let template = try TemplateStore(directory: nil).template(named: .noticeMissing)
        #expect(
            template.headers.first?.value == "【電子入札システム】証明書更新のお知らせがまだ届いていません({{fiscal_year}}年度)")
        for phrase in [
            "{{fiscal_year}}年度の\nクライアント証明書更新のお知らせが、まだ届いていません", "迷惑メールフォルダ",
            "JKK東京に登録しているメールアドレスが古くなっていないか", "JKK東京 契約課にお問い合わせください",
            "現在ご使用中のクライアント証明書は {{current_until}} で有効期間が終了",
        ] {
            #expect(template.body.contains(phrase), "\(phrase)")
        }
        // The alarm fills these two only.
        #expect(Set(template.placeholders) == ["fiscal_year", "current_until"])
    }

    @Test func otpMissingSaysTheCertificateEnds() throws {
        let template = try TemplateStore(directory: nil).template(named: .otpMissing)
        #expect(template.headers.first?.value.contains("有効期間がまもなく終了します") == true)
        for phrase in [
            "{{current_until}} で有効期間が終了", "{{fiscal_year}}年度の新しいクライアント証明書", "まだ一度も届いていません",
            "有効期限は30分です", "JKK東京 契約課",
        ] {
            #expect(template.body.contains(phrase), "\(phrase)")
        }
        #expect(Set(template.placeholders) == ["fiscal_year", "current_until"])
    }

    @Test(
        "malformed templates name the template",
        arguments: [
            ("Subject: x\nno blank line", "no blank line"), ("X-Only: x\n\nbody", "no Subject"),
            ("Subject: {{bad name}}\n\nb", "not a placeholder"), ("Subject: s\n\n{{open", "without"),
            ("Subject: s\nFrom: x\n\nb", "set by notifier"),
        ])
    func malformed(text: String, reason: String) {
        #expect {
            try Template(name: TemplateName("custom"), text: text)
        } throws: { error in
            let message = (error as? TemplateError)?.message ?? ""
            return message.hasPrefix("template custom:") && message.contains(reason)
        }
    }

    @Test func missingAndUnusedVariablesAreNamed() throws {
        let composer = Composer(store: TemplateStore(directory: nil), messageIDDomain: nil)
        let sender = try #require(Validation.mailbox("nyusatsu@to-kousya.example"))
        #expect {
            try composer.compose(
                template: .otpNotice, from: sender, to: [sender], variables: ["otp": "AbC12345"],
                charset: .utf8, strict: true)
        } throws: {
            ($0 as? TemplateError)?.message
                == "template otp_notice: variable expires_at has no value (give --var expires_at=...)"
        }
        #expect {
            try composer.compose(
                template: .otpNotice, from: sender, to: [sender],
                variables: ["otp": "AbC12345", "expires_at": "2027-01-28T14:35:00+09:00", "colour": "red"],
                charset: .utf8, strict: true)
        } throws: { ($0 as? TemplateError)?.message.contains("variable colour is not used") == true }
    }

    @Test(
        "values are checked and shown as the notices show them",
        arguments: [
            ("valid_from", "2027-04-01", "2027/04/01"), ("valid_until", "2028/3/31", "2028/03/31"),
            ("current_until", "2027-03-31", "2027/03/31"),
            ("expires_at", "2027-01-28T05:35:00Z", "2027/01/28 14:35"),
            ("expires_at", "2027-01-28T14:35+09:00", "2027/01/28 14:35"),
            ("vendor_code", "5184962", "5184962"), ("vendor_name", "株式会社 髙島", "株式会社 髙島"),
        ])
    func values(name: String, input: String, shown: String) throws {
        let values = try TemplateValues.format([name: input], template: TemplateName("t"), now: Date())
        #expect(values[name] == shown)
    }

    @Test(
        "bad values are refused",
        arguments: [
            ("vendor_name", "Evil\r\nBcc: x@example.test"), ("vendor_code", "123456"), ("vendor_code", "１２３４５６７"),
            ("valid_from", "2027-02-30"), ("expires_at", "2027-01-28T14:35:00"), ("url", "javascript:alert(1)"),
            ("otp", "AB CD"), ("url", "https://x.example/a b"),
        ])
    func badValues(name: String, input: String) {
        #expect(throws: TemplateError.self) {
            try TemplateValues.format([name: input], template: TemplateName("t"), now: Date())
        }
    }

    @Test func minutesLeftIsDerived() throws {
        let now = try #require(TemplateValues.parseInstant("2027-01-28T14:10:30+09:00"))
        let values = try TemplateValues.format(
            ["expires_at": "2027-01-28T14:35:00+09:00"], template: TemplateName("t"), now: now)
        #expect(values["minutes_left"] == "25")
    }
}
