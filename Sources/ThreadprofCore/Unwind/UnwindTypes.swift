// What a stack collection is asked for and what it returns.

/// Limits and mode of a `StackCollector` run.
public struct UnwindOptions: Sendable, Hashable {
  /// Frames read at most per thread; a deeper stack is cut and marked
  /// `max-depth`.
  public var maxDepth: Int
  /// Time bound for one thread (stop, unwind, release); a thread that takes
  /// longer is cut and marked `timeout`. With `freeze`, the bound for one
  /// thread's stop and, separately, for its unwind.
  public var threadTimeout: Duration
  /// Stop every thread first, unwind all, then release all, for a
  /// consistent picture (`--freeze`). Holds every thread for the whole
  /// collection.
  public var freeze: Bool

  public init(
    maxDepth: Int = 128, threadTimeout: Duration = .milliseconds(100), freeze: Bool = false
  ) {
    self.maxDepth = maxDepth
    self.threadTimeout = threadTimeout
    self.freeze = freeze
  }
}

/// One thread's raw stack, innermost frame first.
public struct UnwoundStack: Sendable, Hashable {
  public var frames: [RawFrame]
  /// Why the stack ends early: `max-depth`, `timeout`, `loop`, `no-cfi`, or
  /// `libunwind: <error>`; `nil` when it ends at the thread's first frame.
  public var truncated: String?

  public init(frames: [RawFrame], truncated: String? = nil) {
    self.frames = frames
    self.truncated = truncated
  }
}

/// The stacks of one collection over a process's threads.
public struct StackCollection: Sendable, Hashable {
  /// Stacks by thread id.
  public var stacks: [Int32: UnwoundStack]
  /// Threads that exited before or while they were read (normal churn).
  public var exited: [Int32]
  /// Threads that could not be read, with the reason.
  public var failed: [Int32: String]
  /// The longest time any one thread was held stopped (seize to detach),
  /// or with `freeze` the whole stop-all-to-release-all window.
  public var maxPauseMicros: Int
  /// True when SIGINT, SIGTERM or SIGHUP ended the collection early
  /// (graceful mode); the stacks read so far are kept.
  public var interrupted: Bool

  public init(
    stacks: [Int32: UnwoundStack] = [:], exited: [Int32] = [], failed: [Int32: String] = [:],
    maxPauseMicros: Int = 0, interrupted: Bool = false
  ) {
    self.stacks = stacks
    self.exited = exited
    self.failed = failed
    self.maxPauseMicros = maxPauseMicros
    self.interrupted = interrupted
  }
}
