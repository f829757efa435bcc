// Collects the raw user stacks of a process's threads, stopping each
// thread only while its own stack is read.
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Unwinds threads of one target process with libunwind over ptrace.
///
/// Per thread: `PTRACE_SEIZE`, `PTRACE_INTERRUPT`, `waitpid(__WALL)`, one
/// `PTRACE_GETREGS`, a DWARF walk reading memory with `process_vm_readv`,
/// `PTRACE_DETACH`. Never sends SIGSTOP; a thread that was group-stopped
/// stays stopped. Create one per target and reuse it across `watch`
/// samples: unwind tables and code pages stay cached.
public final class StackCollector {
  public let pid: Int32
  public let options: UnwindOptions
  private let unwinder: RemoteUnwinder

  /// One collection at a time in this process: ptrace state and the
  /// interrupt handlers' record of attached threads are process-wide.
  private static let gate = Mutex(())

  /// Checks that `pid` can be traced (see `TracePreflight`) and sets up a
  /// libunwind remote address space. Throws `.noSuchProcess`,
  /// `.permissionDenied` naming the cause, or `.unsupported` for a
  /// non-x86_64 target.
  public init(pid: Int32, options: UnwindOptions = .init()) throws {
    guard options.maxDepth >= 1 else {
      throw ThreadprofError.usage("--max-depth must be at least 1")
    }
    try TracePreflight.check(pid: pid)
    guard let unwinder = RemoteUnwinder(pid: pid, maxDepth: options.maxDepth) else {
      throw ThreadprofError.system(what: "cannot set up unwinding for pid \(pid)", errno: errno)
    }
    self.pid = pid
    self.options = options
    self.unwinder = unwinder
  }

  /// Unwinds `tids` (threads of `pid`) on threadprof's tracer thread (see
  /// `TracerThread`); the caller waits. Threads that vanish land in
  /// `exited`; threads that cannot be read land in `failed`.
  public func collect(tids: [Int32]) -> StackCollection {
    TracerThread.shared.run { collectOnTracer(tids) }
  }

  private func collectOnTracer(_ tids: [Int32]) -> StackCollection {
    StackCollector.gate.withLock { _ in
      var result = StackCollection()
      let rc = RemoteUnwinder.beginTracing()
      guard rc == 0 else {
        let why = "cannot set up tracing: " + SystemError.describe(-rc)
        for tid in tids { result.failed[tid] = why }
        return result
      }
      defer { RemoteUnwinder.endTracing() }
      unwinder.beginCollection()
      if options.freeze {
        collectFrozen(tids, into: &result)
      } else {
        collectEach(tids, into: &result)
      }
      // Threads that stopped only after their time bound (listed in
      // `failed`): wait for them to stop or exit, then release them. This
      // wait is generous, because on a loaded machine a thread may take a
      // while to be scheduled, and a thread left seized would stay traced
      // by this thread of threadprof. One that is still running after it
      // stays seized until threadprof exits, when the kernel lets go.
      _ = RemoteUnwinder.releasePending(timeoutNanos: max(timeoutNanos, 2_000_000_000))
      if RemoteUnwinder.interruptSignal != nil { result.interrupted = true }
      return result
    }
  }

  /// Installs SIGINT, SIGTERM and SIGHUP handlers that detach every thread
  /// threadprof holds. Not graceful: then exit with 128 + signal. Graceful
  /// (`watch`): the current collection returns early with `interrupted`,
  /// `interruptSignal` is set, and a second signal exits.
  public static func installSignalHandlers(graceful: Bool) {
    RemoteUnwinder.installSignalHandlers(graceful: graceful)
  }

  /// The signal that interrupted a graceful run, or `nil`.
  public static var interruptSignal: Int32? { RemoteUnwinder.interruptSignal }

  private var timeoutNanos: UInt64 {
    let c = options.threadTimeout.components
    let ns = Int64(c.seconds) * 1_000_000_000 + c.attoseconds / 1_000_000_000
    return UInt64(max(1_000_000, ns))
  }

  private func collectEach(_ tids: [Int32], into result: inout StackCollection) {
    var maxPause: UInt64 = 0
    for tid in tids {
      if RemoteUnwinder.interruptSignal != nil {
        result.interrupted = true
        break
      }
      let outcome = unwinder.unwind(
        tid: tid, maxDepth: options.maxDepth, timeoutNanos: timeoutNanos)
      switch outcome {
      case .stack(let stack, let pause):
        result.stacks[tid] = stack
        maxPause = max(maxPause, pause)
      case .gone: result.exited.append(tid)
      case .failed(let err): result.failed[tid] = failure(tid: tid, errno: err)
      case .timeout: result.failed[tid] = timeoutText
      case .interrupted: result.interrupted = true
      }
      if result.interrupted { break }
    }
    result.maxPauseMicros = Int(maxPause / 1000)
  }

  private func collectFrozen(_ tids: [Int32], into result: inout StackCollection) {
    let start = RemoteUnwinder.now
    var held: [AttachedThread] = []
    held.reserveCapacity(tids.count)
    for tid in tids {
      if RemoteUnwinder.interruptSignal != nil { break }
      switch RemoteUnwinder.attach(pid: pid, tid: tid, timeoutNanos: timeoutNanos) {
      case .success(let t): held.append(t)
      case .failure(.gone): result.exited.append(tid)
      case .failure(.timeout): result.failed[tid] = timeoutText
      case .failure(.errno(let err)): result.failed[tid] = failure(tid: tid, errno: err)
      }
    }
    for t in held {
      if RemoteUnwinder.interruptSignal != nil { break }
      let deadline = RemoteUnwinder.now + timeoutNanos
      let outcome = unwinder.unwindStopped(
        tid: t.tid, maxDepth: options.maxDepth, deadlineNanos: deadline)
      switch outcome {
      case .stack(let stack, _): result.stacks[t.tid] = stack
      case .gone: result.exited.append(t.tid)
      case .failed(let err): result.failed[t.tid] = failure(tid: t.tid, errno: err)
      case .timeout: result.failed[t.tid] = timeoutText
      case .interrupted: break
      }
    }
    for t in held { RemoteUnwinder.detach(t) }
    result.maxPauseMicros = held.isEmpty ? 0 : Int((RemoteUnwinder.now - start) / 1000)
    if RemoteUnwinder.interruptSignal != nil { result.interrupted = true }
  }

  private var timeoutText: String {
    "timeout: the thread did not stop within \(options.threadTimeout) (uninterruptible sleep?)"
  }

  /// Words a ptrace failure; a thread traced by someone else names them.
  private func failure(tid: Int32, errno err: Int32) -> String {
    let status = UnwindProcFile.text("/proc/\(pid)/task/\(tid)/status") ?? ""
    if let tracer = UnwindProcFile.field(status, "TracerPid").flatMap({ Int32($0) }),
      tracer != 0, tracer != getpid()
    {
      let comm = UnwindProcFile.text("/proc/\(tracer)/comm")?.split(separator: "\n").first
        .map(String.init) ?? "?"
      return "already traced by pid \(tracer) (\(comm))"
    }
    if err == EPERM || err == EACCES { return "permission denied" }
    return "ptrace: " + SystemError.describe(err)
  }
}
