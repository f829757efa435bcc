// Fuzzes the /proc parsers: mutated real files must never crash them, and
// generated well-formed files with hostile contents must parse exactly.
import Foundation
import Testing
import ThreadprofCore

@Suite struct ProcParserFuzzTests {
  // MARK: stat

  @Test func statParserSurvivesMutatedLines() {
    let corpus = Fuzz.corpus("stat")
    #expect(!corpus.isEmpty)
    Fuzz.run("stat-mutate") { rng, _ in
      let input = Fuzz.input(corpus, &rng)
      if let fields = StatParser.parse(input) {
        #expect(fields.nameBytes.count + 4 <= input.count)
      }
    }
  }

  @Test func statParserRecoversAnyNameAndEveryField() {
    Fuzz.run("stat-generate") { rng, seed in
      let name = (0..<Int.random(in: 0...15, using: &rng)).map { _ in
        UInt8.random(in: 1...255, using: &rng)
      }
      let state = Array("RSDZTtXIW".utf8).randomElement(using: &rng)!
      let pid = Int32.random(in: 1...Int32.max, using: &rng)
      let ppid = Int32.random(in: 0...Int32.max, using: &rng)
      let utime = UInt64.random(in: 0...UInt64.max, using: &rng)
      let stime = UInt64.random(in: 0...(1 << 40), using: &rng)
      let start = UInt64.random(in: 0...UInt64.max, using: &rng)
      let prio = Int32.random(in: -100...139, using: &rng)
      let nice = Int32.random(in: -20...19, using: &rng)
      let cpu = Int32.random(in: 0...4095, using: &rng)
      var fields = [String](repeating: "0", count: 52)
      fields[3] = "\(ppid)"
      fields[13] = "\(utime)"
      fields[14] = "\(stime)"
      fields[17] = "\(prio)"
      fields[18] = "\(nice)"
      fields[21] = "\(start)"
      fields[38] = "\(cpu)"
      var line = Array("\(pid) (".utf8) + name + Array(") ".utf8) + [state]
      line += Array((" " + fields[3...].joined(separator: " ") + "\n").utf8)
      let parsed = StatParser.parse(line)
      #expect(parsed?.pid == pid, "seed \(seed)")
      #expect(parsed?.nameBytes == name, "seed \(seed)")
      #expect(parsed?.state == state, "seed \(seed)")
      #expect(parsed?.ppid == ppid, "seed \(seed)")
      #expect(parsed?.utimeTicks == utime, "seed \(seed)")
      #expect(parsed?.stimeTicks == stime, "seed \(seed)")
      #expect(parsed?.startTicks == start, "seed \(seed)")
      #expect(parsed?.priority == prio, "seed \(seed)")
      #expect(parsed?.nice == nice, "seed \(seed)")
      #expect(parsed?.processor == cpu, "seed \(seed)")
    }
  }

  /// Regression: a field of `-9223372036854775808` trapped on negation.
  @Test func statParserTakesTheMostNegativeNumber() throws {
    let line = try #require(Fuzz.corpus("stat").first { String(decoding: $0, as: UTF8.self)
      .hasPrefix("-9223372036854775808") })
    let fields = try #require(StatParser.parse(line))
    #expect(fields.nameBytes == Array("neg".utf8))
    #expect(fields.state == UInt8(ascii: "S"))
  }

  // MARK: status

  @Test func statusParserSurvivesMutatedFiles() {
    let corpus = Fuzz.corpus("status")
    #expect(!corpus.isEmpty)
    Fuzz.run("status-mutate") { rng, _ in
      let fields = StatusParser.parse(Fuzz.input(corpus, &rng))
      #expect(fields.nsPids.count <= 4096)
    }
  }

  @Test func statusParserFindsTgidAndNSpidAmongNoise() {
    let corpus = Fuzz.corpus("status")
    Fuzz.run("status-generate") { rng, seed in
      let tgid = Int32.random(in: 1...Int32.max, using: &rng)
      let ns = (0..<Int.random(in: 1...5, using: &rng)).map { _ in
        Int32.random(in: 1...Int32.max, using: &rng)
      }
      var lines: [String] = [
        "Tgid:\t\(tgid)", "NSpid:\t" + ns.map(String.init).joined(separator: "\t"),
      ]
      // Unrelated lines, some with look-alike keys, in random order.
      for _ in 0..<Int.random(in: 0...12, using: &rng) {
        lines.append(
          ["Name:\t) x (", "Ngid:\t7", "TracerPid:\t0", "Threads:\t9", "NStgid:\t1\t2",
           "Tgi:\t5", "voluntary_ctxt_switches:\t3"].randomElement(using: &rng)!)
      }
      lines.shuffle(using: &rng)
      var text = Array(lines.joined(separator: "\n").utf8)
      if let noise = corpus.randomElement(using: &rng), Bool.random(using: &rng) {
        text = Array(noise.filter { $0 != UInt8(ascii: "T") && $0 != UInt8(ascii: "N") })
          + [UInt8(ascii: "\n")] + text
      }
      let fields = StatusParser.parse(text)
      #expect(fields.tgid == tgid, "seed \(seed)")
      #expect(fields.nsPids == ns, "seed \(seed)")
    }
  }

  // MARK: syscall, stack

  @Test func syscallParserSurvivesMutationsAndReadsNumbers() {
    let corpus = Fuzz.corpus("syscall")
    #expect(!corpus.isEmpty)
    Fuzz.run("syscall") { rng, seed in
      let abi = TargetABI.allCases.randomElement(using: &rng)!
      _ = ThreadFiles.syscall(Fuzz.input(corpus, &rng), abi: abi)
      let n = Int.random(in: 0...1000, using: &rng)
      let args = (0..<8).map { _ in "0x" + String(UInt64.random(in: 0...UInt64.max, using: &rng),
        radix: 16) }
      let line = Array(("\(n) " + args.joined(separator: " ") + "\n").utf8)
      #expect(
        ThreadFiles.syscall(line, abi: abi) == .inSyscall(number: n, name: abi.syscallName(n)),
        "seed \(seed)")
    }
  }

  @Test func kernelStackParserSurvivesMutationsAndKeepsNames() {
    let corpus = Fuzz.corpus("stack")
    #expect(!corpus.isEmpty)
    let chars = Array("abcdefghijklmnopqrstuvwxyz_0123456789.ABC".utf8)
    Fuzz.run("stack") { rng, seed in
      for frame in ThreadFiles.kernelStack(Fuzz.input(corpus, &rng)) {
        #expect(!frame.isEmpty && !frame.contains("\n"), "seed \(seed)")
      }
      let names = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
        String(decoding: (0..<Int.random(in: 1...40, using: &rng)).map { _ in
          chars.randomElement(using: &rng)! }, as: UTF8.self)
      }
      let text = names.map {
        "[<0>] \($0)+0x\(String(Int.random(in: 0...4096, using: &rng), radix: 16))/0x1f0\n"
      }.joined()
      #expect(ThreadFiles.kernelStack(Array(text.utf8)) == names, "seed \(seed)")
    }
  }

  // MARK: ELF header

  @Test func elfHeaderClassifierSurvivesMutationsAndNamesMachines() {
    let corpus = Fuzz.corpus("elf")
    #expect(corpus.count >= 4)
    Fuzz.run("elf") { rng, seed in
      _ = TargetABI.fromELFHeader(Fuzz.input(corpus, &rng))
      let cases: [(UInt8, UInt16, TargetABI)] = [
        (2, 62, .x86_64), (2, 183, .aarch64), (1, 3, .i386), (1, 40, .arm), (2, 3, .unknown),
        (1, 62, .unknown), (2, 9999, .unknown),
      ]
      let (cls, machine, want) = cases.randomElement(using: &rng)!
      let little = Bool.random(using: &rng)
      var header = Fuzz.bytes(Int.random(in: 20...64, using: &rng), &rng)
      header.replaceSubrange(0..<4, with: [0x7f, 0x45, 0x4c, 0x46])
      header[4] = cls
      header[5] = little ? 1 : 2
      header[18] = UInt8(little ? machine & 0xff : machine >> 8)
      header[19] = UInt8(little ? machine >> 8 : machine & 0xff)
      #expect(TargetABI.fromELFHeader(header) == want, "seed \(seed)")
      #expect(TargetABI.fromELFHeader(Array(header.prefix(19))) == .unknown, "seed \(seed)")
    }
  }
}

extension ProcParserFuzzTests {
  /// Regression: a syscall number past `Int.max` trapped on conversion.
  @Test func syscallNumberPastIntMaxIsUnrecognised() {
    let line = Array("18446744073709551615 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffc 0x7f\n".utf8)
    #expect(ThreadFiles.syscall(line, abi: .x86_64) == nil)
    #expect(Fuzz.corpus("syscall").contains(line))
  }
}
