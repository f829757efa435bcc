// One reusable read buffer and the raw open/read/close calls the /proc
// reader runs per thread, so a 10,000-thread scan allocates no buffers.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A growable byte buffer filled by whole-file reads (`openat(2)`,
/// `read(2)`, `close(2)`), plus a scratch buffer for relative paths.
final class FileBuffer {
  private(set) var base: UnsafeMutableRawPointer
  private(set) var capacity: Int
  /// Bytes of the last successful `load`.
  fileprivate(set) var count = 0
  /// Scratch space for a NUL-terminated relative path such as `123/stat`.
  let path: UnsafeMutablePointer<CChar>
  static let pathCapacity = 64

  init(capacity: Int = 8192) {
    self.capacity = capacity
    base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    path = UnsafeMutablePointer<CChar>.allocate(capacity: FileBuffer.pathCapacity)
  }

  deinit {
    base.deallocate()
    path.deallocate()
  }

  /// The bytes of the last successful `load`.
  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// A copy of the loaded bytes.
  var array: [UInt8] { Array(bytes) }

  /// Files larger than this are refused with `EFBIG`: no /proc file comes
  /// near it, but a captured tree may hold anything (a huge file, a link
  /// to `/dev/zero`).
  static let maxFileBytes = 16 << 20

  /// Reads the whole file `name` relative to `dirfd` (or absolute) into the
  /// buffer, growing it when the file is larger. Returns 0 or the errno of
  /// the failing `openat`/`read` (`EFBIG` past `maxFileBytes`). `O_NOFOLLOW`
  /// refuses a symlink as the last path component when `noFollow` is set.
  /// `O_NONBLOCK` keeps a FIFO or terminal in a captured tree from hanging
  /// the scan (it reads as empty or fails with `EAGAIN`); /proc ignores it.
  /// `shortReadEnds` stops after a read that did not fill the buffer,
  /// saving the `read` that would return 0: only for procfs files, whose
  /// first read returns the whole text when it fits (seq_file).
  func load(
    at dirfd: Int32, _ name: UnsafePointer<CChar>, noFollow: Bool = false,
    shortReadEnds: Bool = false
  ) -> Int32 {
    count = 0
    var flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
    if noFollow { flags |= O_NOFOLLOW }
    let fd = openat(dirfd, name, flags)
    if fd < 0 { return errno }
    defer { close(fd) }
    while true {
      if count == capacity {
        if capacity >= FileBuffer.maxFileBytes {
          count = 0
          return EFBIG
        }
        grow()
      }
      let n = read(fd, base + count, capacity - count)
      if n > 0 {
        count += n
        if shortReadEnds && count < capacity { return 0 }
      } else if n == 0 {
        return 0
      } else if errno != EINTR {
        let code = errno
        count = 0
        return code
      }
    }
  }

  /// `load` for a path given as a Swift string.
  func load(at dirfd: Int32 = AT_FDCWD, path name: String, noFollow: Bool = false) -> Int32 {
    name.withCString { load(at: dirfd, $0, noFollow: noFollow) }
  }

  fileprivate func grow() {
    let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 8)
    bigger.copyMemory(from: base, byteCount: count)
    base.deallocate()
    base = bigger
    capacity *= 2
  }

  /// Writes `<tid>/<file>` into `path` (no allocation).
  func setPath(tid: Int32, file: StaticString) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = 0
    var v = UInt32(bitPattern: tid)
    withUnsafeMutableBytes(of: &digits) { d in
      repeat {
        d[n] = UInt8(ascii: "0") + UInt8(v % 10)
        v /= 10
        n += 1
      } while v > 0
      var i = 0
      while i < n {
        path[i] = CChar(bitPattern: d[n - 1 - i])
        i += 1
      }
    }
    path[n] = CChar(bitPattern: UInt8(ascii: "/"))
    var j = n + 1
    file.withUTF8Buffer { f in
      for b in f where j < FileBuffer.pathCapacity - 1 {
        path[j] = CChar(bitPattern: b)
        j += 1
      }
    }
    path[j] = 0
  }
}

/// Small helpers over raw `/proc` bytes.
enum ProcBytes {
  /// True for the errno values that mean "the thread or process is gone".
  static func isGone(_ code: Int32) -> Bool { code == ENOENT || code == ESRCH }

  /// The bytes without one trailing newline.
  static func trimNewline(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    if let last = b.last, last == UInt8(ascii: "\n") {
      return UnsafeRawBufferPointer(rebasing: b[b.startIndex..<b.endIndex - 1])
    }
    return b
  }

  /// The index after the next newline at or after `i` (`memchr(3)`), or
  /// `b.count` when there is none.
  @inline(__always)
  static func nextLine(_ b: UnsafeRawBufferPointer, from i: Int) -> Int {
    guard i < b.count, let base = b.baseAddress else { return b.count }
    guard let hit = memchr(base + i, 0x0a, b.count - i) else { return b.count }
    return base.distance(to: UnsafeRawPointer(hit)) + 1
  }

  /// Parses an unsigned decimal at `i`, advancing past it.
  @inline(__always)
  static func unsigned(_ b: UnsafeRawBufferPointer, _ i: inout Int) -> UInt64 {
    var v: UInt64 = 0
    while i < b.count {
      let c = b[i] &- UInt8(ascii: "0")
      if c > 9 { break }
      v = v &* 10 &+ UInt64(c)
      i += 1
    }
    return v
  }

  /// Parses a signed decimal at `i`, advancing past it.
  @inline(__always)
  static func signed(_ b: UnsafeRawBufferPointer, _ i: inout Int) -> Int64 {
    var negative = false
    if i < b.count && b[i] == UInt8(ascii: "-") {
      negative = true
      i += 1
    }
    let v = Int64(truncatingIfNeeded: unsigned(b, &i))
    // Wrapping: `-9223372036854775808` (and longer digit runs) must not trap.
    return negative ? 0 &- v : v
  }
}

extension FileBuffer {
  /// Replaces the contents with `bytes` (for writing captured copies).
  func load(bytes: [UInt8]) {
    count = 0
    while capacity < bytes.count { grow() }
    bytes.withUnsafeBytes { src in
      if let p = src.baseAddress { base.copyMemory(from: p, byteCount: src.count) }
    }
    count = bytes.count
  }
}
