// Every failure the library reports; only the CLI turns these into words
// on stderr and exit codes.

/// The documented exit codes (see the man page, EXIT STATUS).
public enum ExitCode: Int32, Sendable {
  case ok = 0
  case failure = 1
  /// The run went fine but a `--fail-on-...` condition was met.
  case conditionMet = 3
  case usage = 64
  /// A corrupt, truncated or newer snapshot file.
  case dataError = 65
  /// No such process, thread or file.
  case noInput = 66
  case permission = 77
  case interrupted = 130
}

/// A failure with enough context (pid, path, errno) for one clear line.
public enum ThreadprofError: Error, Sendable, Equatable {
  /// A bad command line; `message` names the bad flag or value.
  case usage(String)
  /// No such process (or it is hidden from us, e.g. `hidepid`).
  case noSuchProcess(pid: Int32, hint: String?)
  /// A file that does not exist.
  case noSuchFile(path: String)
  /// `--proc-root DIR` names no directory: there is no /proc tree to read.
  case noProcTree(root: String)
  /// Permission denied reading `path` or tracing `pid`; `remedy` says how
  /// to get permission.
  case permissionDenied(what: String, remedy: String)
  /// A snapshot or other input file that cannot be used.
  case badData(path: String, reason: String, remedy: String)
  /// The target process exited during the scan.
  case targetExited(pid: Int32)
  /// An unsupported target (an ABI we cannot unwind).
  case unsupported(String)
  /// Any other I/O or system failure; `errno` when there is one.
  case system(what: String, errno: Int32)
  case interrupted

  public var exitCode: ExitCode {
    switch self {
    case .usage: return .usage
    case .noSuchProcess, .noSuchFile, .noProcTree, .targetExited: return .noInput
    case .permissionDenied: return .permission
    case .badData: return .dataError
    case .unsupported, .system: return .failure
    case .interrupted: return .interrupted
    }
  }

  /// The text after `threadprof: `: what failed, why, and what to do.
  public var message: String {
    switch self {
    case .usage(let text):
      return text
    case .noSuchProcess(let pid, let hint):
      return "no process with pid \(pid)"
        + (hint.map { "; \($0)" } ?? "; check the pid with 'ps -eLf'")
    case .noSuchFile(let path):
      return "cannot open \(path): no such file"
    case .noProcTree(let root):
      return "no proc tree at \(root); check --proc-root"
    case .permissionDenied(let what, let remedy):
      return "\(what): permission denied; \(remedy)"
    case .badData(let path, let reason, let remedy):
      return "cannot load \(path): \(reason); \(remedy)"
    case .targetExited(let pid):
      return "process \(pid) exited during the scan; nothing more to read"
    case .unsupported(let text):
      return text
    case .system(let what, let errno):
      return "\(what): \(SystemError.describe(errno))"
    case .interrupted:
      return "interrupted"
    }
  }
}
