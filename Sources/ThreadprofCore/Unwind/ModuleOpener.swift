// Opens a target's mapped ELF files the way containers need: through
// /proc/<pid>/map_files or /proc/<pid>/root, never the bare maps path.
#if canImport(Glibc)
  import Glibc
#endif

/// A mapped module as far as it could be opened.
struct OpenedModule {
  var info: ModuleInfo
  var file: SymbolFile?
  /// Why the file could not be opened or read, for a warning.
  var problem: String?
}

/// Finds and opens the file behind a mapping of process `pid`, looking
/// under `procRoot` (normally `/proc`).
struct ModuleOpener {
  let pid: Int32
  let procRoot: String
  /// The caller's debug directories, then (for a process whose root is not
  /// ours, e.g. in a container) the same directories inside its root: a
  /// debug file is only used when its build-id matches, so more places are
  /// safe to search.
  let debugDirectories: [String]

  private var processDir: String { "\(procRoot)/\(pid)" }

  init(pid: Int32, procRoot: String, debugDirectories: [String]) {
    self.pid = pid
    self.procRoot = procRoot
    let root = "\(procRoot)/\(pid)/root"
    var ours = stat()
    var theirs = stat()
    let foreign =
      stat("/", &ours) == 0 && stat(root, &theirs) == 0
      && (ours.st_dev != theirs.st_dev || ours.st_ino != theirs.st_ino)
    let inside = foreign ? debugDirectories.filter { $0.hasPrefix("/") }.map { root + $0 } : []
    self.debugDirectories = debugDirectories + inside
  }

  /// Opens the ELF file of `mapping` through, in order:
  /// `<procRoot>/<pid>/map_files/<start>-<end>` (works for deleted and
  /// container files; the kernel hands out the mapped inode itself),
  /// `<procRoot>/<pid>/root/<path>` and `<procRoot>/<pid>/exe`. The last
  /// two are used for a deleted mapping only if their inode is the mapped one,
  /// so a replaced file never lends its names.
  func open(_ mapping: MemoryMapping) -> OpenedModule {
    var attempts: [String] = []
    let mapFile =
      "\(processDir)/map_files/\(String(mapping.start, radix: 16))-"
      + String(mapping.end, radix: 16)
    var candidates: [(path: String, checkInode: Bool)] = [(mapFile, false)]
    candidates.append(("\(processDir)/root\(mapping.path)", mapping.deleted))
    candidates.append(("\(processDir)/exe", true))
    for candidate in candidates {
      let fd = Glibc.open(candidate.path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        attempts.append("\(candidate.path): \(SystemError.describe(errno))")
        continue
      }
      defer { close(fd) }
      var st = stat()
      guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
      if candidate.checkInode && UInt64(st.st_ino) != mapping.inode {
        attempts.append("\(candidate.path): a different file (inode \(st.st_ino))")
        continue
      }
      let directory = mapping.path.lastIndex(of: "/").map {
        "\(processDir)/root" + String(mapping.path[..<$0])
      }
      guard
        let file = SymbolFileCache.shared.file(
          fd: fd, moduleDirectory: directory, modulePath: mapping.path,
          debugDirectories: debugDirectories)
      else {
        return OpenedModule(
          info: ModuleInfo(path: mapping.path, buildID: nil, symbols: "none", loadBias: nil),
          file: nil, problem: "\(mapping.path) is not a readable ELF file")
      }
      return OpenedModule(
        info: ModuleInfo(
          path: mapping.path, buildID: file.buildID, symbols: file.source,
          loadBias: Self.loadBias(of: mapping, in: file)),
        file: file, problem: nil)
    }
    return OpenedModule(
      info: ModuleInfo(path: mapping.path, buildID: nil, symbols: "none", loadBias: nil),
      file: nil,
      problem: "cannot open \(mapping.path) of pid \(pid) ("
        + attempts.joined(separator: "; ") + ")")
  }

  /// Reads the vdso image from `<procRoot>/<pid>/mem` and opens it.
  func openVDSO(_ mapping: MemoryMapping) -> OpenedModule {
    let path = "\(processDir)/mem"
    let length = Int(min(mapping.end - mapping.start, 1 << 20))
    var problem: String?
    var file: SymbolFile?
    switch ProcessMemory.read(path: path, at: mapping.start, count: length) {
    case .success(let image):
      file = SymbolFileCache.shared.file(image: image, name: "[vdso]")
    case .failure(let reason):
      problem = "cannot read the vdso of pid \(pid) from \(path): \(reason.text)"
    }
    let info = ModuleInfo(
      path: "[vdso]", buildID: file?.buildID, symbols: file?.source ?? "none",
      loadBias: file.flatMap { Self.loadBias(of: mapping, in: $0) })
    return OpenedModule(info: info, file: file, problem: problem)
  }

  /// Load address minus virtual address for `mapping`, from the PT_LOAD
  /// segment holding the mapping's file offset.
  static func loadBias(of mapping: MemoryMapping, in file: SymbolFile) -> UInt64? {
    guard
      let vaddr = file.virtualAddress(
        ofFileOffset: mapping.offset, length: mapping.end - mapping.start,
        executable: mapping.isExecutable)
    else { return nil }
    return mapping.start &- vaddr
  }
}
