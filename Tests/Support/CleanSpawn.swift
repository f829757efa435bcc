// Starting a child with every signal unblocked and at its default action.
// Foundation's Process spawns from a Dispatch thread, whose blocked-signal
// mask (nearly all signals) the child inherits: SIGINT, SIGTERM and SIGHUP
// would then never reach it, and signal tests would prove nothing.
#if canImport(Glibc)
  import Glibc
#endif

/// A child process started with `posix_spawn(3)`, an empty signal mask and
/// default signal actions; stdout and stderr go to /dev/null.
public final class CleanSpawn: @unchecked Sendable {
  public let pid: pid_t
  private var status: Int32?

  public init(_ path: String, _ args: [String]) throws {
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setsigdefault(&attr, &all)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([path] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var child: pid_t = 0
    let rc = posix_spawn(&child, path, &actions, &attr, argv, environ)
    guard rc == 0 else { throw TestFailure("posix_spawn \(path): error \(rc)") }
    pid = child
  }

  /// False once the child has exited (it is reaped then).
  public var isRunning: Bool {
    if status != nil { return false }
    var raw: Int32 = 0
    if waitpid(pid, &raw, WNOHANG) == pid {
      status = Self.shellStatus(raw)
      return false
    }
    return true
  }

  /// Sends `sig` to the child, by pid, unless it was already reaped.
  public func signal(_ sig: Int32) {
    if status == nil { kill(pid, sig) }
  }

  /// Waits for the child; returns its status as a shell shows it (128 + n
  /// when a signal killed it).
  public func wait() -> Int32 {
    if let status { return status }
    var raw: Int32 = 0
    while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
    status = Self.shellStatus(raw)
    return status!
  }

  static func shellStatus(_ raw: Int32) -> Int32 {
    let sig = raw & 0x7f
    return sig == 0 ? (raw >> 8) & 0xff : 128 + sig
  }

  deinit {
    if status == nil {
      kill(pid, SIGKILL)
      _ = wait()
    }
  }
}

/// Runs `body` (which starts a child with Foundation's `Process`) with this
/// thread's signals unblocked, so the child does not inherit the Dispatch
/// worker's mask, under which SIGINT, SIGTERM or SIGHUP would never arrive.
public func withCleanSignalMask<T>(_ body: () throws -> T) rethrows -> T {
  var empty = sigset_t()
  sigemptyset(&empty)
  var saved = sigset_t()
  pthread_sigmask(SIG_SETMASK, &empty, &saved)
  defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
  return try body()
}
