import MailParse
import Foundation
let data = FileManager.default.contents(atPath: CommandLine.arguments[1])!
let n = NoticeReader.read([UInt8](data))
print(n)
