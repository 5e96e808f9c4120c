import Foundation
import Testing

/// `notifier parse`, through the binary: the JSON contract, exit codes, standard input, trust options.
@Suite("notifier parse")
struct ParseCommandTests {
    static let corpus = CLI.fixtures.appendingPathComponent("corpus")

    static func corpusFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".eml") }.sorted()
    }

    @Test func corpusGivesExactlyTheExpectedLines() throws {
        let files = try Self.corpusFiles()
        let result = try CLI.run(["parse", "--json"] + files, directory: Self.corpus)
        #expect(result.status == 0)
        let expected = try String(contentsOf: Self.corpus.appendingPathComponent("expected.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == expected.count)
        for (file, line) in zip(files, lines) {
            let want = try #require(expected.first { $0.hasPrefix("{\"file\": \"\(file)\"") })
            // expected.jsonl lists every key up to `subject`, then `reason`; in the contract `from`, `message_id` and
            // `authenticated` come between them, then `path` (as given: here the file name), then the bounce keys.
            let reasonStart = try #require(want.range(of: ", \"reason\": "))
            let reason = want[reasonStart.upperBound...].dropLast()
            #expect(line.hasPrefix(want[..<reasonStart.lowerBound] + ", \"from\": "), "\(want.prefix(60))")
            #expect(line.contains("\"message_id\": "))
            #expect(
                line.contains(
                    ", \"authenticated\": null, \"reason\": \(reason), \"path\": \"\(file)\", \"bounce_recipients\": "),
                "\(want.prefix(60))")
        }
    }

    @Test func fullPathsGiveTheFileName() throws {
        let path = Self.corpus.appendingPathComponent("p02_otp_utf8_base64.eml").path
        let result = try CLI.run(["parse", "--json", path])
        #expect(result.stdout.hasPrefix("{\"file\": \"p02_otp_utf8_base64.eml\", \"kind\": \"otp\", \"trusted\": true"))
        #expect(result.stdout.contains("\"from\": \"nyusatsu@to-kousya.example\", \"message_id\": \""))
        #expect(result.stdout.contains(", \"reason\": null, \"path\": \"\(path)\", \"bounce_recipients\": "))
    }

    @Test func twoFilesOfOneNameAreToldApartByPath() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (folder, source) in [("a", "p01_update_utf8_base64.eml"), ("b", "p06_update_forwarded_inline.eml")] {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: Self.corpus.appendingPathComponent(source),
                to: directory.appendingPathComponent("\(folder)/000.eml"))
        }
        let result = try CLI.run(["parse", "--json", "a/000.eml", "./b/000.eml"], directory: directory)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("{\"file\": \"000.eml\", \"kind\": \"update_notice\", \"trusted\": true"))
        #expect(lines[0].contains("\"reason\": null, \"path\": \"a/000.eml\", "))
        #expect(lines[1].hasPrefix("{\"file\": \"000.eml\", \"kind\": \"update_notice\", \"trusted\": false"))
        #expect(lines[1].contains("\"reason\": \"forwarded\", \"path\": \"./b/000.eml\", "))
    }

    @Test func standardInputsPathIsADash() throws {
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("p07_update_phishing_url_host.eml"))
        let result = try CLI.run(["parse", "--json", "-"], stdin: data)
        #expect(result.stdout.contains("\"reason\": \"url_host_not_trusted\", \"path\": \"-\", "))
    }

    @Test func standardInput() throws {
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("p12_otp_utf8_base64_2.eml"))
        let result = try CLI.run(["parse", "--json", "-"], stdin: data)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("{\"file\": \"-\", \"kind\": \"otp\", \"trusted\": true"))
        #expect(result.stdout.contains("\"otp\": \"TNC1rXuX\", \"expires_at\": \"2027-02-01T14:03:00+09:00\""))
    }

    /// A bounce: kind bounce and the four bounce keys after all the others; null for every other kind.
    @Test func bounceKeys() throws {
        let bounce = """
            From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)
            To: nyusatsu@to-kousya.example
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"

            --B
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.jp

            Final-Recipient: rfc822; Info@Aoba-Kensetsu.example
            Action: failed
            Status: 5.1.1

            --B
            Content-Type: text/rfc822-headers

            From: nyusatsu@to-kousya.example
            Message-ID: <n1@to-kousya.example>

            --B--

            """
        let result = try CLI.run(["parse", "--json", "-"], stdin: Data(bounce.utf8))
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("{\"file\": \"-\", \"kind\": \"bounce\", \"trusted\": false"))
        #expect(
            result.stdout.hasSuffix(
                "\"bounce_recipients\": [\"info@aoba-kensetsu.example\"], \"bounce_status\": "
                    + "\"5.1.1\", \"bounce_permanent\": true, \"original_message_id\": \"n1@to-kousya.example\"}\n"))
        let notice = try CLI.run([
            "parse", "--json", Self.corpus.appendingPathComponent("p02_otp_utf8_base64.eml").path,
        ])
        #expect(
            notice.stdout.hasSuffix(
                "\"bounce_recipients\": null, \"bounce_status\": null, "
                    + "\"bounce_permanent\": null, \"original_message_id\": null}\n"))
    }

    @Test func unreadableFileStillGetsARecordAndExit66() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = Self.corpus.appendingPathComponent("p09_other_unrelated.eml").path
        let result = try CLI.run([
            "parse", "--json", directory.appendingPathComponent("missing.eml").path, good, directory.path,
        ])
        #expect(result.status == 66)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("{\"file\": \"missing.eml\", \"kind\": \"other\", \"trusted\": false"))
        #expect(lines[0].contains("\"error\": \"cannot read"))
        #expect(lines[1].hasPrefix("{\"file\": \"p09_other_unrelated.eml\", \"kind\": \"other\""))
        #expect(lines[2].contains("not a regular file"))
        #expect(result.stderr.contains("missing.eml"))
    }

    @Test func garbageGivesARecordWithAnError() throws {
        let result = try CLI.run(["parse", "--json", "-"], stdin: Data([0x00, 0xFF, 0x10, 0x0A]))
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"kind\": \"other\""))
        #expect(result.stdout.contains("\"error\": \"no header fields"))
    }

    @Test(
        "bad usage exits 64",
        arguments: [
            ["parse"], ["parse", "--bogus", "x.eml"], ["parse", "--trust-host"], ["parse", "--json=1", "x"],
            ["parse", "--trust-sender", "not an address", "x"], ["parse", "--trust-host", "evil.test/x", "x"],
            ["parse", "-", "-"], ["parse", "--jobs", "0", "x"], ["parse", "--jobs", "many", "x"], ["frobnicate"],
            ["--nope", "parse"], [],
        ])
    func usage(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("notifier: "))
        #expect(result.stdout.isEmpty)
    }

    @Test func parallelReadingKeepsInputOrder() throws {
        let variants = CLI.fixtures.appendingPathComponent("variants")
        let files = try FileManager.default.contentsOfDirectory(atPath: variants.path).filter { $0.hasSuffix(".eml") }
            .sorted().map { variants.appendingPathComponent($0).path }
        // Many inputs, so that several windows of work run on several threads.
        let inputs = Array(repeating: files, count: 20).flatMap { $0 }
        let serial = try CLI.run(["parse", "--json", "--jobs", "1"] + inputs)
        let parallel = try CLI.run(["parse", "--json", "--jobs=4"] + inputs)
        #expect(serial.status == 0 && parallel.status == 0)
        #expect(serial.stdout.split(separator: "\n").count == inputs.count)
        #expect(parallel.stdout == serial.stdout)
        let names = parallel.stdout.split(separator: "\n").prefix(files.count).map { line in
            String(line.dropFirst("{\"file\": \"".count).prefix { $0 != "\"" })
        }
        #expect(names == files.map { ($0 as NSString).lastPathComponent })
    }

    @Test func trustFlagsReplaceTheDefaults() throws {
        let file = Self.corpus.appendingPathComponent("p01_update_utf8_base64.eml").path
        let other = try CLI.run(["parse", "--json", "--trust-sender", "someone@else.example", file])
        #expect(other.stdout.contains("\"trusted\": false"))
        let same = try CLI.run([
            "parse", "--json", "--trust-sender", "NYUSATSU@to-kousya.example", "--trust-host", "bid.to-kousya.example",
            file,
        ])
        #expect(same.stdout.contains("\"trusted\": true"))
        let wrongHost = try CLI.run(["parse", "--json", "--trust-host=portal.example", file])
        #expect(wrongHost.stdout.contains("\"trusted\": false"))
    }

    @Test func configurationFileTrustLists() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        try "# issuer\ntrust_sender = someone@else.example\ntrust_host = bid.to-kousya.example\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let file = Self.corpus.appendingPathComponent("p01_update_utf8_base64.eml").path
        let viaFlag = try CLI.run(["--config", config.path, "parse", "--json", file])
        #expect(viaFlag.status == 0)
        #expect(viaFlag.stdout.contains("\"trusted\": false"))
        let viaEnvironment = try CLI.run(["parse", "--json", file], environment: ["NOTIFIER_CONFIG": config.path])
        #expect(viaEnvironment.stdout.contains("\"trusted\": false"))
        let flagWins = try CLI.run(
            ["--config", config.path, "parse", "--json", "--trust-sender", "nyusatsu@to-kousya.example", file])
        #expect(flagWins.stdout.contains("\"trusted\": true"))
        // The XDG default location is read when it exists.
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("notifier"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: config, to: directory.appendingPathComponent("notifier/config"))
        let viaXDG = try CLI.run(["parse", "--json", file], environment: ["XDG_CONFIG_HOME": directory.path])
        #expect(viaXDG.stdout.contains("\"trusted\": false"))
    }

    @Test(
        "bad configuration exits 78 naming the key",
        arguments: [
            ("smtp_password = secret\n", "smtp_password"), ("trust_host = bad host\n", "trust_host"),
            ("just words\n", "expected 'key = value'"), ("trust_sender =\n", "trust_sender"),
        ])
    func badConfiguration(text: String, named: String) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let file = Self.corpus.appendingPathComponent("p01_update_utf8_base64.eml").path
        let result = try CLI.run(["--config", config.path, "parse", file])
        #expect(result.status == 78)
        #expect(result.stderr.contains(named))
        #expect(result.stderr.contains("config:1"))
        #expect(!result.stderr.contains("secret"))
    }

    @Test func missingExplicitConfigurationExits78() throws {
        let result = try CLI.run(["--config", "/nonexistent/notifier.conf", "parse", "x.eml"])
        #expect(result.status == 78)
    }

    @Test func humanSummaryNamesPhishing() throws {
        let result = try CLI.run(
            ["parse", "p07_update_phishing_url_host.eml", "p02_otp_utf8_base64.eml"], directory: Self.corpus)
        #expect(result.status == 0)
        #expect(result.stdout.contains("p07_update_phishing_url_host.eml: certificate update notice, NOT trusted"))
        #expect(result.stdout.contains("suspected phishing"))
        #expect(result.stdout.contains("p02_otp_utf8_base64.eml: one-time password notice, trusted"))
        #expect(result.stdout.contains("otp:      B7ESBKG3"))
    }

    @Test func tokenLengthIsTheBuiltInIssuersUnlessConfigured() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("short.eml")
        try
            ("From: nyusatsu@to-kousya.example\nSubject: s\n\n業者コード:5184962\n"
            + "ダウンロードURL:https://bid.to-kousya.example/cert/download?t=Xk3_Vq9rTz\n").write(
                to: file, atomically: true, encoding: .utf8)
        let builtIn = try CLI.run(["parse", "--json", file.path])
        #expect(builtIn.stdout.contains("\"trusted\": false") && builtIn.stdout.contains("\"reason\": \"url_cut\""))
        let config = directory.appendingPathComponent("config")
        try "trust_token_length = 0\n".write(to: config, atomically: true, encoding: .utf8)
        let unchecked = try CLI.run(["--config", config.path, "parse", "--json", file.path])
        #expect(unchecked.stdout.contains("\"trusted\": true") && unchecked.stdout.contains("\"reason\": null"))
        let otherIssuer = try CLI.run([
            "parse", "--json", "--trust-host", "bid.to-kousya.example", "--trust-host", "portal.example", file.path,
        ])
        #expect(otherIssuer.stdout.contains("\"trusted\": true"))
    }

    @Test func humanSummaryDoesNotCallAForwardPhishing() throws {
        let result = try CLI.run(["parse", "p06_update_forwarded_inline.eml"], directory: Self.corpus)
        #expect(result.stdout.contains("why:      forwarded by i.suzuki@minato-zoen.example"))
        #expect(!result.stdout.contains("phishing"))
    }
}
