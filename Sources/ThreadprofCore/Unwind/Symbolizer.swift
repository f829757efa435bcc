// Names raw instruction pointers of one process: module, function, offset,
// file:line and inlined frames, from /proc/<pid>/maps and the ELF files.
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Symbolizes the frames of one target process. It reads
/// `<procRoot>/<pid>/maps`, opens mapped files through
/// `<procRoot>/<pid>/map_files` or `<procRoot>/<pid>/root`, names code with
/// elfutils' libdwfl (`.symtab`, `.dynsym`, `.gnu_debugdata`, and debug
/// files found by build-id or `.gnu_debuglink` under `debugDirectories`,
/// never over the network), names the vdso from `<procRoot>/<pid>/mem` and
/// JIT code from `/tmp/perf-<pid>.map` (or, for a process in a pid
/// namespace, `<procRoot>/<pid>/root/tmp/perf-<namespace pid>.map`).
/// Parsed files are shared by every instance; results are cached per
/// address. Calls may come from several threads; they are serialized.
public final class Symbolizer: FrameSymbolizing, @unchecked Sendable {
  // Every mutable property below is touched only while `lock` is held.
  private let lock = Lock()
  public let pid: Int32
  private let procRoot: String
  private let opener: ModuleOpener
  private var mappings: [MemoryMapping] = []
  private var loaded: [ModuleKey: OpenedModule] = [:]
  private var cache: [FrameKey: [StackFrame]] = [:]
  private let perfMap: PerfMap
  private var warned: Set<String> = []

  /// Problems met so far, one line each, each reported once: files that
  /// could not be opened, rejected debug files, an unreadable vdso.
  public var warnings: [String] { lock.withLock { warningList } }
  private var warningList: [String] = []

  /// Results kept per address before the cache starts over.
  private static let cacheLimit = 200_000

  private struct ModuleKey: Hashable {
    var path: String
    var device: String
    var inode: UInt64
  }

  private struct FrameKey: Hashable {
    var ip: UInt64
    var mode: UInt8
  }

  /// The system's debug directory; callers list it last (the CLI always
  /// does), and it is the one directory not warned about when missing.
  public static let systemDebugDirectory = "/usr/lib/debug"

  /// Reads `<procRoot>/<pid>/maps`. Throws `noSuchProcess` when the
  /// process is gone, `permissionDenied` when its maps are unreadable.
  /// `debugDirectories` are searched in order; each one that does not
  /// exist (`stat`), `systemDebugDirectory` aside, gets one warning.
  public init(
    pid: Int32, procRoot: String = "/proc",
    debugDirectories: [String] = [Symbolizer.systemDebugDirectory]
  ) throws {
    Self.keepDebuginfodAway
    self.pid = pid
    self.procRoot = procRoot
    var dirs: [String] = []
    for dir in debugDirectories where !dirs.contains(dir) {
      dirs.append(dir)
    }
    opener = ModuleOpener(pid: pid, procRoot: procRoot, debugDirectories: dirs)
    mappings = try Self.readMaps(procRoot: procRoot, pid: pid)
    // A JIT in a container writes the map in its own /tmp under its own pid.
    var perfMaps = ["/tmp/perf-\(pid).map"]
    if case .success(let status) = WholeFile.read("\(procRoot)/\(pid)/status"),
      let inner = StatusParser.parse(status).nsPids.last, inner != pid
    {
      perfMaps.append("\(procRoot)/\(pid)/root/tmp/perf-\(inner).map")
    }
    perfMap = PerfMap(candidates: perfMaps)
    for dir in dirs where dir != Self.systemDebugDirectory {
      var st = stat()
      if stat(dir, &st) != 0 { warn("debug directory \(dir) does not exist") }
    }
  }

  /// libdwfl only reaches debuginfod through callbacks threadprof does not
  /// use; clearing DEBUGINFOD_URLS also keeps any other path offline.
  private static let keepDebuginfodAway: Void = {
    unsetenv("DEBUGINFOD_URLS")
  }()

  /// The modules symbolization has opened so far, by path.
  public var modules: [ModuleInfo] {
    lock.withLock { loaded.values.map(\.info).sorted { $0.path < $1.path } }
  }

  /// Re-reads `<procRoot>/<pid>/maps` after the target mapped or unmapped
  /// files (dlopen, dlclose) and forgets per-address results. Parsed files
  /// stay cached. Keeps the old mappings if the process is gone, and the
  /// per-address results if the maps did not change.
  public func refresh() {
    guard let fresh = try? Self.readMaps(procRoot: procRoot, pid: pid) else { return }
    lock.lock()
    defer { lock.unlock() }
    // Unchanged maps keep every cached result (watch refreshes each sample).
    guard fresh != mappings else { return }
    mappings = fresh
    cache.removeAll(keepingCapacity: true)
    let live = Set(fresh.map { ModuleKey(path: $0.path, device: $0.device, inode: $0.inode) })
    loaded = loaded.filter { live.contains($0.key) }
  }

  public func symbolize(_ frames: [RawFrame]) -> [StackFrame] {
    lock.lock()
    defer { lock.unlock() }
    var result: [StackFrame] = []
    result.reserveCapacity(frames.count + 4)
    for raw in frames { result += symbolize(raw) }
    return result
  }

  /// One raw frame: a return address is looked up at `ip - 1` (the call
  /// instruction), an exact PC or a signal trampoline at `ip`.
  private func symbolize(_ raw: RawFrame) -> [StackFrame] {
    let exact = raw.exactPC || raw.isSignalFrame
    let key = FrameKey(ip: raw.ip, mode: raw.isSignalFrame ? 2 : exact ? 1 : 0)
    if let known = cache[key] { return known }
    let lookup = exact ? raw.ip : raw.ip &- 1
    guard let mapping = MemoryMap.find(lookup, in: mappings) else {
      return [unmapped(raw, lookup: lookup)]
    }
    let frames: [StackFrame]
    if mapping.path == "[vdso]" {
      frames = named(raw, lookup: lookup, mapping: mapping, module: vdso(mapping))
    } else if mapping.isFile {
      frames = named(raw, lookup: lookup, mapping: mapping, module: module(mapping))
    } else {
      // Anonymous memory may gain perf-map names later: not cached.
      // [heap], [stack] and [vsyscall] count as anonymous too; the legacy
      // vsyscall page has no ELF image to name its three entry points.
      return [anonymous(raw, lookup: lookup, mapping: mapping)]
    }
    if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
    cache[key] = frames
    return frames
  }

  private func named(
    _ raw: RawFrame, lookup: UInt64, mapping: MemoryMapping, module: OpenedModule
  ) -> [StackFrame] {
    var base = StackFrame(
      address: raw.ip, module: module.info.path, buildID: module.info.buildID,
      fileOffset: raw.ip &- mapping.start &+ mapping.offset,
      kind: raw.isSignalFrame ? .signal : .user)
    guard let file = module.file, let bias = ModuleOpener.loadBias(of: mapping, in: file)
    else {
      if raw.isSignalFrame { base.function = "__restore_rt" }
      return [base]
    }
    let hits = file.lookup(lookup &- bias)
    guard !hits.isEmpty else {
      if raw.isSignalFrame { base.function = "__restore_rt" }
      return [base]
    }
    return hits.enumerated().map { index, hit in
      var frame = base
      frame.function = hit.rawName.map(Demangler.demangle)
      if raw.isSignalFrame && frame.function == nil { frame.function = "__restore_rt" }
      frame.offset = hit.offset.map { $0 &+ (raw.ip &- lookup) }
      frame.file = hit.file
      frame.line = hit.line
      frame.inlined = index < hits.count - 1
      return frame
    }
  }

  private func anonymous(_ raw: RawFrame, lookup: UInt64, mapping: MemoryMapping) -> StackFrame {
    if let jit = jit(raw, lookup: lookup) { return jit }
    return StackFrame(
      address: raw.ip, module: "[anon]", fileOffset: raw.ip &- mapping.start,
      function: raw.isSignalFrame ? "__restore_rt" : nil,
      kind: raw.isSignalFrame ? .signal : .anon)
  }

  private func unmapped(_ raw: RawFrame, lookup: UInt64) -> StackFrame {
    if let jit = jit(raw, lookup: lookup) { return jit }
    return StackFrame(
      address: raw.ip, function: raw.isSignalFrame ? "__restore_rt" : nil,
      kind: raw.isSignalFrame ? .signal : .user)
  }

  private func jit(_ raw: RawFrame, lookup: UInt64) -> StackFrame? {
    guard let entry = perfMap.lookup(lookup) else { return nil }
    return StackFrame(
      address: raw.ip, module: "[jit]", function: entry.name,
      offset: raw.ip &- entry.start, kind: .jit)
  }

  private func module(_ mapping: MemoryMapping) -> OpenedModule {
    let key = ModuleKey(path: mapping.path, device: mapping.device, inode: mapping.inode)
    if let known = loaded[key] { return known }
    let opened = opener.open(mapping)
    remember(opened, key: key)
    return opened
  }

  private func vdso(_ mapping: MemoryMapping) -> OpenedModule {
    let key = ModuleKey(path: "[vdso]", device: "", inode: mapping.start)
    if let known = loaded[key] { return known }
    let opened = opener.openVDSO(mapping)
    remember(opened, key: key)
    return opened
  }

  private func remember(_ opened: OpenedModule, key: ModuleKey) {
    loaded[key] = opened
    if let problem = opened.problem {
      warn(problem + "; its frames show module+offset")
    }
    if let warning = opened.file?.warning {
      warn("\(opened.info.path): \(warning); its frames show module+offset")
    }
  }

  /// The parsed file behind the mapping holding `address` (for tests).
  func symbolFile(containing address: UInt64) -> SymbolFile? {
    lock.lock()
    defer { lock.unlock() }
    guard let mapping = MemoryMap.find(address, in: mappings), mapping.isFile else { return nil }
    return module(mapping).file
  }

  private func warn(_ text: String) {
    if warned.insert(text).inserted { warningList.append(text) }
  }

  private static func readMaps(procRoot: String, pid: Int32) throws -> [MemoryMapping] {
    let path = "\(procRoot)/\(pid)/maps"
    switch WholeFile.read(path) {
    case .success(let bytes):
      return MemoryMap.parse(bytes: bytes)
    case .failure(let failure):
      switch failure.code {
      case EACCES, EPERM:
        throw ThreadprofError.permissionDenied(
          what: "reading \(path)", remedy: "run as the target's user or as root")
      case ENOENT, ESRCH:
        throw ThreadprofError.noSuchProcess(pid: pid, hint: nil)
      default:
        throw ThreadprofError.system(what: "reading \(path)", errno: failure.code)
      }
    }
  }
}
