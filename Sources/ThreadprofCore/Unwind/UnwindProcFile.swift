// Small raw reads of /proc files for the unwinder's checks, without
// Foundation (the full /proc parsers live with the snapshot reader).
#if canImport(Glibc)
  import Glibc
#endif

/// Reads whole small `/proc` files and `Key:\tvalue` fields.
enum UnwindProcFile {
  /// Up to `limit` bytes of `path`; `nil` when it cannot be opened.
  static func bytes(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while out.count < limit {
      let want = min(chunk.count, limit - out.count)
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, want) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      out.append(contentsOf: chunk[0..<n])
    }
    return out
  }

  static func text(_ path: String) -> String? {
    bytes(path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The value of a `Name:\tvalue` line of a `status` file, trimmed.
  static func field(_ status: String, _ name: String) -> String? {
    for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
      return line.dropFirst(name.count + 1).trimmed(" \t")
    }
    return nil
  }

  /// Thread ids listed in `/proc/<pid>/task`, ascending.
  static func tids(pid: Int32) -> [Int32] {
    guard let dir = opendir("/proc/\(pid)/task") else { return [] }
    defer { closedir(dir) }
    var out: [Int32] = []
    while let entry = readdir(dir) {
      // `&`: read d_name in place up to its NUL. Taking it by value copies
      // all 256 bytes, past the end of a short last record (AddressSanitizer
      // caught the heap over-read).
      let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if let tid = Int32(name) { out.append(tid) }
    }
    return out.sorted()
  }
}

extension Substring {
  fileprivate func trimmed(_ set: String) -> String {
    let chars = Set(set)
    var s = self[...]
    while let f = s.first, chars.contains(f) { s = s.dropFirst() }
    while let l = s.last, chars.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
