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

  static func text(_ path: String, limit: Int = 1 << 20) -> String? {
    bytes(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The value of a `Name:\tvalue` line of a `status` file, trimmed.
  static func field(_ status: String, _ name: String) -> String? {
    field(Array(status.utf8), name)
  }

  /// The same, on raw bytes: a byte scan, cheap enough to run over every
  /// thread of a large process.
  static func field(_ bytes: [UInt8], _ name: String) -> String? {
    let key = Array((name + ":").utf8)
    var start = 0
    while start + key.count <= bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
      if end - start >= key.count && bytes[start..<start + key.count].elementsEqual(key) {
        var lo = start + key.count
        var hi = end
        while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
        while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
      }
      start = end + 1
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
