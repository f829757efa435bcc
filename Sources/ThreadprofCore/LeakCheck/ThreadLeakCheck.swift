// goleak for native threads: note the process's threads, run the code,
// and fail if threads it started are still there after a grace period.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Checks that code under test leaves no threads behind.
///
/// Threads are read from `/proc/self/task` (name, state, wait channel,
/// system call, kernel stack when readable). A thread counts as new when
/// its (tid, start time) pair was not there before the body ran; the check
/// polls until every new thread is gone or `settle` has passed, then throws
/// `ThreadLeakError` listing all leftovers grouped by name and wait site.
///
/// Stacks of the calling process cannot be unwound (a process cannot
/// ptrace itself), so the report has names, wait sites and kernel stacks.
///
/// The check sees the whole process: threads that other code starts while
/// the body runs (tests running in parallel, a runtime's worker pool
/// growing) count too. Name the threads you care about with `only`, or
/// leave out known ones with `ignoring`.
public enum ThreadLeakCheck {
  /// Runs `body` and throws `ThreadLeakError` when threads it started
  /// outlive it by more than `settle`. `ignoring` leaves threads out, in
  /// addition to `ThreadFilter.runtimeDefaults` (Dispatch's worker pool);
  /// a non-empty `only` looks at matching threads alone. An error thrown
  /// by `body` is rethrown as is, without a leak check.
  public static func verify<T>(
    ignoring: [ThreadFilter] = [], only: [ThreadFilter] = [],
    settle: Duration = .seconds(2), _ body: () throws -> T
  ) throws -> T {
    let before = try identities()
    let result = try body()
    let clock = ContinuousClock()
    let deadline = clock.now + settle
    var pause = Duration.milliseconds(2)
    while true {
      let left = try leftovers(since: before, ignoring: ignoring, only: only)
      if left.isEmpty { return result }
      if clock.now >= deadline { throw error(for: left, settle: settle) }
      sleepFor(min(pause, deadline - clock.now))
      pause = min(pause * 2, .milliseconds(50))
    }
  }

  /// The `async` form of `verify`; it polls with `Task.sleep`.
  public static func verify<T>(
    ignoring: [ThreadFilter] = [], only: [ThreadFilter] = [],
    settle: Duration = .seconds(2), _ body: () async throws -> T
  ) async throws -> T {
    let before = try identities()
    let result = try await body()
    let clock = ContinuousClock()
    let deadline = clock.now + settle
    var pause = Duration.milliseconds(2)
    while true {
      let left = try leftovers(since: before, ignoring: ignoring, only: only)
      if left.isEmpty { return result }
      if clock.now >= deadline { throw error(for: left, settle: settle) }
      try await Task.sleep(for: min(pause, deadline - clock.now))
      pause = min(pause * 2, .milliseconds(50))
    }
  }

  /// The calling process's threads, read from `/proc/self/task`.
  public static func threads() throws -> [ThreadRecord] {
    try ProcReader().scan(pid: getpid()).threads
  }

  /// Threads present now that were not in `before` and pass the filters
  /// (`ThreadFilter.runtimeDefaults` always applies).
  public static func leftovers(
    since before: Set<ThreadIdentity>, ignoring: [ThreadFilter] = [],
    only: [ThreadFilter] = []
  ) throws -> [ThreadRecord] {
    try threads().filter { t in
      !before.contains(ThreadIdentity(t))
        && (only.isEmpty || only.contains { $0.matches(t) })
        && !ignoring.contains { $0.matches(t) }
        && !ThreadFilter.runtimeDefaults.contains { $0.matches(t) }
    }
  }

  /// The identities of the calling process's threads right now.
  public static func identities() throws -> Set<ThreadIdentity> {
    Set(try threads().map(ThreadIdentity.init))
  }

  static func error(for threads: [ThreadRecord], settle: Duration) -> ThreadLeakError {
    ThreadLeakError(clusters: Grouper(groupBy: .site).group(threads), settle: settle)
  }

  private static func sleepFor(_ d: Duration) {
    let (s, atto) = d.components
    var ts = timespec(tv_sec: Int(s), tv_nsec: Int(atto / 1_000_000_000))
    var rest = timespec()
    while nanosleep(&ts, &rest) != 0 && errno == EINTR { ts = rest }
  }
}

/// A thread across reads: its tid plus its start time, so a tid the kernel
/// reuses for a new thread is not mistaken for the old one.
public struct ThreadIdentity: Sendable, Hashable {
  public var tid: Int32
  public var startTicks: UInt64
  public init(_ thread: ThreadRecord) {
    tid = thread.tid
    startTicks = thread.startTicks
  }
}
