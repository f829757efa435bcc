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
    var result: [MemoryMapping] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      if let mapping = parseLine(line) { result.append(mapping) }
    }
    return result.sorted { $0.start < $1.start }
  }

  static func parseLine(_ line: Substring) -> MemoryMapping? {
    var rest = line[...]
    func field() -> Substring? {
      rest = rest.drop(while: { $0 == " " })
      guard let end = rest.firstIndex(of: " ") else {
        defer { rest = rest[rest.endIndex...] }
        return rest.isEmpty ? nil : rest
      }
      defer { rest = rest[end...] }
      return rest[..<end]
    }
    guard let range = field(), let perms = field(), let offset = field(),
      let device = field(), let inode = field()
    else { return nil }
    let bounds = range.split(separator: "-")
    guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16),
      let end = UInt64(bounds[1], radix: 16), let off = UInt64(offset, radix: 16),
      let ino = UInt64(inode)
    else { return nil }
    var path = String(rest.drop(while: { $0 == " " }))
    var deleted = false
    if path.hasSuffix(" (deleted)") {
      path.removeLast(" (deleted)".count)
      deleted = true
    }
    return MemoryMapping(
      start: start, end: end, perms: String(perms), offset: off, device: String(device),
      inode: ino, path: path, deleted: deleted)
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
