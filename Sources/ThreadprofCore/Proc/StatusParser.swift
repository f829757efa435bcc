// Parser for the few lines of /proc/<pid>/task/<tid>/status the reader uses.

/// The fields threadprof takes from `status`.
public struct StatusFields: Sendable, Hashable {
  public var tgid: Int32?
  /// `NSpid`: the id in each nested pid namespace, outermost first.
  public var nsPids: [Int32] = []
  /// Real uid (first `Uid:` value).
  public var uid: UInt32?
  public var voluntarySwitches: UInt64?
  public var involuntarySwitches: UInt64?
}

/// Parses `/proc/<pid>/status` (`Key:\tvalue` lines, see proc(5)). Lines it
/// does not need are skipped; `Name:` is never used (the kernel escapes it
/// there, `stat` has the raw bytes).
public enum StatusParser {
  public static func parse(_ bytes: [UInt8]) -> StatusFields {
    bytes.withUnsafeBytes { parse($0) }
  }

  static func parse(_ b: UnsafeRawBufferPointer) -> StatusFields {
    var out = StatusFields()
    var i = 0
    while i < b.count {
      let start = i
      switch b[i] {
      case UInt8(ascii: "T"):
        if has(b, start, "Tgid:") { out.tgid = Int32(truncatingIfNeeded: value(b, start + 5)) }
      case UInt8(ascii: "N"):
        if has(b, start, "NSpid:") { out.nsPids = list(b, start + 6) }
      case UInt8(ascii: "U"):
        if has(b, start, "Uid:") { out.uid = UInt32(truncatingIfNeeded: value(b, start + 4)) }
      case UInt8(ascii: "v"):
        if has(b, start, "voluntary_ctxt_switches:") {
          out.voluntarySwitches = value(b, start + 24)
        }
      case UInt8(ascii: "n"):
        if has(b, start, "nonvoluntary_ctxt_switches:") {
          out.involuntarySwitches = value(b, start + 27)
        }
      default: break
      }
      i = ProcBytes.nextLine(b, from: i)
    }
    return out
  }

  @inline(__always)
  private static func has(_ b: UnsafeRawBufferPointer, _ at: Int, _ key: StaticString) -> Bool {
    let n = key.utf8CodeUnitCount
    guard at + n <= b.count else { return false }
    let k = key.utf8Start
    var j = 0
    while j < n {
      if b[at + j] != k[j] { return false }
      j += 1
    }
    return true
  }

  private static func value(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
    var i = at
    while i < b.count && (b[i] == UInt8(ascii: "\t") || b[i] == UInt8(ascii: " ")) { i += 1 }
    return ProcBytes.unsigned(b, &i)
  }

  private static func list(_ b: UnsafeRawBufferPointer, _ at: Int) -> [Int32] {
    var out: [Int32] = []
    var i = at
    while i < b.count && b[i] != UInt8(ascii: "\n") {
      if b[i] == UInt8(ascii: "\t") || b[i] == UInt8(ascii: " ") {
        i += 1
        continue
      }
      let before = i
      out.append(Int32(truncatingIfNeeded: ProcBytes.unsigned(b, &i)))
      if i == before { break }
    }
    return out
  }
}
