// Seeded random fuzzing for the test suite: a reproducible generator, a
// time budget, a seed corpus from Fixtures/fuzz and byte-level mutations.
import Foundation
import ThreadprofTestSupport

/// How long and from which seed each fuzz target runs.
///
/// `THREADPROF_FUZZ_SECONDS` sets the time per target (default 1.5 s in the
/// normal suite); `THREADPROF_FUZZ_SEED` replays one seed.
enum Fuzz {
  static var seconds: Double {
    ProcessInfo.processInfo.environment["THREADPROF_FUZZ_SECONDS"].flatMap(Double.init) ?? 1.5
  }

  static var seed: UInt64 {
    ProcessInfo.processInfo.environment["THREADPROF_FUZZ_SEED"].flatMap { UInt64($0) }
      ?? 0x7468_7265_6164
  }

  /// Calls `body` with a fresh generator per iteration until the budget is
  /// spent (at least `minimum` times). Each iteration's seed is derived
  /// from the base seed and the iteration number, and passed to `body` so
  /// a failure message can name it. Returns the number of iterations.
  @discardableResult
  static func run(
    _ name: String, minimum: Int = 50, seconds: Double = Fuzz.seconds,
    _ body: (inout SeededRandom, UInt64) throws -> Void
  ) rethrows -> Int {
    let deadline = Date().addingTimeInterval(seconds)
    var i: UInt64 = 0
    var base = SeededRandom(seed: seed ^ UInt64(truncatingIfNeeded: name.hashValueStable))
    while Int(i) < minimum || Date() < deadline {
      let iterationSeed = base.next()
      var rng = SeededRandom(seed: iterationSeed)
      try body(&rng, iterationSeed)
      i += 1
    }
    return Int(i)
  }

  /// The seed files under `Fixtures/fuzz/<target>/`.
  static func corpus(_ target: String) -> [[UInt8]] {
    let dir = Repo.fixtures + "/fuzz/" + target
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    return names.compactMap { name in
      FileManager.default.contents(atPath: dir + "/" + name).map { [UInt8]($0) }
    }
  }

  /// Tokens that tend to break text parsers.
  static let tokens: [[UInt8]] = [
    "(", ")", ") ", " (", "\n", " ", "\t", ":", "-", "0", "-1", "0x", "[<0>]", "+0x", "/",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808",
    "99999999999999999999999999", "Tgid:", "NSpid:\t", "running", "\u{7f}ELF",
  ].map { Array($0.utf8) } + [[0], [0xff], [0xc3], [0xe2, 0x82], [0x80]]

  /// One to four random edits of `input`: flips, inserts, deletions,
  /// truncation, duplication, token inserts and splices from `others`.
  static func mutate(
    _ input: [UInt8], _ rng: inout SeededRandom, others: [[UInt8]] = []
  ) -> [UInt8] {
    var b = input
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      let at = b.isEmpty ? 0 : Int.random(in: 0...b.count, using: &rng)
      switch Int.random(in: 0..<9, using: &rng) {
      case 0 where !b.isEmpty:
        let i = Int.random(in: 0..<b.count, using: &rng)
        b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
      case 1 where !b.isEmpty:
        b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
      case 2:
        b.insert(contentsOf: bytes(Int.random(in: 1...16, using: &rng), &rng), at: at)
      case 3 where at < b.count:
        b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...32, using: &rng)))
      case 4:
        b.removeSubrange(at...)
      case 5 where at < b.count:
        let end = min(b.count, at + Int.random(in: 1...64, using: &rng))
        b.insert(contentsOf: b[at..<end], at: at)
      case 6, 7:
        b.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
      default:
        if let other = others.randomElement(using: &rng), !other.isEmpty {
          let start = Int.random(in: 0..<other.count, using: &rng)
          let end = min(other.count, start + Int.random(in: 1...128, using: &rng))
          b.insert(contentsOf: other[start..<end], at: at)
        }
      }
    }
    return b
  }

  static func bytes(_ n: Int, _ rng: inout SeededRandom) -> [UInt8] {
    (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
  }

  /// A random input: mostly a mutated seed, sometimes pure noise.
  static func input(_ corpus: [[UInt8]], _ rng: inout SeededRandom) -> [UInt8] {
    if corpus.isEmpty || Int.random(in: 0..<10, using: &rng) == 0 {
      return bytes(Int.random(in: 0...300, using: &rng), &rng)
    }
    return mutate(corpus.randomElement(using: &rng)!, &rng, others: corpus)
  }
}

extension String {
  /// FNV-1a of the UTF-8 bytes: unlike `hashValue`, the same in every run.
  var hashValueStable: UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
  }
}
