// Starting a child with every signal unblocked and at its default action.
// Foundation's Process spawns from a Dispatch thread, whose blocked-signal
// mask (nearly all signals) the child inherits: SIGINT, SIGTERM and SIGHUP
// would then never reach it, and signal tests would prove nothing.
#if canImport(Glibc)
  import Glibc
#endif

/// A child process started with `posix_spawn(3)`, an empty signal mask and
/// default signal actions, and reaped only by `waitpid` on its own pid.
///
/// Foundation's `Process` is not used for test children: its one reaper
/// thread blocks in `wait4` when a child stops (SIGSTOP, a ptrace stop), and
/// then no other child of the test process is ever reaped.
/// pipe2(2), which the Glibc module does not export.
@_silgen_name("pipe2")
private func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

public final class CleanSpawn: @unchecked Sendable {
  /// Where a standard stream of the child goes.
  public enum Stdio { case null, inherit, pipe }

  public let pid: pid_t
  /// The parent's ends of the pipes asked for, or -1. They are closed
  /// when the object goes away (stdin earlier with `closeStdin`); never
  /// close them yourself, or a number reused by another test gets closed.
  public private(set) var stdinFD: Int32
  public let stdoutFD: Int32
  public let stderrFD: Int32
  private var status: Int32?

  public init(
    _ path: String, _ args: [String], environment: [String: String]? = nil,
    stdin: Stdio = .null, stdout: Stdio = .null, stderr: Stdio = .null
  ) throws {
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
    var parentEnds: [Int32] = [-1, -1, -1]
    var childEnds: [Int32] = []
    for (fd, mode) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
      switch mode {
      case .inherit: break
      case .null:
        posix_spawn_file_actions_addopen(
          &actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
      case .pipe:
        var ends: [Int32] = [-1, -1]
        // Close-on-exec from the start, so children other tests spawn
        // meanwhile never hold this pipe (the child gets its end by dup2).
        guard systemPipe2(&ends, O_CLOEXEC) == 0 else {
          throw TestFailure("pipe2: errno \(errno)")
        }
        let (child, parent) = fd == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
        posix_spawn_file_actions_adddup2(&actions, child, fd)
        parentEnds[Int(fd)] = parent
        childEnds.append(child)
      }
    }
    let argv = ([path] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { env in
      env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    }
    defer { envp?.forEach { free($0) } }
    var child: pid_t = 0
    let rc: Int32
    if let envp {
      rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
    } else {
      rc = posix_spawn(&child, path, &actions, &attr, argv, environ)
    }
    childEnds.forEach { close($0) }
    guard rc == 0 else {
      parentEnds.filter { $0 >= 0 }.forEach { close($0) }
      throw TestFailure("posix_spawn \(path): error \(rc)")
    }
    pid = child
    stdinFD = parentEnds[0]
    stdoutFD = parentEnds[1]
    stderrFD = parentEnds[2]
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

  /// Closes the parent's end of stdin once (the child sees EOF); deinit
  /// then leaves that number alone, so it cannot close another test's fd
  /// that reused it.
  public func closeStdin() {
    guard stdinFD >= 0 else { return }
    close(stdinFD)
    stdinFD = -1
  }

  deinit {
    if status == nil {
      kill(pid, SIGKILL)
      _ = wait()
    }
    for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
  }
}
