// The one Swift wrapper over CThreadprof's libdw symbol lookup and the C++
// and Swift demanglers; everything else in symbolization is safe Swift.
import CThreadprof

#if canImport(Glibc)
  import Glibc
#endif

/// One name a lookup found: a function containing the address, or one
/// inlined into it.
struct SymbolHit: Sendable, Hashable {
  /// The raw symbol (mangled, maybe with an `@VERSION`).
  var rawName: String?
  /// Offset from the symbol's start (only for the containing function).
  var offset: UInt64?
  var file: String?
  var line: Int?
}

/// An opened ELF file with its libdwfl session. Lookups are serialized by
/// a lock on the C side, so instances can be shared between threads.
final class SymbolFile: @unchecked Sendable {
  private let handle: OpaquePointer
  let buildID: String?
  let source: String
  let warning: String?

  private init(handle: OpaquePointer) {
    self.handle = handle
    buildID = tp_symfile_build_id(handle).map { String(cString: $0) }
    source = String(cString: tp_symfile_source(handle))
    warning = tp_symfile_warning(handle).map { String(cString: $0) }
  }

  /// Opens the ELF file behind `fd` (the caller still closes `fd`) with
  /// libelf/libdwfl, and looks for a separate debug file by build-id and
  /// `.gnu_debuglink` under `debugDirectories` and `moduleDirectory`.
  static func open(
    fd: Int32, moduleDirectory: String?, modulePath: String, debugDirectories: [String]
  ) -> SymbolFile? {
    var cDirs = debugDirectories.map { strdup($0) }
    defer { cDirs.forEach { free($0) } }
    let handle: OpaquePointer? = cDirs.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(
        to: UnsafePointer<CChar>?.self, capacity: buffer.count
      ) { dirs in
        tp_symfile_open(fd, moduleDirectory, modulePath, dirs, buffer.count)
      }
    }
    return handle.map { SymbolFile(handle: $0) }
  }

  /// Opens an ELF image held in memory (the vdso read from the target).
  static func open(image: [UInt8], name: String) -> SymbolFile? {
    let handle = image.withUnsafeBufferPointer { buffer in
      tp_symfile_open_image(buffer.baseAddress, buffer.count, name)
    }
    return handle.map { SymbolFile(handle: $0) }
  }

  /// The virtual address the first byte of a mapping is loaded at: the
  /// mapping covers `length` bytes from `fileOffset` (PT_LOAD headers).
  func virtualAddress(ofFileOffset fileOffset: UInt64, length: UInt64, executable: Bool)
    -> UInt64?
  {
    var vaddr: UInt64 = 0
    let found = tp_symfile_vaddr_of_offset(
      handle, fileOffset, length, executable ? 1 : 0, &vaddr)
    return found == 0 ? vaddr : nil
  }

  /// Names at the file's virtual address `vaddr`, inlined functions first.
  func lookup(_ vaddr: UInt64) -> [SymbolHit] {
    let maxFrames = 32
    var frames = [tp_symframe](repeating: tp_symframe(), count: maxFrames)
    let count = Int(tp_symfile_lookup(handle, vaddr, &frames, Int32(maxFrames)))
    return frames.prefix(max(0, count)).map { f in
      SymbolHit(
        rawName: f.name.map { String(cString: $0) },
        offset: f.has_offset != 0 ? f.offset : nil,
        file: f.file.map { String(cString: $0) },
        line: f.line > 0 ? Int(f.line) : nil)
    }
  }

  deinit { tp_symfile_close(handle) }
}

/// The runtimes' demanglers, reached through C.
enum RuntimeDemangler {
  /// `__cxa_demangle` from libstdc++.
  static func cxx(_ name: String) -> String? { take(tp_demangle_cxx(name)) }

  /// `swift_demangle` from the Swift runtime this program runs on.
  static func swift(_ name: String) -> String? { take(tp_demangle_swift(name)) }

  private static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }
}

/// Reads a process's memory through `/proc/<pid>/mem` with `pread(2)`.
enum ProcessMemory {
  struct Failure: Error {
    var text: String
  }

  /// `count` bytes at `address`, or why they could not be read.
  static func read(path: String, at address: UInt64, count: Int) -> Result<[UInt8], Failure> {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .failure(Failure(text: SystemError.describe(errno))) }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    let got = bytes.withUnsafeMutableBytes { buffer in
      pread(fd, buffer.baseAddress, count, off_t(Int64(bitPattern: address)))
    }
    if got < 0 { return .failure(Failure(text: SystemError.describe(errno))) }
    guard got == count else { return .failure(Failure(text: "short read (\(got) bytes)")) }
    return .success(bytes)
  }
}

/// Reads whole files with `read(2)` until end of file. Foundation's
/// `Data(contentsOf:)` and `String(contentsOfFile:)` stop after the first
/// page of a /proc file (its size reads as 0), which cuts
/// `/proc/<pid>/maps` of a process with many threads.
enum WholeFile {
  /// The file's bytes, or the errno of the failing `open(2)`/`read(2)`.
  static func read(_ path: String) -> Result<[UInt8], SystemErrno> {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .failure(SystemErrno(code: errno)) }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if got < 0 {
        if errno == EINTR { continue }
        return .failure(SystemErrno(code: errno))
      }
      if got == 0 { return .success(result) }
      result.append(contentsOf: chunk[0..<got])
    }
  }
}

/// An errno value as an `Error`.
struct SystemErrno: Error {
  var code: Int32
}
