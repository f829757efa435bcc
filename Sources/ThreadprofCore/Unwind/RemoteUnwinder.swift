// The one Swift file that calls the C unwinder (tp_trace.h, tp_unwind.h);
// everything else sees the safe types here.
import CThreadprof

#if canImport(Glibc)
  import Glibc
#endif

/// What happened to one thread.
enum ThreadOutcome {
  case stack(UnwoundStack, pauseNanos: UInt64)
  /// The thread exited before or while it was read.
  case gone
  /// A ptrace request failed with this errno.
  case failed(errno: Int32)
  /// The thread never stopped within the time bound.
  case timeout
  /// A graceful interrupt arrived; the thread was released unread.
  case interrupted
}

/// A thread stopped by `RemoteUnwinder.attach`, to be passed to `detach`.
struct AttachedThread {
  var tid: Int32
  var pendingSignal: Int32
}

/// libunwind over ptrace for one target process (`tp_unwinder`). Not
/// thread-safe: one caller at a time, on the thread that made itself the
/// tracer with `beginTracing()`.
final class RemoteUnwinder {
  private let handle: OpaquePointer
  private var buffer: [tp_frame]

  /// Creates the remote address space (`unw_create_addr_space`).
  init?(pid: Int32, maxDepth: Int) {
    guard let h = tp_unwinder_create(pid) else { return nil }
    handle = h
    buffer = Array(repeating: tp_frame(), count: max(1, maxDepth))
  }

  deinit { tp_unwinder_destroy(handle) }

  /// Rereads `/proc/<pid>/maps` and drops modules that went away.
  func beginCollection() { tp_unwinder_begin(handle) }

  /// Seize, interrupt, unwind and detach one thread (`tp_unwind_thread`).
  func unwind(tid: Int32, maxDepth: Int, timeoutNanos: UInt64) -> ThreadOutcome {
    var r = tp_thread_result()
    let depth = Int32(min(maxDepth, buffer.count))
    buffer.withUnsafeMutableBufferPointer { buf in
      tp_unwind_thread(handle, tid, depth, timeoutNanos, buf.baseAddress, &r)
    }
    return outcome(r)
  }

  /// Unwinds a thread already stopped by `attach` (`tp_unwind_stopped`).
  func unwindStopped(tid: Int32, maxDepth: Int, deadlineNanos: UInt64) -> ThreadOutcome {
    var r = tp_thread_result()
    let depth = Int32(min(maxDepth, buffer.count))
    buffer.withUnsafeMutableBufferPointer { buf in
      tp_unwind_stopped(handle, tid, depth, deadlineNanos, buf.baseAddress, &r)
    }
    return outcome(r)
  }

  private func outcome(_ r: tp_thread_result) -> ThreadOutcome {
    switch Int(r.status) {
    case Int(TP_THREAD_OK.rawValue):
      var frames: [RawFrame] = []
      frames.reserveCapacity(Int(r.nframes))
      for i in 0..<Int(r.nframes) {
        let f = buffer[i]
        frames.append(
          RawFrame(ip: f.ip, isSignalFrame: f.signal_frame != 0, exactPC: f.exact_pc != 0))
      }
      let reason = withUnsafeBytes(of: r.truncated) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      let stack = UnwoundStack(frames: frames, truncated: reason.isEmpty ? nil : reason)
      return .stack(stack, pauseNanos: r.pause_ns)
    case Int(TP_THREAD_GONE.rawValue): return .gone
    case Int(TP_THREAD_TIMEOUT.rawValue): return .timeout
    case Int(TP_THREAD_INTERRUPTED.rawValue): return .interrupted
    default: return .failed(errno: r.err)
    }
  }

  /// `PTRACE_SEIZE` + `PTRACE_INTERRUPT` + `waitpid` for `--freeze`.
  static func attach(pid: Int32, tid: Int32, timeoutNanos: UInt64) -> Result<
    AttachedThread, AttachFailure
  > {
    var r = tp_attach_result()
    tp_attach(pid, tid, timeoutNanos, &r)
    switch Int(r.outcome) {
    case Int(TP_ATTACH_STOPPED.rawValue):
      return .success(AttachedThread(tid: tid, pendingSignal: r.pending_signal))
    case Int(TP_ATTACH_GONE.rawValue): return .failure(.gone)
    case Int(TP_ATTACH_TIMEOUT.rawValue): return .failure(.timeout)
    default: return .failure(.errno(r.err))
    }
  }

  /// `PTRACE_DETACH`, handing back a signal caught while stopped.
  static func detach(_ thread: AttachedThread) {
    _ = tp_detach(thread.tid, thread.pendingSignal)
  }

  /// Makes the calling thread the tracer (`tp_tracer_begin`).
  static func beginTracing() -> Int32 { tp_tracer_begin() }
  static func endTracing() { tp_tracer_end() }

  /// Detaches threads that stopped late; returns how many are still seized.
  static func releasePending(timeoutNanos: UInt64) -> Int {
    Int(tp_release_pending(timeoutNanos))
  }

  static func installSignalHandlers(graceful: Bool) {
    tp_install_signal_handlers(graceful ? 1 : 0)
  }

  /// The signal that interrupted a graceful run, or `nil`.
  static var interruptSignal: Int32? {
    let s = tp_interrupted()
    return s == 0 ? nil : s
  }

  /// `CLOCK_MONOTONIC`, in nanoseconds.
  static var now: UInt64 { tp_now_ns() }
}

/// Why `RemoteUnwinder.attach` did not stop a thread.
enum AttachFailure: Error {
  case gone
  case timeout
  case errno(Int32)
}
