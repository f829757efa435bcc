// Turns raw symbol names into readable ones: symbol versions stripped,
// C++, Rust (legacy and v0) and Swift names demangled.

/// Demangles the symbol names found in ELF symbol tables and DWARF.
public enum Demangler {
  /// The readable form of `raw`: without `@VERSION`/`@@VERSION`, and
  /// demangled when it is a C++ (`_Z`), Rust (`_ZN..17h<hash>E`, `_R`) or
  /// Swift (`$s`, `_$s`, `$S`, `_T0`) name. Names it cannot read come back
  /// unchanged (apart from the version).
  public static func demangle(_ raw: String) -> String {
    let name = stripVersion(raw)
    if name.hasPrefix("_R") {
      return RustV0Demangler.demangle(name) ?? name
    }
    if name.hasPrefix("_ZN"), let rust = rustLegacy(name) { return rust }
    if name.hasPrefix("_Z") { return RuntimeDemangler.cxx(name) ?? name }
    if isSwift(name) { return RuntimeDemangler.swift(name) ?? name }
    return name
  }

  /// `pthread_cond_wait@@GLIBC_2.3.2` -> `pthread_cond_wait`.
  public static func stripVersion(_ name: String) -> String {
    guard let at = name.firstIndex(of: "@"), at != name.startIndex else { return name }
    return String(name[..<at])
  }

  static func isSwift(_ name: String) -> Bool {
    for prefix in ["$s", "_$s", "$S", "_$S", "$e", "_$e", "_T0"] where name.hasPrefix(prefix) {
      return true
    }
    return false
  }

  /// Rust's legacy mangling: an Itanium nested name whose last part is
  /// `h` + 16 hex digits, with `$..$` escapes, e.g.
  /// `_ZN4core3ptr13drop_in_place17h0123456789abcdefE`. Returns `nil` for
  /// names that are not of that shape (plain C++ names).
  static func rustLegacy(_ name: String) -> String? {
    var bytes = Array(name.utf8.dropFirst(3))
    if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) { bytes = Array(bytes[..<dot]) }
    var parts: [String] = []
    var i = 0
    while i < bytes.count, bytes[i] != UInt8(ascii: "E") {
      var length = 0
      guard bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else { return nil }
      while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
        length = length * 10 + Int(bytes[i] - UInt8(ascii: "0"))
        i += 1
        if length > bytes.count { return nil }
      }
      guard i + length <= bytes.count else { return nil }
      parts.append(String(decoding: bytes[i..<(i + length)], as: UTF8.self))
      i += length
    }
    guard i == bytes.count - 1, let hash = parts.last, isRustHash(hash), parts.count > 1 else {
      return nil
    }
    return parts.dropLast().map(unescapeLegacy).joined(separator: "::")
  }

  private static func isRustHash(_ part: String) -> Bool {
    part.count == 17 && part.first == "h" && part.dropFirst().allSatisfy(\.isHexDigit)
  }

  private static let escapes: [String: String] = [
    "SP": "@", "BP": "*", "RF": "&", "LT": "<", "GT": ">", "LP": "(", "RP": ")", "C": ",",
  ]

  private static func unescapeLegacy(_ part: String) -> String {
    var text = Substring(part)
    if text.hasPrefix("_$") { text = text.dropFirst() }
    var out = ""
    while let first = text.first {
      if first == "$", let close = text.dropFirst().firstIndex(of: "$") {
        let code = String(text[text.index(after: text.startIndex)..<close])
        if let plain = escapes[code] {
          out += plain
        } else if code.hasPrefix("u"), let value = UInt32(code.dropFirst(), radix: 16),
          let scalar = Unicode.Scalar(value)
        {
          out.unicodeScalars.append(scalar)
        } else {
          return part
        }
        text = text[text.index(after: close)...]
      } else if text.hasPrefix("..") {
        out += "::"
        text = text.dropFirst(2)
      } else {
        out.append(first)
        text = text.dropFirst()
      }
    }
    return out
  }
}
