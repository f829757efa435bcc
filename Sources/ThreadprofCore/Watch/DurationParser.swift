// Durations on the command line: 500ms, 5s, 1.5s, 2m, 1h.

/// Parses `<number><unit>` with unit `ms`, `s`, `m` or `h`; the number may
/// have a fraction (`1.5s`). Zero, negative, unit-less, or longer than a
/// week is a usage error naming the flag.
public enum DurationParser {
  public static func parse(_ text: String, flag: String) throws -> Duration {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    let bad = ThreadprofError.usage(
      "invalid value '\(text)' for \(flag): expected a positive duration like 500ms, 5s, 2m or 1h")
    guard let (suffix, scale) = units.first(where: { text.hasSuffix($0.0) }) else { throw bad }
    let number = text.dropLast(suffix.count)
    let allowed = number.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    guard !number.isEmpty, allowed, number.filter({ $0 == "." }).count <= 1,
      number.first != ".", number.last != ".", let value = Double(number)
    else { throw bad }
    let seconds = value * scale
    guard seconds >= 0.001, seconds <= 7 * 86_400 else { throw bad }
    let millis = (seconds * 1000).rounded()
    return .milliseconds(Int64(millis))
  }

  /// The duration in seconds.
  public static func seconds(_ d: Duration) -> Double {
    let parts = d.components
    return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
  }
}
