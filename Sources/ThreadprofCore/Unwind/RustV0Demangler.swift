// A decoder for Rust's v0 symbol mangling (`_R...`), printing paths the
// way `{:#}` of rustc's demangler does: no crate hashes.

/// Decodes Rust v0 names: crate roots, nested paths (closures and shims
/// as `{closure#N}`), inherent and trait impls (`<T>`, `<T as Trait>`),
/// generic arguments, basic and compound types, function pointers, `dyn`
/// bounds, integer/bool/char constants and backrefs.
/// Punycode identifiers and structured constants are not decoded (rare in
/// stack traces); such names come back as `nil` and stay raw.
struct RustV0Demangler {
  private struct Unsupported: Error {}

  private let bytes: [UInt8]
  private var pos = 0
  private var depth = 0
  /// Lifetimes bound by enclosing `for<...>` binders.
  private var boundLifetimes: UInt64 = 0

  private init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// The demangled form of a `_R` name, or `nil` when it is not one this
  /// decoder reads completely.
  static func demangle(_ name: String) -> String? {
    guard name.hasPrefix("_R") else { return nil }
    var body = Array(name.utf8.dropFirst(2))
    // A `.llvm.123` style suffix is not part of the mangling.
    if let dot = body.firstIndex(of: UInt8(ascii: ".")) { body = Array(body[..<dot]) }
    // An encoding version number would come first; only version 0 (none) exists.
    if let first = body.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") {
      return nil
    }
    var parser = RustV0Demangler(body)
    var out = ""
    do {
      try parser.path(&out, value: true)
    } catch {
      return nil
    }
    // What may follow (the instantiating crate) is not printed.
    return out
  }

  // MARK: - lexical pieces

  private mutating func next() throws -> UInt8 {
    guard pos < bytes.count else { throw Unsupported() }
    defer { pos += 1 }
    return bytes[pos]
  }

  private func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

  private mutating func eat(_ c: Character) -> Bool {
    guard peek() == c.asciiValue else { return false }
    pos += 1
    return true
  }

  /// `{0-9a-zA-Z} "_"`: `_` is 0, otherwise the digits' value plus one.
  private mutating func base62() throws -> UInt64 {
    if eat("_") { return 0 }
    var value: UInt64 = 0
    while true {
      let c = try next()
      if c == UInt8(ascii: "_") { break }
      let digit: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = c - UInt8(ascii: "A") + 36
      default: throw Unsupported()
      }
      let (m, o1) = value.multipliedReportingOverflow(by: 62)
      let (s, o2) = m.addingReportingOverflow(UInt64(digit))
      guard !o1, !o2 else { throw Unsupported() }
      value = s
    }
    return value + 1
  }

  private mutating func decimal() throws -> Int {
    var value = 0
    var digits = 0
    while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
      value = value * 10 + Int(c - UInt8(ascii: "0"))
      digits += 1
      pos += 1
      guard value <= bytes.count else { throw Unsupported() }
      // A number has no leading zeros: "0" is a whole number.
      if value == 0 { break }
    }
    guard digits > 0 else { throw Unsupported() }
    return value
  }

  /// `["s" base-62] ["u"] decimal ["_"] bytes`; returns (disambiguator, name).
  private mutating func identifier() throws -> (UInt64, String) {
    let dis = eat("s") ? try base62() + 1 : 0
    return (dis, try undisambiguatedIdentifier())
  }

  private mutating func undisambiguatedIdentifier() throws -> String {
    // Punycode-encoded identifiers (non-ASCII names) are not decoded.
    if eat("u") { throw Unsupported() }
    let length = try decimal()
    _ = eat("_")
    guard pos + length <= bytes.count else { throw Unsupported() }
    defer { pos += length }
    return String(decoding: bytes[pos..<(pos + length)], as: UTF8.self)
  }

  /// Runs `body` at the position a backref names, then comes back.
  private mutating func backref(_ body: (inout RustV0Demangler) throws -> Void) throws {
    let target = try base62()
    guard target < UInt64(pos) else { throw Unsupported() }
    let saved = pos
    pos = Int(target)
    try body(&self)
    pos = saved
  }

  private mutating func enter() throws {
    depth += 1
    guard depth < 300 else { throw Unsupported() }
  }

  // MARK: - grammar

  /// A path; `value` prints generic arguments as `::<...>` (expression
  /// position) rather than `<...>` (type position).
  private mutating func path(_ out: inout String, value: Bool) throws {
    try enter()
    defer { depth -= 1 }
    switch try next() {
    case UInt8(ascii: "C"):
      out += try identifier().1
    case UInt8(ascii: "M"):
      try implPath()
      out += "<"
      try type(&out)
      out += ">"
    case UInt8(ascii: "X"):
      try implPath()
      out += "<"
      try type(&out)
      out += " as "
      try path(&out, value: false)
      out += ">"
    case UInt8(ascii: "Y"):
      out += "<"
      try type(&out)
      out += " as "
      try path(&out, value: false)
      out += ">"
    case UInt8(ascii: "N"):
      let namespace = try next()
      try path(&out, value: value)
      let (dis, name) = try identifier()
      if namespace >= UInt8(ascii: "A"), namespace <= UInt8(ascii: "Z") {
        let kind =
          namespace == UInt8(ascii: "C")
          ? "closure" : namespace == UInt8(ascii: "S") ? "shim" : String(UnicodeScalar(namespace))
        out += "::{" + kind + (name.isEmpty ? "" : ":" + name) + "#\(dis)}"
      } else if !name.isEmpty {
        out += "::" + name
      }
    case UInt8(ascii: "I"):
      try path(&out, value: value)
      out += value ? "::<" : "<"
      var first = true
      while !eat("E") {
        if !first { out += ", " }
        first = false
        try genericArg(&out)
      }
      out += ">"
    case UInt8(ascii: "B"):
      try backref { try $0.path(&out, value: value) }
    default:
      throw Unsupported()
    }
  }

  /// `[disambiguator] path`, parsed only to move past it.
  private mutating func implPath() throws {
    if eat("s") { _ = try base62() }
    var ignored = ""
    try path(&ignored, value: false)
  }

  private mutating func genericArg(_ out: inout String) throws {
    if eat("L") {
      out += lifetime(try base62())
    } else if eat("K") {
      try const(&out)
    } else {
      try type(&out)
    }
  }

  /// Lifetime `index` counts back from the innermost binder; 0 is erased.
  private func lifetime(_ index: UInt64) -> String {
    guard index != 0 else { return "'_" }
    guard index <= boundLifetimes else { return "'?" }
    let depth = boundLifetimes - index
    return depth < 26 ? "'" + String(UnicodeScalar(UInt8(97 + depth))) : "'_\(depth)"
  }

  /// `["G" base-62]`: prints `for<'a, ...> ` and binds the lifetimes
  /// while `body` runs.
  private mutating func binder(
    _ out: inout String, _ body: (inout RustV0Demangler, inout String) throws -> Void
  ) throws {
    let count = eat("G") ? try base62() + 1 : 0
    if count > 0 {
      let names = (1...count).map { boundLifetimes + $0 }
      boundLifetimes += count
      out += "for<" + names.reversed().map { lifetime($0) }.joined(separator: ", ") + "> "
    }
    defer { boundLifetimes -= count }
    try body(&self, &out)
  }

  private static let basicTypes: [UInt8: String] = [
    UInt8(ascii: "a"): "i8", UInt8(ascii: "b"): "bool", UInt8(ascii: "c"): "char",
    UInt8(ascii: "d"): "f64", UInt8(ascii: "e"): "str", UInt8(ascii: "f"): "f32",
    UInt8(ascii: "h"): "u8", UInt8(ascii: "i"): "isize", UInt8(ascii: "j"): "usize",
    UInt8(ascii: "l"): "i32", UInt8(ascii: "m"): "u32", UInt8(ascii: "n"): "i128",
    UInt8(ascii: "o"): "u128", UInt8(ascii: "s"): "i16", UInt8(ascii: "t"): "u16",
    UInt8(ascii: "u"): "()", UInt8(ascii: "v"): "...", UInt8(ascii: "x"): "i64",
    UInt8(ascii: "y"): "u64", UInt8(ascii: "z"): "!", UInt8(ascii: "p"): "_",
  ]

  private mutating func type(_ out: inout String) throws {
    try enter()
    defer { depth -= 1 }
    guard let c = peek() else { throw Unsupported() }
    if let basic = Self.basicTypes[c] {
      pos += 1
      out += basic
      return
    }
    switch c {
    case UInt8(ascii: "A"), UInt8(ascii: "S"):
      pos += 1
      out += "["
      try type(&out)
      if c == UInt8(ascii: "A") {
        out += "; "
        try const(&out)
      }
      out += "]"
    case UInt8(ascii: "T"):
      pos += 1
      out += "("
      var count = 0
      while !eat("E") {
        if count > 0 { out += ", " }
        try type(&out)
        count += 1
      }
      out += count == 1 ? ",)" : ")"
    case UInt8(ascii: "R"), UInt8(ascii: "Q"):
      pos += 1
      out += "&"
      if eat("L") {
        let index = try base62()
        if index != 0 { out += lifetime(index) + " " }
      }
      if c == UInt8(ascii: "Q") { out += "mut " }
      try type(&out)
    case UInt8(ascii: "P"), UInt8(ascii: "O"):
      pos += 1
      out += c == UInt8(ascii: "P") ? "*const " : "*mut "
      try type(&out)
    case UInt8(ascii: "F"):
      pos += 1
      try fnSig(&out)
    case UInt8(ascii: "D"):
      pos += 1
      try dynBounds(&out)
    case UInt8(ascii: "B"):
      pos += 1
      try backref { try $0.type(&out) }
    default:
      try path(&out, value: false)
    }
  }

  private mutating func fnSig(_ out: inout String) throws {
    try binder(&out) { try $0.fnSigBody(&$1) }
  }

  private mutating func fnSigBody(_ out: inout String) throws {
    if eat("U") { out += "unsafe " }
    if eat("K") {
      let abi = eat("C") ? "C" : try undisambiguatedIdentifier().replacing("_", with: "-")
      out += "extern \"\(abi)\" "
    }
    out += "fn("
    var first = true
    while !eat("E") {
      if !first { out += ", " }
      first = false
      try type(&out)
    }
    out += ")"
    if eat("u") { return }
    out += " -> "
    try type(&out)
  }

  private mutating func dynBounds(_ out: inout String) throws {
    out += "dyn "
    try binder(&out) { try $0.dynTraits(&$1) }
    guard eat("L") else { throw Unsupported() }
    let index = try base62()
    if index != 0 { out += " + " + lifetime(index) }
  }

  private mutating func dynTraits(_ out: inout String) throws {
    var first = true
    while !eat("E") {
      if !first { out += " + " }
      first = false
      var trait = ""
      try path(&trait, value: false)
      var bindings: [String] = []
      while eat("p") {
        var binding = try undisambiguatedIdentifier() + " = "
        try type(&binding)
        bindings.append(binding)
      }
      if !bindings.isEmpty {
        if trait.hasSuffix(">") {
          trait.removeLast()
          trait += ", " + bindings.joined(separator: ", ") + ">"
        } else {
          trait += "<" + bindings.joined(separator: ", ") + ">"
        }
      }
      out += trait
    }
  }

  private mutating func const(_ out: inout String) throws {
    try enter()
    defer { depth -= 1 }
    if eat("p") {
      out += "_"
      return
    }
    if eat("B") {
      try backref { try $0.const(&out) }
      return
    }
    let kind = try next()
    let negative = eat("n")
    var digits = ""
    while true {
      let c = try next()
      if c == UInt8(ascii: "_") { break }
      guard let scalar = Unicode.Scalar(UInt32(c)) as Unicode.Scalar?,
        Character(scalar).isHexDigit
      else { throw Unsupported() }
      digits.unicodeScalars.append(scalar)
    }
    let value = digits.isEmpty ? 0 : UInt64(digits, radix: 16)
    switch kind {
    case UInt8(ascii: "b"):
      guard let value, value <= 1 else { throw Unsupported() }
      out += value == 1 ? "true" : "false"
    case UInt8(ascii: "c"):
      guard let value, let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: value)) else {
        throw Unsupported()
      }
      out += "'" + String(scalar).debugDescription.dropFirst().dropLast() + "'"
    case UInt8(ascii: "a"), UInt8(ascii: "h"), UInt8(ascii: "i"), UInt8(ascii: "j"),
      UInt8(ascii: "l"), UInt8(ascii: "m"), UInt8(ascii: "n"), UInt8(ascii: "o"),
      UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "x"), UInt8(ascii: "y"):
      if negative { out += "-" }
      out += value.map { String($0) } ?? "0x" + digits
    default:
      // Structured constants (arrays, tuples, ADTs, &str) are not decoded.
      throw Unsupported()
    }
  }
}
