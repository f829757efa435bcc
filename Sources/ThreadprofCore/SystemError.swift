// errno values as text, without pulling strerror's locale into reports.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Short, stable descriptions of the errno values threadprof meets.
public enum SystemError {
  public static func describe(_ code: Int32) -> String {
    switch code {
    case ENOENT: return "no such file or directory"
    case ESRCH: return "no such process"
    case EPERM: return "operation not permitted"
    case EACCES: return "permission denied"
    case EIO: return "input/output error"
    case ENOSPC: return "no space left on device"
    case EEXIST: return "file exists"
    case ENOTDIR: return "not a directory"
    case EISDIR: return "is a directory"
    case ELOOP: return "too many symbolic links (refusing to follow one)"
    case EROFS: return "read-only file system"
    case EINTR: return "interrupted"
    default: return String(cString: strerror(code)).lowercased()
    }
  }
}
