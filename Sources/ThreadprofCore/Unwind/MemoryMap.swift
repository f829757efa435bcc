// The mappings of a process, parsed from /proc/<pid>/maps.

/// One line of `/proc/<pid>/maps`:
/// `start-end perms offset major:minor inode [path]`, e.g.
/// `7f2a1c000000-7f2a1c028000 r--p 00000000 08:01 1835 /usr/lib/libc.so.6`.
/// The path may contain spaces and may end in ` (deleted)`.
struct MemoryMapping: Sendable, Hashable {
  var start: UInt64
  var end: UInt64
  var perms: String
  var offset: UInt64
  var device: String
  var inode: UInt64
  /// The path without ` (deleted)`; empty for anonymous memory.
  var path: String
  var deleted: Bool

  var isExecutable: Bool { perms.dropFirst(2).first == "x" }
  /// Backed by a file (a path starting with `/`).
  var isFile: Bool { path.hasPrefix("/") && inode != 0 }

  func contains(_ address: UInt64) -> Bool { address >= start && address < end }
}

enum MemoryMap {
  /// Parses the text of `/proc/<pid>/maps`, skipping lines it cannot read.
  static func parse(_ text: String) -> [MemoryMapping] {
    parse(bytes: Array(text.utf8))
  }

  /// Parses the bytes of `/proc/<pid>/maps` (a process with thousands of
  /// threads has thousands of lines, so this works on bytes).
  static func parse(bytes: [UInt8]) -> [MemoryMapping] {
    var result: [MemoryMapping] = []
    var lineStart = 0
    while lineStart < bytes.count {
      let lineEnd = bytes[lineStart...].firstIndex(of: 10) ?? bytes.count
      if let mapping = parseLine(bytes[lineStart..<lineEnd]) { result.append(mapping) }
      lineStart = lineEnd + 1
    }
    return result.sorted { $0.start < $1.start }
  }

  static func parseLine(_ line: Substring) -> MemoryMapping? {
    parseLine(ArraySlice(line.utf8))
  }

  static func parseLine(_ line: ArraySlice<UInt8>) -> MemoryMapping? {
    var i = line.startIndex
    func skipSpaces() { while i < line.endIndex && line[i] == 32 { i += 1 } }
    func field() -> ArraySlice<UInt8>? {
      skipSpaces()
      let start = i
      while i < line.endIndex && line[i] != 32 { i += 1 }
      return i > start ? line[start..<i] : nil
    }
    func number(_ digits: ArraySlice<UInt8>, radix: UInt64) -> UInt64? {
      var value: UInt64 = 0
      for c in digits {
        let digit: UInt64
        switch c {
        case 48...57: digit = UInt64(c - 48)
        case 97...102 where radix == 16: digit = UInt64(c - 87)
        case 65...70 where radix == 16: digit = UInt64(c - 55)
        default: return nil
        }
        let (m, o) = value.multipliedReportingOverflow(by: radix)
        let (sum, o2) = m.addingReportingOverflow(digit)
        guard !o, !o2 else { return nil }
        value = sum
      }
      return digits.isEmpty ? nil : value
    }
    guard let range = field(), let perms = field(), let offset = field(),
      let device = field(), let inode = field(),
      let dash = range.firstIndex(of: 45),
      let start = number(range[range.startIndex..<dash], radix: 16),
      let end = number(range[(dash + 1)...], radix: 16), start <= end,
      let off = number(offset, radix: 16), let ino = number(inode, radix: 10)
    else { return nil }
    skipSpaces()
    var path = String(decoding: line[i...], as: UTF8.self)
    var deleted = false
    if path.hasSuffix(" (deleted)") {
      path.removeLast(" (deleted)".count)
      deleted = true
    }
    return MemoryMapping(
      start: start, end: end, perms: String(decoding: perms, as: UTF8.self), offset: off,
      device: String(decoding: device, as: UTF8.self), inode: ino, path: path,
      deleted: deleted)
  }

  /// The mapping containing `address` in `mappings` sorted by start.
  static func find(_ address: UInt64, in mappings: [MemoryMapping]) -> MemoryMapping? {
    var low = 0
    var high = mappings.count
    while low < high {
      let mid = (low + high) / 2
      if mappings[mid].end <= address { low = mid + 1 } else { high = mid }
    }
    guard low < mappings.count, mappings[low].contains(address) else { return nil }
    return mappings[low]
  }
}
