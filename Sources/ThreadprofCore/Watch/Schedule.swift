// When each watch sample is due: on a fixed grid from the start, so the
// pace does not drift, skipping ticks that a slow sample overran.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A monotonic clock that can wait; the watch loop takes one so tests can
/// run it on fake time.
public protocol WatchClock: AnyObject {
  /// Seconds on a monotonic scale (only differences mean anything).
  func now() -> Double
  /// Waits until `deadline`; returns false when a signal cut it short.
  func sleep(until deadline: Double) -> Bool
}

/// `CLOCK_MONOTONIC`, waited on with `clock_nanosleep(TIMER_ABSTIME)`,
/// which a caught signal (SIGINT) interrupts with `EINTR`.
public final class MonotonicClock: WatchClock {
  public init() {}

  public func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  public func sleep(until deadline: Double) -> Bool {
    guard deadline > now() else { return true }
    let whole = deadline.rounded(.down)
    var ts = timespec(tv_sec: Int(whole), tv_nsec: Int((deadline - whole) * 1e9))
    let rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil)
    return rc != EINTR
  }
}

/// The sampling grid: tick k is due at `start + k * interval`. After a
/// sample that overran one or more ticks, the next sample is the next
/// tick still in the future; the overrun ones are skipped, not bunched.
public struct Schedule: Sendable, Hashable {
  public let start: Double
  public let interval: Double
  /// The tick most recently handed out.
  public private(set) var tick = 0
  /// Ticks skipped because a sample overran them.
  public private(set) var skipped = 0

  public init(start: Double, interval: Double) {
    self.start = start
    self.interval = interval
  }

  /// The due time of tick `k`.
  public func due(_ k: Int) -> Double { start + Double(k) * interval }

  /// Moves to the next tick whose due time is not before `now` and
  /// returns its due time.
  public mutating func next(after now: Double) -> Double {
    var k = tick + 1
    if due(k) < now {
      let behind = ((now - start) / interval).rounded(.up)
      k = Swift.max(k, Int(behind))
      if due(k) < now { k += 1 }
    }
    skipped += k - tick - 1
    tick = k
    return due(k)
  }
}
