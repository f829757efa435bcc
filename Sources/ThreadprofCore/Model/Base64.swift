// Standard base64 (RFC 4648, with padding) for raw thread-name bytes.

/// Base64 without Foundation, so the model stays free of I/O frameworks.
public enum Base64 {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  public static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
      let b0 = UInt32(bytes[i])
      let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let v = b0 << 16 | b1 << 8 | b2
      out.append(alphabet[Int(v >> 18 & 63)])
      out.append(alphabet[Int(v >> 12 & 63)])
      out.append(i + 1 < bytes.count ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes padded base64; `nil` on any character outside the alphabet or
  /// a length that is not a multiple of four.
  public static func decode(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    var i = 0
    while i < chars.count {
      var v: UInt32 = 0
      var pad = 0
      for j in 0..<4 {
        let ch = chars[i + j]
        let d: UInt32
        switch ch {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt32(ch - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt32(ch - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(ch - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): d = 62
        case UInt8(ascii: "/"): d = 63
        case UInt8(ascii: "=") where j >= 2 && i + 4 == chars.count:
          d = 0
          pad += 1
        default: return nil
        }
        if pad > 0 && ch != UInt8(ascii: "=") { return nil }
        v = v << 6 | d
      }
      out.append(UInt8(v >> 16 & 255))
      if pad < 2 { out.append(UInt8(v >> 8 & 255)) }
      if pad < 1 { out.append(UInt8(v & 255)) }
      i += 4
    }
    return out
  }
}
