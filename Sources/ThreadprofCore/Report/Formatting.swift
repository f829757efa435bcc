// Small number and time formats shared by the text reports.

/// Human formats for ages, CPU time and counts.
public enum Formatting {
  /// `0.4s`, `12s`, `4m10s`, `2h03m`, `3d04h`.
  public static func age(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    if seconds < 10 { return "\(rounded(seconds, 1))s" }
    // Clamped near a million years, which only a corrupt file or capture
    // holds: converting more to Int would trap.
    let s = Int(min(seconds, 3.0e13))
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m\(pad2(s % 60))s" }
    if s < 86400 { return "\(s / 3600)h\(pad2(s % 3600 / 60))m" }
    return "\(s / 86400)d\(pad2(s % 86400 / 3600))h"
  }

  /// CPU seconds: `0.00s`, `1.25s`, `95.0s`, `2h03m` past an hour.
  public static func cpu(_ seconds: Double) -> String {
    if seconds < 10 { return "\(rounded(seconds, 2))s" }
    if seconds < 3600 { return "\(rounded(seconds, 1))s" }
    return age(seconds)
  }

  /// `value` with exactly `places` decimals (no Foundation formatter).
  public static func rounded(_ value: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    // NaN, infinity or past Int: no fixed-point form, and Int() would trap.
    guard scaled.isFinite, scaled < 9.0e18 else { return "\(value)" }
    let n = Int(scaled)
    let sign = value < 0 && n != 0 ? "-" : ""
    guard places > 0 else { return sign + String(n) }
    let whole = n / Int(scale)
    var frac = String(n % Int(scale))
    while frac.count < places { frac = "0" + frac }
    return "\(sign)\(whole).\(frac)"
  }

  static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

  /// Pads or truncates `text` to `width` columns (truncation ends in `…`).
  public static func fit(_ text: String, _ width: Int) -> String {
    if text.count > width { return String(text.prefix(max(0, width - 1))) + "…" }
    return text + String(repeating: " ", count: width - text.count)
  }

  /// Right-aligns `text` in `width` columns.
  public static func right(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }
}
