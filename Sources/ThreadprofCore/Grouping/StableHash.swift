// A hash that is the same in every process and on every machine.

/// 64-bit FNV-1a. Swift's `Hasher` is seeded per process, so cluster ids,
/// which must match across snapshots, use this instead.
public struct StableHash {
  private var state: UInt64 = 0xcbf2_9ce4_8422_2325

  public init() {}

  public mutating func combine(_ text: String) {
    feed(text.utf8)
    endPart()
  }

  /// Adds bytes to the current part; `combine(a + b)` is `feed(a)`,
  /// `feed(b)`, `endPart()`.
  mutating func feed<S: Sequence<UInt8>>(_ bytes: S) {
    for byte in bytes {
      state ^= UInt64(byte)
      state &*= 0x0000_0100_0000_01b3
    }
  }

  /// Ends a part: a separator byte keeps ["ab", "c"] and ["a", "bc"] apart.
  mutating func endPart() {
    state ^= 0xff
    state &*= 0x0000_0100_0000_01b3
  }

  /// The digest as 16 lower-case hex digits.
  public var hex: String {
    let text = String(state, radix: 16)
    return String(repeating: "0", count: 16 - text.count) + text
  }
}
