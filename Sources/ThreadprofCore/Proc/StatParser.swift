// Parser for /proc/<pid>/task/<tid>/stat, safe for any thread name.

/// The fields threadprof uses from one `stat` line.
public struct StatFields: Sendable, Hashable {
  public var pid: Int32
  /// `comm` exactly as stored: any bytes, including spaces, `)`, newlines.
  public var nameBytes: [UInt8]
  /// The state letter (`R S D Z T t X x K W P I`).
  public var state: UInt8
  public var ppid: Int32
  /// Kernel `PF_*` task flags (field 9).
  public var flags: UInt64
  public var utimeTicks: UInt64
  public var stimeTicks: UInt64
  public var priority: Int32
  public var nice: Int32
  public var startTicks: UInt64
  /// True for kernel threads (`PF_KTHREAD`), which have no user side.
  public var isKernelThread: Bool { flags & 0x0020_0000 != 0 }
  /// CPU the thread last ran on (field 39); 0 when the line is shorter.
  public var processor: Int32
}

/// Parses `/proc/<pid>/stat` and `/proc/<pid>/task/<tid>/stat` lines.
///
/// Format (proc(5)): `pid (comm) state ppid pgrp ...`. `comm` may hold any
/// byte but NUL, including `(`, `)`, `) `, digits and newlines, so the name
/// is everything between the first `(` and the LAST `)`; the numbered
/// fields follow the last `)`. Works on bytes, never on decoded text.
public enum StatParser {
  /// Parses `bytes`; `nil` when there is no `(`...`)` or no state letter.
  public static func parse(_ bytes: [UInt8]) -> StatFields? {
    bytes.withUnsafeBytes { parse($0) }
  }

  /// Parses raw bytes in place (the reader's hot path).
  static func parse(_ b: UnsafeRawBufferPointer) -> StatFields? {
    let open = UInt8(ascii: "("), close = UInt8(ascii: ")"), space = UInt8(ascii: " ")
    var first = -1
    var i = 0
    while i < b.count {
      if b[i] == open {
        first = i
        break
      }
      i += 1
    }
    guard first >= 0 else { return nil }
    var last = b.count - 1
    while last > first && b[last] != close { last -= 1 }
    guard last > first, last + 2 < b.count, b[last + 1] == space else { return nil }

    var p = 0
    while p < first && b[p] == space { p += 1 }
    let pid = Int32(truncatingIfNeeded: ProcBytes.signed(b, &p))
    let name = [UInt8](UnsafeRawBufferPointer(rebasing: b[(first + 1)..<last]))
    var fields = StatFields(
      pid: pid, nameBytes: name, state: b[last + 2], ppid: 0, flags: 0, utimeTicks: 0,
      stimeTicks: 0, priority: 0, nice: 0, startTicks: 0, processor: 0)

    // Field numbers as in proc(5): 3 is the state, so field 4 starts here.
    i = last + 3
    var field = 4
    while i < b.count && field <= 39 {
      guard b[i] == space else { break }
      i += 1
      switch field {
      case 4: fields.ppid = Int32(truncatingIfNeeded: ProcBytes.signed(b, &i))
      case 9: fields.flags = ProcBytes.unsigned(b, &i)
      case 14: fields.utimeTicks = ProcBytes.unsigned(b, &i)
      case 15: fields.stimeTicks = ProcBytes.unsigned(b, &i)
      case 18: fields.priority = Int32(truncatingIfNeeded: ProcBytes.signed(b, &i))
      case 19: fields.nice = Int32(truncatingIfNeeded: ProcBytes.signed(b, &i))
      case 22: fields.startTicks = ProcBytes.unsigned(b, &i)
      case 39: fields.processor = Int32(truncatingIfNeeded: ProcBytes.signed(b, &i))
      default:
        while i < b.count && b[i] != space && b[i] != UInt8(ascii: "\n") { i += 1 }
      }
      field += 1
    }
    return fields
  }
}
