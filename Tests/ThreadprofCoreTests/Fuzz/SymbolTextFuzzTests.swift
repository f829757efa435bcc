// Fuzzes the text threadprof takes from the target's side with --stacks:
// /proc/<pid>/maps lines, /tmp/perf-<pid>.map files (written by the target
// itself) and symbol names from its binaries, demangled.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct SymbolTextFuzzTests {
  @Test func mapsParserSurvivesMutations() {
    let corpus = Fuzz.corpus("maps")
    #expect(!corpus.isEmpty)
    Fuzz.run("maps") { rng, seed in
      let input = Fuzz.input(corpus, &rng)
      for m in MemoryMap.parse(bytes: input) {
        #expect(m.start <= m.end, "seed \(seed): \(m)")
      }
      _ = PerfMap.parse(String(decoding: input, as: UTF8.self))
    }
  }

  @Test func demanglerSurvivesMutatedNames() {
    let names = Fuzz.corpus("symbols").flatMap { $0.split(separator: UInt8(ascii: "\n")) }
      .map { Array($0) }
    #expect(names.count >= 5)
    // Mangled-name alphabets: v0 uses base-62 digits and these tags.
    let alphabet = Array("_RNvCsMINBEKCIYGFHUTSQPpabcdefhijlmostuxyz0123456789$s".utf8)
    Fuzz.run("demangle") { rng, _ in
      var name = Fuzz.mutate(names.randomElement(using: &rng)!, &rng, others: names)
      if Bool.random(using: &rng) {
        name = Array("_R".utf8) + (0..<Int.random(in: 1...80, using: &rng)).map { _ in
          alphabet.randomElement(using: &rng)!
        }
      }
      let text = String(decoding: name, as: UTF8.self)
      _ = Demangler.demangle(text)
      _ = Demangler.stripVersion(text)
    }
  }

  /// Deep nesting in a v0 name stops at the decoder's depth limit (no
  /// stack overflow) and the name stays raw.
  @Test func deeplyNestedRustNameIsLeftRaw() {
    let deep = "_R" + String(repeating: "Nv", count: 100_000) + "Cs1_1a"
    #expect(Demangler.demangle(deep) == deep)
  }
}

extension SymbolTextFuzzTests {
  /// Regression: an inode of 18446744073709551619 trapped on the last
  /// digit's addition, and a range with start past end was accepted (and
  /// `end - start` would trap when the module is opened).
  @Test func mapsLinesWithOverflowOrReversedRangeAreSkipped() throws {
    let bytes = try #require(Fuzz.corpus("maps").first {
      String(decoding: $0, as: UTF8.self).contains("18446744073709551619") })
    #expect(MemoryMap.parse(bytes: bytes).isEmpty)
  }
}
