// StatParser on hostile names, every state letter and short lines.
import Testing

@testable import ThreadprofCore

@Suite struct StatParserTests {
  /// A stat line as the kernel writes it, with `name` raw between the parens.
  static func line(
    pid: Int = 4242, name: [UInt8], state: String = "S", utime: Int = 11, stime: Int = 7,
    priority: Int = 20, nice: Int = 0, start: Int = 98765, cpu: Int = 1
  ) -> [UInt8] {
    let head = Array("\(pid) (".utf8)
    var tail = "\(state) 1 4242 4242 0 -1 4194368 120 0 0 0 \(utime) \(stime) 0 0 "
    tail += "\(priority) \(nice) 5 0 \(start) 44498944 365 18446744073709551615 1 2 3 0 0 "
    tail += "0 0 0 0 0 0 0 17 \(cpu) 0 0 0 0 0 1 2 3 4 5 6 0\n"
    return head + name + Array(") ".utf8) + Array(tail.utf8)
  }

  static let nastyNames: [[UInt8]] = [
    Array("a) b".utf8),
    Array("x) R 1 2 (".utf8),
    Array(repeating: UInt8(ascii: " "), count: 14) + [UInt8(ascii: ")")],
    [0xff, UInt8(ascii: "z")],
    Array("nl\nname".utf8),
    Array("((((".utf8),
    Array("))))".utf8),
    Array(") S 1 2 3 ) ".utf8),
    Array("123 456".utf8),
    Array("".utf8),
    [0xc3, 0x28, 0xa0, 0xa1],
  ]

  @Test(arguments: nastyNames)
  func nameIsBetweenFirstOpenAndLastClose(name: [UInt8]) throws {
    let f = try #require(StatParser.parse(Self.line(name: name, state: "D", utime: 31)))
    #expect(f.pid == 4242)
    #expect(f.nameBytes == name)
    #expect(f.state == UInt8(ascii: "D"))
    #expect(f.ppid == 1)
    #expect(f.flags == 4_194_368)
    #expect(f.utimeTicks == 31)
    #expect(f.stimeTicks == 7)
    #expect(f.startTicks == 98765)
    #expect(f.processor == 1)
  }

  @Test(arguments: ["R", "S", "D", "Z", "T", "t", "X", "x", "K", "W", "P", "I"])
  func everyStateLetter(state: String) throws {
    let f = try #require(StatParser.parse(Self.line(name: Array("w".utf8), state: state)))
    #expect(f.state == UInt8(ascii: Unicode.Scalar(state)!))
    #expect(f.startTicks == 98765)
  }

  @Test func negativePriorityAndNice() throws {
    let f = try #require(
      StatParser.parse(Self.line(name: Array("rt".utf8), priority: -51, nice: -20)))
    #expect(f.priority == -51)
    #expect(f.nice == -20)
  }

  @Test func kernelThreadFlag() throws {
    let text = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 "
      + "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    let f = try #require(StatParser.parse(Array(text.utf8)))
    #expect(f.isKernelThread)
    #expect(f.startTicks == 9)
    #expect(f.processor == 1)
    let user = try #require(StatParser.parse(Self.line(name: Array("u".utf8))))
    #expect(!user.isKernelThread)
  }

  @Test func truncatedLineKeepsWhatItHas() throws {
    let f = try #require(StatParser.parse(Array("7 (a) b) R 3 4 5".utf8)))
    #expect(f.nameBytes == Array("a) b".utf8))
    #expect(f.state == UInt8(ascii: "R"))
    #expect(f.ppid == 3)
    #expect(f.startTicks == 0)
  }

  @Test(arguments: ["", "12 no parens", "1 (abc", "1 (abc)", "1 (abc)X", ") 1 ("])
  func rejectsLinesWithoutNameAndState(text: String) {
    #expect(StatParser.parse(Array(text.utf8)) == nil)
  }
}
