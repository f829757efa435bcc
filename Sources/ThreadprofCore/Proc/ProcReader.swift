// Reads a process and its threads from a proc root: the live /proc or a
// tree written by ProcCapture. Never ptraces, unwinds or formats.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads processes and threads from `/proc` (or a captured copy of it).
///
/// A scan opens `<root>/<pid>/task` once and reads each thread's `stat`,
/// `status`, `wchan`, `syscall` and `stack` with plain `openat(2)` and
/// `read(2)` into one reused buffer. Threads that vanish mid-scan are
/// counted, never fatal.
public struct ProcReader: Sendable {
  public let root: String

  public init(root: String = "/proc") {
    self.root = root
  }

  /// Clock ticks per second (`sysconf(_SC_CLK_TCK)`), the unit of `stat`.
  static let clockTicks: Double = {
    let t = sysconf(Int32(_SC_CLK_TCK))
    return t > 0 ? Double(t) : 100
  }()

  /// Resolves a pid or a thread id to its process, through `Tgid` in
  /// `<root>/<id>/status` (`/proc/<tid>` exists for every tid, listed or not).
  public func resolve(_ id: Int32) throws -> (pid: Int32, wasThread: Bool) {
    let status = try processStatus(id)
    let tgid = status.tgid ?? id
    return (tgid, tgid != id)
  }

  /// The process's name (`comm`), executable (`readlink exe`, keeping a
  /// ` (deleted)` suffix; `nil` for kernel threads or without permission),
  /// `cmdline` split on NUL and `NSpid` from `status`.
  public func process(_ pid: Int32) throws -> TargetProcess {
    let status = try processStatus(pid)
    let buf = FileBuffer(capacity: 4096)
    let dir = "\(root)/\(pid)"
    var name = ""
    if buf.load(path: dir + "/comm") == 0 {
      name = String(decoding: ProcBytes.trimNewline(buf.bytes), as: UTF8.self)
    } else if buf.load(path: dir + "/stat") == 0, let st = StatParser.parse(buf.bytes) {
      name = String(decoding: st.nameBytes, as: UTF8.self)
    }
    var cmdline: [String] = []
    if buf.load(path: dir + "/cmdline") == 0 {
      cmdline = buf.array.split(separator: 0, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
      if cmdline.last == "" { cmdline.removeLast() }
    }
    return TargetProcess(
      pid: pid, nsPids: status.nsPids, name: name, exe: exeLink(pid),
      cmdline: cmdline)
  }

  /// Reads every thread of `pid`. Throws only when the process is missing
  /// (or hidden) before the scan starts; a process that exits during the
  /// scan gives what was read and `targetExited`.
  ///
  /// Without `contextSwitches` a thread's `status` is read only when the
  /// process lives in a nested pid namespace (for its inner tid) or its
  /// `status` shows no `NSpid`: otherwise `tgid` is `pid` and `nsTids` is
  /// `[tid]`, as `status` would say, and the context-switch counts stay `nil`.
  public func scan(
    pid: Int32, kernelStacks: Bool = true, contextSwitches: Bool = true
  ) throws -> ProcScan {
    let process = try self.process(pid)
    let abi = self.abi(pid)
    let uptime = self.uptime()
    let taskfd = open("\(root)/\(pid)/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if taskfd < 0 {
      let code = errno
      if ProcBytes.isGone(code) {
        return ProcScan(process: process, threads: [], targetExited: true, abi: abi)
      }
      throw ThreadprofError.permissionDenied(
        what: "reading \(root)/\(pid)/task", remedy: "run as root or as the target's user")
    }
    defer { close(taskfd) }
    var pass = ThreadPass(
      taskfd: taskfd, abi: abi, uptime: uptime, kernelStacks: kernelStacks,
      procfs: isLive)
    if !contextSwitches && process.nsPids.count == 1 { pass.statusFor = pid }
    let tids = Self.listTids(taskfd)
    pass.threads.reserveCapacity(tids.count)
    for tid in tids { pass.read(tid) }

    var exited = false
    if pass.skipped.exited > 0 || tids.isEmpty {
      exited = access("\(root)/\(pid)/stat", F_OK) != 0
    }
    var warnings = pass.warnings()
    if kernelStacks && pass.stackDenied > 0 && geteuid() == 0 && isLive {
      warnings.append(
        "kernel stacks unreadable for \(pass.stackDenied) threads although running as root; "
          + "the kernel may restrict /proc/<tid>/stack (lockdown)")
    } else if kernelStacks && pass.stackDenied > 0 && isLive {
      // /proc/<tid>/stack needs CAP_SYS_ADMIN even for one's own threads.
      warnings.append("kernel stacks hidden for \(pass.stackDenied) threads (needs root)")
    }
    return ProcScan(
      process: process, threads: pass.threads, skipped: pass.skipped, warnings: warnings,
      targetExited: exited, abi: abi)
  }

  /// The target's ABI: a captured tree's `abi` file, else the ELF header of
  /// `<root>/<pid>/exe`, else the word size of `auxv`, else `.unknown`.
  public func abi(_ pid: Int32) -> TargetABI {
    let dir = "\(root)/\(pid)"
    let buf = FileBuffer(capacity: 256)
    if buf.load(path: dir + "/abi", noFollow: true) == 0 {
      let text = String(decoding: ProcBytes.trimNewline(buf.bytes), as: UTF8.self)
      if let abi = TargetABI(rawValue: text) { return abi }
    }
    let own = Self.elfABI(dir + "/exe")
    if own != .unknown { return own }
    for candidate in threadDirs(pid) {
      let abi = Self.elfABI(candidate + "/exe")
      if abi != .unknown { return abi }
    }
    if buf.load(path: dir + "/auxv") == 0 { return TargetABI.fromAuxv(buf.array) }
    return .unknown
  }

  /// The ABI in the ELF header of `path`, `.unknown` when unreadable.
  static func elfABI(_ path: String) -> TargetABI {
    // O_NONBLOCK: in a captured tree `exe` may name a FIFO; never hang on it.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { return .unknown }
    var header = [UInt8](repeating: 0, count: 64)
    let n = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, 64) }
    close(fd)
    return n >= 20 ? TargetABI.fromELFHeader(Array(header[0..<n])) : .unknown
  }

  /// `<root>/<pid>/task/<tid>` for the first few threads: a zombie group
  /// leader has no `exe` or `auxv` of its own, its live threads do.
  func threadDirs(_ pid: Int32, limit: Int = 4) -> [String] {
    let fd = open("\(root)/\(pid)/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    return Self.listTids(fd).filter { $0 != pid }.prefix(limit).map {
      "\(root)/\(pid)/task/\($0)"
    }
  }

  /// The text of `<pid>/exe`, or of a live thread's `exe` when the group
  /// leader is a zombie.
  func exeLink(_ pid: Int32) -> String? {
    if let link = Self.readLink("\(root)/\(pid)/exe") { return link }
    for candidate in threadDirs(pid) {
      if let link = Self.readLink(candidate + "/exe") { return link }
    }
    return nil
  }

  /// True when `root` is a live procfs (it has `self`), not a captured tree.
  var isLive: Bool { access(root + "/self", F_OK) == 0 }

  /// Seconds since boot, the first field of `<root>/uptime`.
  func uptime() -> Double {
    let buf = FileBuffer(capacity: 128)
    guard buf.load(path: root + "/uptime") == 0 else { return 0 }
    let b = buf.bytes
    var i = 0
    let whole = Double(ProcBytes.unsigned(b, &i))
    guard i < b.count, b[i] == UInt8(ascii: ".") else { return whole }
    i += 1
    let start = i
    let frac = Double(ProcBytes.unsigned(b, &i))
    var scale = 1.0
    for _ in start..<i { scale *= 10 }
    return whole + frac / scale
  }

  private func processStatus(_ id: Int32) throws -> StatusFields {
    let buf = FileBuffer(capacity: 2048)
    let code = buf.load(path: "\(root)/\(id)/status")
    if code == 0 { return StatusParser.parse(buf.bytes) }
    if code == EACCES {
      throw ThreadprofError.permissionDenied(
        what: "reading \(root)/\(id)/status", remedy: "run as root or as the target's user")
    }
    throw ThreadprofError.noSuchProcess(pid: id, hint: HidePid.hint(root: root))
  }

  /// Numeric entries of the open `task` directory (`readdir(3)`), sorted.
  static func listTids(_ taskfd: Int32) -> [Int32] {
    let dupfd = dup(taskfd)
    guard dupfd >= 0, let dir = fdopendir(dupfd) else {
      if dupfd >= 0 { close(dupfd) }
      return []
    }
    defer { closedir(dir) }
    var tids: [Int32] = []
    while let entry = readdir(dir) {
      let tid = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> Int32 in
        var v: Int32 = 0
        for c in raw {
          if c == 0 { break }
          let d = c &- UInt8(ascii: "0")
          if d > 9 { return -1 }
          v = v &* 10 &+ Int32(d)
        }
        return v
      }
      if tid > 0 { tids.append(tid) }
    }
    tids.sort()
    return tids
  }

  /// The text of a symlink (`readlink(2)`), never followed; `nil` if none.
  static func readLink(_ path: String) -> String? {
    var buf = [CChar](repeating: 0, count: 4097)
    let n = readlink(path, &buf, 4096)
    guard n > 0 else { return nil }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
