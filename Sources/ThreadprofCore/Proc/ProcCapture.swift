// Copies the /proc files threadprof reads for one process into a directory
// laid out like /proc, so ProcReader(root: dir) reads it later or elsewhere.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What a capture wrote.
public struct CaptureSummary: Sendable, Hashable {
  public var pid: Int32
  public var directory: String
  /// Threads whose files were written.
  public var threads: Int
  /// Files written (symlinks included).
  public var files: Int
  /// Threads that vanished while being copied.
  public var skipped: Skipped
  /// The ABI recorded in `<dir>/<pid>/abi`.
  public var abi: TargetABI
}

/// Captures a process's proc files for offline reading and for fixtures.
///
/// Written: `uptime`, `sys/kernel/{hostname,osrelease}`,
/// `<pid>/{stat,status,comm,cmdline,maps,wchan,syscall,stack}`, `<pid>/exe`
/// as a symlink holding the link text (it may dangle), `<pid>/abi` (the
/// ABI name, since the link cannot be read back as ELF elsewhere) and
/// `<pid>/task/<tid>/{stat,status,comm,wchan,syscall,stack}`. `environ`
/// is never read. Files the caller may not read are left out.
public enum ProcCapture {
  static let processFiles = ["stat", "status", "comm", "cmdline", "maps", "wchan", "syscall",
    "stack"]
  static let threadFiles = ["stat", "status", "comm", "wchan", "syscall", "stack"]

  /// Copies process `pid` (a tid is resolved to its process) from `root`
  /// into `dir`, which must be missing or empty.
  public static func capture(
    pid: Int32, from root: String = "/proc", into dir: String
  ) throws -> CaptureSummary {
    let reader = ProcReader(root: root)
    let pid = try reader.resolve(pid).pid
    let inner = ["\(pid)", "\(pid)/task", "sys", "sys/kernel"]
    for inner in inner where isSymlink(root + "/" + inner) {
      throw ThreadprofError.badData(
        path: root + "/" + inner, reason: "a symbolic link where a directory belongs",
        remedy: "capture from /proc or from a tree written by 'threadprof capture'")
    }
    try prepare(dir)
    let buf = FileBuffer()
    var summary = CaptureSummary(
      pid: pid, directory: dir, threads: 0, files: 0, skipped: Skipped(), abi: .unknown)

    try makeDirectory(dir + "/sys")
    try makeDirectory(dir + "/sys/kernel")
    for file in ["uptime", "sys/kernel/hostname", "sys/kernel/osrelease"]
    where buf.load(path: root + "/" + file, noFollow: true) == 0 {
      try write(buf, to: dir + "/" + file)
      summary.files += 1
    }

    let source = "\(root)/\(pid)"
    let target = "\(dir)/\(pid)"
    try makeDirectory(target)
    for file in processFiles where buf.load(path: source + "/" + file, noFollow: true) == 0 {
      try write(buf, to: target + "/" + file)
      summary.files += 1
    }
    if let link = reader.exeLink(pid) {
      if symlink(link, target + "/exe") != 0 {
        throw ThreadprofError.system(what: "creating \(target)/exe", errno: errno)
      }
      summary.files += 1
    }
    summary.abi = reader.abi(pid)
    buf.load(bytes: Array(summary.abi.rawValue.utf8) + [10])
    try write(buf, to: target + "/abi")
    summary.files += 1

    try makeDirectory(target + "/task")
    let taskfd = open(source + "/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard taskfd >= 0 else {
      throw ThreadprofError.system(what: "opening \(source)/task", errno: errno)
    }
    defer { close(taskfd) }
    for tid in ProcReader.listTids(taskfd) {
      // A symlinked thread directory would lead out of the tree: skip it.
      if isSymlink("\(source)/task/\(tid)") {
        summary.skipped.unreadable += 1
        continue
      }
      // Read all of a thread's files first, so a thread that vanishes
      // midway leaves no half-written directory.
      var contents: [(String, [UInt8])] = []
      var gone = false
      for file in threadFiles {
        let code = "\(tid)/\(file)".withCString { buf.load(at: taskfd, $0, noFollow: true) }
        if code == 0 {
          contents.append((file, buf.array))
        } else if ProcBytes.isGone(code) {
          gone = true
          break
        }
      }
      if gone {
        summary.skipped.exited += 1
        continue
      }
      if contents.first?.0 != "stat" {
        summary.skipped.unreadable += 1
        continue
      }
      let threadDir = "\(target)/task/\(tid)"
      try makeDirectory(threadDir)
      for (file, bytes) in contents {
        buf.load(bytes: bytes)
        try write(buf, to: threadDir + "/" + file)
        summary.files += 1
      }
      summary.threads += 1
    }
    return summary
  }

  /// Creates `dir` (and missing parents) or accepts an existing empty one.
  static func prepare(_ dir: String) throws {
    if let d = opendir(dir) {
      defer { closedir(d) }
      while let entry = readdir(d) {
        let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
          String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." {
          throw ThreadprofError.usage(
            "capture directory \(dir) is not empty; name a new or empty directory")
        }
      }
      return
    }
    if errno == ENOTDIR {
      throw ThreadprofError.usage("capture directory \(dir) is a file; name a new directory")
    }
    var partial = dir.hasPrefix("/") ? "" : "."
    for part in dir.split(separator: "/") {
      partial += "/" + part
      try makeDirectory(partial)
    }
  }

  /// True when `path` itself is a symbolic link (`lstat(2)`).
  static func isSymlink(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
  }

  private static func makeDirectory(_ path: String) throws {
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
      throw ThreadprofError.system(what: "creating \(path)", errno: errno)
    }
  }

  /// Writes the buffer to a new file (mode 0644); refuses to replace an
  /// existing file or write through a symlink.
  private static func write(_ buf: FileBuffer, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ThreadprofError.system(what: "creating \(path)", errno: errno) }
    defer { close(fd) }
    fchmod(fd, 0o644)
    var done = 0
    let bytes = buf.bytes
    while done < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
      if n < 0 {
        if errno == EINTR { continue }
        throw ThreadprofError.system(what: "writing \(path)", errno: errno)
      }
      done += n
    }
  }
}
