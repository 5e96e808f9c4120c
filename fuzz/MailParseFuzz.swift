// libFuzzer entry for MailParse. Built by fuzz/run.sh, which compiles Sources/MailParse/*.swift together with this
// file into one module (so there is no `import MailParse` here), with -sanitize=fuzzer,address -parse-as-library.
//
// Every input goes through the whole public surface: the notice reader with the built-in trust policy (which parses
// the message and reads its text and HTML parts), the entity tree walked with each derived property touched, and
// the smaller entry points (encoded words, address lists, Content-Type, HTML to text, charsets, transfer encodings)
// fed the raw bytes directly, so that they also see input the message parser would never hand them.
// A Swift runtime trap (index out of range, overflow, force unwrap of nil, precondition) is a crash here; so is a
// run longer than run.sh's -timeout, or memory above its -rss_limit_mb.

import Foundation  // Date, for JapanTime.instant

/// Results are folded in here so the optimizer cannot drop a call whose result is otherwise unused.
nonisolated(unsafe) private var sink = 0

@inline(never)
private func keep(_ text: String?) {
    sink &+= text?.utf8.count ?? -1
}

@inline(never)
private func keep(_ bytes: [UInt8]) {
    sink &+= bytes.count &+ Int(bytes.first ?? 0)
}

private let charsetLabels: [String] = [
    "utf-8", "iso-2022-jp", "shift_jis", "euc-jp", "iso-8859-1", "windows-1252", "utf-8*ja", "x-unknown", "utf-7",
    "euc-kr", "x-no-such-charset",
]  // 11 labels: coprime with the 3 transfer-encoding choices below, so every pairing occurs

/// Smaller limits than the defaults, so the "nested too deep" / "too many parts" / "too many fields" paths are
/// reached by small inputs too.
private let tightLimits = ParseLimits(maxDepth: 3, maxEntities: 20, maxHeaderFields: 16)

private func touch(_ entity: Entity) {
    keep(entity.contentType.mimeType)
    for parameter in entity.contentType.parameters { keep(parameter.value) }
    keep(entity.contentType.parameter("charset"))
    keep(entity.transferEncoding)
    sink &+= entity.isAttachment ? 1 : 0
    keep(entity.decodedBody)
    keep(entity.text)
    keep(entity.subject)
    keep(entity.messageID)
    for mailbox in entity.from {
        keep(mailbox.description)
        sink &+= TrustPolicy.builtIn.trustsSender(mailbox) ? 1 : 0
    }
    for field in entity.headers {
        keep(field.name)
        keep(field.unstructuredValue)
    }
    if let field = entity.headers.first("Content-Disposition"), let disposition = ContentType.parseDisposition(
        field.rawValue)
    {
        keep(disposition.parameter("filename"))
    }
}

private func fuzzOne(_ bytes: [UInt8]) {
    // The notifier's own path: bytes -> Message -> Notice, with the built-in trust policy.
    let notice = NoticeReader.read(bytes, trust: .builtIn)
    keep(notice.subject)
    keep(notice.url)
    keep(notice.otp)
    keep(notice.vendorCode)
    keep(notice.error)
    keep(notice.distrustReason)
    keep(notice.reason?.rawValue)
    for note in notice.notes { keep(note) }
    keep(notice.from?.description)
    keep(notice.validFrom?.description)
    keep(notice.validUntil?.description)
    keep(notice.expiresAt?.description)
    if let expiry = notice.expiresAt { sink &+= Int(expiry.instant.timeIntervalSince1970) }
    if let url = notice.url { sink &+= TrustPolicy.builtIn.trustsURL(url) ? 1 : 0 }

    // The tree, every entity's derived properties.
    let message = Message.parse(bytes)
    sink &+= message.defects.count
    message.root.walk(touch)
    // Tight limits: only the parser's limit paths are of interest here, so the tree is just counted.
    let tight = Message.parse(bytes, limits: tightLimits)
    sink &+= tight.defects.count
    tight.root.walk { sink &+= $0.rawBody.count }

    // The smaller entry points on the raw input.
    let text = String(decoding: bytes, as: UTF8.self)
    keep(EncodedWords.decode(text))
    keep(EncodedWords.decodeUnstructured(bytes[...]))
    for mailbox in Mailbox.parseList(bytes[...]) { keep(mailbox.description) }
    if let contentType = ContentType.parse(bytes[...]) {
        keep(contentType.mimeType)
        for parameter in contentType.parameters { keep(parameter.value) }
    }
    keep(ContentType.parseDisposition(bytes[...])?.type)
    keep(HTMLText.text(fromHTML: text))
    // Issue 11's entry points: link rewriters, flowed text, undeclared 8-bit header bytes.
    switch LinkRewriter.examine(text) {
    case .plain: sink &+= 1
    case .unwrapped(let url, let gateway): keep(url); keep(gateway)
    case .opaque(let gateway): keep(gateway)
    }
    keep(FlowedText.unflow(text, deleteSpace: bytes.count % 2 == 0))
    keep(Charset.decodeHeader(bytes))
    sink &+= TrustPolicy.builtIn.trustsURL(text) ? 1 : 0
    // Charsets: detection always, plus one label picked by the input's length (decoding under all of them every
    // time would halve the fuzzer's speed for little gain; the mutator changes the length all the time).
    keep(Charset.decode(bytes, label: nil))
    keep(Charset.decode(bytes[...], label: charsetLabels[bytes.count % charsetLabels.count]))
    // Transfer encodings: one of the three, by the same trick.
    switch bytes.count % 3 {
    case 0: keep(TransferEncoding.decodeBase64(bytes))
    case 1: keep(TransferEncoding.decodeQuotedPrintable(bytes, header: false))
    default: keep(TransferEncoding.decodeQuotedPrintable(bytes[...], header: true))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    fuzzOne(bytes)
    return 0
}
