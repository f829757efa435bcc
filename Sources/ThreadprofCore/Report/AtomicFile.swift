// Output files written all at once: a temp file beside the target, then rename.
#if canImport(Glibc)
  import Glibc
#endif

/// Writes files so that readers see either the old or the whole new
/// content, never a half-written file.
public enum AtomicFile {
  /// Writes `bytes` to `path` through a temp file in the same directory,
  /// created with `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0644 (so a symlink
  /// someone planted is never followed), then `rename(2)`s it into place.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let dir = directory(of: path)
    var fd: Int32 = -1
    var temp = ""
    for attempt in 0..<100 {
      temp = "\(dir)/.\(base(of: path)).tmp.\(getpid()).\(attempt)"
      fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else { throw failure("cannot create a temporary file in \(dir)", dir, errno) }
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
      }
      if n < 0 {
        if errno == EINTR { continue }
        let e = errno
        close(fd)
        unlink(temp)
        throw failure("cannot write \(path)", path, e)
      }
      written += n
    }
    if fsync(fd) != 0 && errno != EINVAL {
      let e = errno
      close(fd)
      unlink(temp)
      throw failure("cannot write \(path)", path, e)
    }
    close(fd)
    if rename(temp, path) != 0 {
      let e = errno
      unlink(temp)
      throw failure("cannot write \(path)", path, e)
    }
  }

  private static func failure(_ what: String, _ path: String, _ code: Int32) -> ThreadprofError {
    switch code {
    case EACCES, EPERM:
      return .permissionDenied(what: what, remedy: "choose a writable place for the output")
    case ENOENT:
      return .noSuchFile(path: path)
    default:
      return .system(what: what, errno: code)
    }
  }

  private static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let dir = String(path[..<slash])
    return dir.isEmpty ? "/" : dir
  }

  private static func base(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }
}
