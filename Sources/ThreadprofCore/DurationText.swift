// Durations as people type them on a command line: 500ms, 5s, 1.5s, 2m, 1h.

/// Parses and prints short duration texts.
public enum DurationText {
  /// Parses `<number><unit>` with unit `ms`, `s`, `m` or `h` (a bare number
  /// means seconds). Returns `nil` for anything else, including negatives.
  public static func parse(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    var number = Substring(text)
    var scale = 1.0
    for (suffix, factor) in units where text.hasSuffix(suffix) {
      number = text.dropLast(suffix.count)
      scale = factor
      break
    }
    guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
      let value = Double(number), value.isFinite, value >= 0
    else { return nil }
    let millis = value * scale * 1000
    guard millis < 1e15 else { return nil }
    return .milliseconds(Int64(millis.rounded()))
  }

  /// `250ms`, `5s`, `1.5s`, `2m`, `1h30m`.
  public static func format(_ d: Duration) -> String {
    let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    if ms < 1000 { return "\(ms)ms" }
    if ms % 1000 != 0 && ms < 60_000 {
      return "\(ms / 1000).\(String(ms % 1000 / 100))s"
    }
    let s = ms / 1000
    if s < 60 { return "\(s)s" }
    if s < 3600 { return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m\(s % 60)s" }
    return s % 3600 == 0 ? "\(s / 3600)h" : "\(s / 3600)h\(s % 3600 / 60)m"
  }
}
