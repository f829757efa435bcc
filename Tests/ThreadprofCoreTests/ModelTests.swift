import Foundation
import Testing

@testable import ThreadprofCore

@Suite struct ModelTests {
  @Test func base64RoundTripsEveryLength() {
    for n in 0..<20 {
      let bytes = (0..<n).map { UInt8(($0 * 37 + 250) & 255) }
      let text = Base64.encode(bytes)
      #expect(text.count % 4 == 0)
      #expect(Base64.decode(text) == bytes)
    }
    #expect(Base64.encode(Array("Man".utf8)) == "TWFu")
    #expect(Base64.encode(Array("Ma".utf8)) == "TWE=")
    #expect(Base64.decode("TW=u") == nil)
    #expect(Base64.decode("abc") == nil)
  }

  @Test func namesEscapeControlAndInvalidBytes() {
    #expect(NameEscaping.escape(Array("pool-1".utf8)) == "pool-1")
    #expect(NameEscaping.escape([0xff, UInt8(ascii: "z")]) == "\\xffz")
    #expect(NameEscaping.escape([UInt8(ascii: "a"), 0x0a]) == "a\\x0a")
    #expect(NameEscaping.escape(Array("né".utf8)) == "né")
    #expect(NameEscaping.escape(Array("a\\b".utf8)) == "a\\\\b")
  }

  @Test func threadRecordKeepsRawNameBytesThroughJSON() throws {
    let record = ThreadRecord(
      tid: 7, nameBytes: [0xff, UInt8(ascii: "z")], state: "S", wchan: "pipe_read",
      syscall: .inSyscall(number: 0, name: "read"))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    let data = try encoder.encode(record)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"name_bytes\":\"/3o=\""))
    let back = try JSONDecoder().decode(ThreadRecord.self, from: data)
    #expect(back.nameBytes == record.nameBytes)
    #expect(back.syscall == record.syscall)
    #expect(back.wchan == "pipe_read")
  }

  @Test func frameKeyIgnoresAddresses() {
    let a = StackFrame(address: 0x5555_0000_1234, module: "/usr/bin/app", fileOffset: 0x1234,
      function: "serve", offset: 4)
    var b = a
    b.address = 0x7777_0000_1234
    #expect(a.symbolicKey == b.symbolicKey)
    let stripped = StackFrame(address: 0x1, module: "/opt/app", fileOffset: 0x99)
    #expect(stripped.symbolicKey == "app+0x99")
  }
}

@Suite struct RFC3339Tests {
  @Test func formatReadsBackToTheSameSecond() {
    let date = Date(timeIntervalSince1970: 1_796_400_393)
    let text = RFC3339.format(date)
    #expect(text == "2026-12-04T16:06:33Z")
    #expect(RFC3339.nanoseconds(text) == 1_796_400_393_000_000_000)
  }
}
