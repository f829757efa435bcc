// Thread-name patterns: numbering stripped so a pool's threads share one.

/// Normalizes thread names so that the members of one pool look alike.
public enum NamePattern {
  /// Replaces each run of decimal digits with `N`, and each hex-looking run
  /// (at least four hex digits with at least one digit, or `0x` + hex) with
  /// `X`: `pool-3-thread-17` becomes `pool-N-thread-N`, `worker-7f3a9c` becomes
  /// `worker-X`. Invalid UTF-8 bytes and control characters are escaped as
  /// in `NameEscaping`, so the pattern is always printable.
  ///
  /// The kernel keeps 15 bytes of a thread name (`TASK_COMM_LEN` - 1), so
  /// `pool-10-thread-1` is stored as `pool-10-thread-`: a 15-byte name whose
  /// pattern ends in a separator lost its trailing number and gets `N` back,
  /// joining `pool-1-thread-1`. Pools of 100 or more (`pool-100-thread`)
  /// lose the whole separator and still form their own pattern: nothing in
  /// the name says what was cut.
  public static func normalize(_ bytes: [UInt8]) -> String {
    let pattern = normalize(NameEscaping.escape(bytes))
    if bytes.count == truncatedLength, let last = pattern.unicodeScalars.last,
      separators.contains(last)
    {
      return pattern + "N"
    }
    return pattern
  }

  /// Bytes of a thread name the kernel keeps (`TASK_COMM_LEN` - 1).
  static let truncatedLength = 15
  static let separators: Set<Unicode.Scalar> = ["-", "_", ".", ":", "#", " "]

  public static func normalize(_ name: String) -> String {
    let chars = Array(name.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    while i < chars.count {
      let c = chars[i]
      // An escape written by NameEscaping (`\\` or `\xNN`) is one unit.
      if c == "\\", i + 1 < chars.count {
        let width = chars[i + 1] == "x" ? 4 : 2
        for k in i..<min(i + width, chars.count) { out.append(chars[k]) }
        i += width
        continue
      }
      if c == "0", i + 1 < chars.count, chars[i + 1] == "x" || chars[i + 1] == "X",
        i + 2 < chars.count, isHex(chars[i + 2])
      {
        var j = i + 2
        while j < chars.count, isHex(chars[j]) { j += 1 }
        out.append("X")
        i = j
        continue
      }
      if isHex(c), startsWord(chars, i) {
        var j = i
        var digits = 0
        while j < chars.count, isHex(chars[j]) {
          if isDigit(chars[j]) { digits += 1 }
          j += 1
        }
        let allDigits = digits == j - i
        if !allDigits, j - i >= 4, digits > 0, endsWord(chars, j) {
          out.append("X")
          i = j
          continue
        }
      }
      if isDigit(c) {
        var j = i
        while j < chars.count, isDigit(chars[j]) { j += 1 }
        out.append("N")
        i = j
        continue
      }
      out.append(c)
      i += 1
    }
    return String(out)
  }

  private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

  private static func isHex(_ c: Unicode.Scalar) -> Bool {
    isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F")
  }

  private static func isLetter(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
  }

  /// A hex run counts only as a whole word, so `cafe-worker` keeps `cafe`
  /// and `deadline` is not half-rewritten.
  private static func startsWord(_ chars: [Unicode.Scalar], _ i: Int) -> Bool {
    i == 0 || !isLetter(chars[i - 1])
  }

  private static func endsWord(_ chars: [Unicode.Scalar], _ j: Int) -> Bool {
    j == chars.count || !isLetter(chars[j])
  }
}
