// Output files: regular files replaced all at once, devices and pipes written in place.
#if canImport(Glibc)
  import Glibc
#endif

/// Writes `-o` and `--metrics-file` outputs so that readers of a regular
/// file see either the old or the whole new content, never a half-written
/// file, and so that device files, pipes and other users' links survive.
public enum AtomicFile {
  /// Writes `bytes` to `path`, deciding by lstat(2) of `path`:
  /// - missing or a regular file: a temp file in the same directory,
  ///   created with `O_CREAT|O_EXCL|O_NOFOLLOW` (a symlink planted at the
  ///   temp name is never followed), then rename(2)d into place; an existing
  ///   file keeps its permission bits but never wider than 0644, a new one
  ///   is 0644 (less what the umask removes);
  /// - a character device, FIFO or socket (`/dev/null`, a named pipe):
  ///   opened `O_WRONLY` without creating or truncating and written
  ///   directly; such a write is NOT atomic;
  /// - a symlink owned by root or by the effective uid: resolved with
  ///   realpath(3) and the rules above applied to its target, the link
  ///   itself stays; a symlink owned by another user is refused
  ///   (`permissionDenied`), never followed and never replaced;
  /// - a directory: a usage error.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    guard !path.isEmpty else { throw ThreadprofError.usage("the output path is empty") }
    var target = path
    var st = stat()
    var exists = lstat(path, &st) == 0
    if !exists && errno != ENOENT { throw failure(path, errno) }
    if exists && st.st_mode & S_IFMT == S_IFLNK {
      guard st.st_uid == 0 || st.st_uid == geteuid() else {
        throw ThreadprofError.permissionDenied(
          what: "cannot write \(path): it is a symbolic link owned by another user "
            + "(uid \(st.st_uid)); not following it",
          remedy: "remove the link or choose another output path")
      }
      guard let real = realpath(path, nil) else {
        throw failure(path, errno == ENOENT ? ENOENT : errno, link: true)
      }
      target = String(cString: real)
      free(real)
      exists = lstat(target, &st) == 0
      if !exists && errno != ENOENT { throw failure(target, errno) }
    }
    let kind = exists ? st.st_mode & S_IFMT : S_IFREG
    switch kind {
    case S_IFDIR:
      throw ThreadprofError.usage("\(path) is a directory; name a file to write")
    case S_IFCHR, S_IFIFO, S_IFSOCK:
      try writeInPlace(bytes, to: target, shown: path)
    case S_IFREG:
      try replace(bytes, at: target, shown: path, mode: exists ? st.st_mode & 0o644 : nil)
    default:
      throw ThreadprofError.usage("\(path) is neither a regular file nor a device; "
        + "name a file to write")
    }
  }

  /// Opens an existing device or pipe for writing (no create, no truncate;
  /// a FIFO waits for its reader) and writes everything.
  private static func writeInPlace(_ bytes: [UInt8], to path: String, shown: String) throws {
    var fd: Int32 = -1
    repeat {
      fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
    } while fd < 0 && errno == EINTR
    guard fd >= 0 else { throw failure(shown, errno) }
    defer { close(fd) }
    if let e = writeAll(fd, bytes) { throw failure(shown, e) }
  }

  /// Temp file beside `path`, then rename(2) over it.
  private static func replace(
    _ bytes: [UInt8], at path: String, shown: String, mode: mode_t?
  ) throws {
    let dir = directory(of: path)
    var fd: Int32 = -1
    var temp = ""
    for attempt in 0..<100 {
      temp = "\(dir)/.\(base(of: path)).tmp.\(getpid()).\(attempt)"
      fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else { throw failure(shown, errno, directory: dir) }
    func fail(_ e: Int32) -> ThreadprofError {
      close(fd)
      unlink(temp)
      return failure(shown, e)
    }
    if let mode, fchmod(fd, mode) != 0 { throw fail(errno) }
    if let e = writeAll(fd, bytes) { throw fail(e) }
    if fsync(fd) != 0 && errno != EINVAL { throw fail(errno) }
    close(fd)
    if rename(temp, path) != 0 {
      let e = errno
      unlink(temp)
      throw failure(shown, e)
    }
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
      }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { return errno }
      if n == 0 { return EIO }
      written += n
    }
    return nil
  }

  /// "cannot write PATH: cause", naming the path the user gave.
  private static func failure(
    _ path: String, _ code: Int32, directory: String? = nil, link: Bool = false
  ) -> ThreadprofError {
    let what = "cannot write \(path)"
    switch code {
    case EACCES, EPERM:
      return .permissionDenied(what: what, remedy: "choose a writable place for the output")
    case ENOENT:
      if link { return .unsupported("\(what): the symbolic link points nowhere") }
      if let directory {
        var st = stat()
        if stat(directory, &st) != 0 {
          return .unsupported("\(what): directory \(directory) does not exist")
        }
        return .unsupported("\(what): \(directory) does not allow creating files")
      }
      return .system(what: what, errno: code)
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
