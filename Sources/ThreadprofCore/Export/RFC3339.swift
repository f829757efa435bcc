// The snapshot's `taken_at` (RFC 3339, UTC), written and read back without
// Foundation's date formatters.
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// RFC 3339 timestamps of the form threadprof writes.
public enum RFC3339 {
  /// `2026-12-04T15:45:25Z`: `date` in UTC, whole seconds.
  public static func format(_ date: Date) -> String {
    var t = time_t(date.timeIntervalSince1970)
    var parts = tm()
    gmtime_r(&t, &parts)
    func p(_ n: Int32, _ w: Int = 2) -> String {
      let s = String(n)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(p(parts.tm_year + 1900, 4))-\(p(parts.tm_mon + 1))-\(p(parts.tm_mday))T"
      + "\(p(parts.tm_hour)):\(p(parts.tm_min)):\(p(parts.tm_sec))Z"
  }

  /// Nanoseconds since the Unix epoch for `YYYY-MM-DDTHH:MM:SS[.fff]Z`
  /// (also `+00:00`); `nil` for any other form.
  public static func nanoseconds(_ text: String) -> Int64? {
    let c = Array(text.utf8)
    guard c.count >= 20, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"),
      c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: "t"),
      c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":")
    else { return nil }
    func num(_ r: Range<Int>) -> Int64? {
      var v: Int64 = 0
      for i in r {
        guard c[i] >= 48 && c[i] <= 57 else { return nil }
        v = v * 10 + Int64(c[i] - 48)
      }
      return v
    }
    guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13),
      let mi = num(14..<16), let s = num(17..<19), (1...12).contains(mo), (1...31).contains(d),
      h < 24, mi < 60, s < 61
    else { return nil }
    var i = 19
    var frac: Int64 = 0
    if c[i] == UInt8(ascii: ".") {
      i += 1
      var digits = 0
      while i < c.count, c[i] >= 48 && c[i] <= 57 {
        if digits < 9 {
          frac = frac * 10 + Int64(c[i] - 48)
          digits += 1
        }
        i += 1
      }
      guard digits > 0 else { return nil }
      for _ in digits..<9 { frac *= 10 }
    }
    let rest = String(decoding: c[i...], as: UTF8.self)
    guard rest == "Z" || rest == "z" || rest == "+00:00" else { return nil }
    let days = daysFromCivil(y, mo, d)
    return ((days * 24 + h) * 60 + mi) * 60_000_000_000 + s * 1_000_000_000 + frac
  }

  /// Days from 1970-01-01 to the given proleptic Gregorian date.
  static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}
