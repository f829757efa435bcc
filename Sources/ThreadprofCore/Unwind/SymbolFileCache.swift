// The process-wide cache of opened ELF files, shared by every Symbolizer
// and every sample, keyed by file identity.
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Opened `SymbolFile`s by file identity (device, inode, size, mtime) and
/// by build-id, so each library is parsed once per threadprof process no
/// matter how many targets, threads or samples map it.
final class SymbolFileCache: Sendable {
  static let shared = SymbolFileCache()

  // FIXME: entries are never evicted; a long watch of a process that keeps
  // loading new libraries grows by one parsed file each. An LRU bound
  // needs per-file reference tracking from the Symbolizers, not built yet.

  private struct State {
    var byIdentity: [String: SymbolFile?] = [:]
    var byBuildID: [String: SymbolFile] = [:]
    var opened = 0
  }

  private let state = Mutex(State())

  /// How many files were parsed so far (cache misses).
  var openedCount: Int { state.withLock { $0.opened } }

  /// Forgets every file (for measuring a cold start).
  func removeAll() {
    state.withLock { $0 = State() }
  }

  /// The symbol file for the ELF behind `fd` (opened by the caller, which
  /// also closes it); identified by `fstat(2)` on `fd`.
  func file(
    fd: Int32, moduleDirectory: String?, modulePath: String, debugDirectories: [String]
  ) -> SymbolFile? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    let dirs = debugDirectories.joined(separator: "\u{0}")
    let identity =
      "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(dirs)"
    return state.withLock { state -> SymbolFile? in
      if let known = state.byIdentity[identity] { return known }
      state.opened += 1
      let opened = SymbolFile.open(
        fd: fd, moduleDirectory: moduleDirectory, modulePath: modulePath,
        debugDirectories: debugDirectories)
      var result = opened
      if let opened, let id = opened.buildID {
        let key = id + "|" + dirs
        if let same = state.byBuildID[key], same.warning == nil, opened.warning == nil {
          result = same
        } else {
          state.byBuildID[key] = opened
        }
      }
      state.byIdentity[identity] = .some(result)
      return result
    }
  }

  /// The symbol file for an in-memory image (the vdso), keyed by content.
  func file(image: [UInt8], name: String) -> SymbolFile? {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in image { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let identity = "image:\(name):\(image.count):\(hash)"
    return state.withLock { state -> SymbolFile? in
      if let known = state.byIdentity[identity] { return known }
      state.opened += 1
      let opened = SymbolFile.open(image: image, name: name)
      state.byIdentity[identity] = .some(opened)
      return opened
    }
  }
}
