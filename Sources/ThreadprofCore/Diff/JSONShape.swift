// A byte scan of a JSON text before decoding it: catches empty, truncated
// and absurdly nested input without recursion.

/// Checks the bracket structure of JSON text in one pass over the bytes.
enum JSONShape {
  /// Returns why `bytes` cannot be a sane JSON document, or `nil`. Looks
  /// only at brackets outside strings, so it is linear and uses no stack;
  /// the decoder checks everything else afterwards.
  static func check(_ bytes: [UInt8], maxDepth: Int) -> String? {
    var depth = 0
    var inString = false
    var escaped = false
    var sawValue = false
    for b in bytes {
      if inString {
        if escaped {
          escaped = false
        } else if b == UInt8(ascii: "\\") {
          escaped = true
        } else if b == UInt8(ascii: "\"") {
          inString = false
        }
        continue
      }
      switch b {
      case UInt8(ascii: "\""):
        inString = true
        sawValue = true
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        depth += 1
        sawValue = true
        if depth > maxDepth { return "nested more than \(maxDepth) levels deep" }
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        if depth < 0 { return "not valid JSON (unbalanced '\(Character(Unicode.Scalar(b)))')" }
      case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
        break
      default:
        sawValue = true
      }
    }
    if !sawValue { return "empty file" }
    if inString || depth > 0 { return "truncated (the JSON text ends early)" }
    return nil
  }
}
