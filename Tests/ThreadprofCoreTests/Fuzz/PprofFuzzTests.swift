// Fuzzes the pprof reader that `check` uses for baselines: mutated
// profiles (raw and gzipped) give a profile or one badData error, and any
// profile that validates converts to a snapshot without trapping.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct PprofFuzzTests {
  /// Varint edge cases: ten-byte maximums, overlong zero, a lone
  /// continuation byte, huge lengths.
  static let protoTokens: [[UInt8]] = [
    Array(repeating: 0xff, count: 9) + [0x01], [0x80, 0x80, 0x80, 0x80, 0x00], [0x80],
    [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
    [0x32, 0x00], [0x1a, 0x02, 0x08, 0x00],
  ]

  @Test func decoderSurvivesMutatedProfiles() throws {
    let corpus = Fuzz.corpus("pprof")
    #expect(corpus.count >= 3)
    var decoded = 0
    let runs = Fuzz.run("pprof") { rng, seed in
      var bytes = Fuzz.input(corpus, &rng)
      if Bool.random(using: &rng) {
        let at = Int.random(in: 0...bytes.count, using: &rng)
        bytes.insert(contentsOf: Self.protoTokens.randomElement(using: &rng)!, at: at)
      }
      do {
        let profile = try PprofDecoder.decode(bytes, source: "fuzz.pb")
        decoded += 1
        if let snap = try? PprofSnapshot.snapshot(from: profile, source: "fuzz.pb") {
          _ = TextReport().render(snap)
        }
      } catch let error as ThreadprofError {
        guard case .badData = error else {
          Issue.record("seed \(seed): \(error) is not badData")
          return
        }
      } catch {
        Issue.record("seed \(seed): untyped error \(error)")
      }
    }
    print("pprof fuzz: \(decoded) of \(runs) mutated profiles decoded")
  }
}
