// The watch loop: take a snapshot on each tick of the schedule, feed the
// session, stop on a count, a duration, an interrupt or the target's exit.

/// Why a watch ended.
public enum WatchEnd: Sendable, Equatable {
  case countReached
  case durationReached
  /// The interrupt check returned true (SIGINT).
  case interrupted
  /// The process went away after at least one sample; carries the error
  /// the snapshot reported.
  case targetExited(ThreadprofError)
}

/// Runs samples on a `Schedule` over an injected clock. Prints nothing:
/// the caller renders each sample in `onSample`.
public final class WatchLoop {
  public let session: WatchSession
  public let clock: any WatchClock
  /// Stop after this many samples (`nil`: no limit).
  public var count: Int?
  /// Stop before a sample that would start later than this many seconds
  /// after the first (`nil`: no limit).
  public var duration: Double?
  public private(set) var schedule: Schedule?

  public init(session: WatchSession, clock: any WatchClock, count: Int?, duration: Double?) {
    self.session = session
    self.clock = clock
    self.count = count
    self.duration = duration
  }

  /// Samples until a limit is reached. `take` errors other than the target
  /// going away (or an interrupt) are rethrown; the target going away
  /// before the first sample is rethrown too (there is nothing to sum up).
  public func run(
    take: () throws -> Snapshot, interrupted: () -> Bool,
    onSample: (WatchSample, Snapshot) throws -> Void
  ) throws -> WatchEnd {
    let start = clock.now()
    var schedule = Schedule(start: start, interval: session.intervalSeconds)
    defer { self.schedule = schedule }
    while true {
      if interrupted() { return .interrupted }
      let at = clock.now()
      let snapshot: Snapshot
      do {
        snapshot = try take()
        // A process that exited but is not yet reaped shows only a zombie.
        let dead = snapshot.threads.allSatisfy { $0.state == "Z" || $0.state == "X" }
        if dead && !snapshot.threads.isEmpty {
          throw ThreadprofError.targetExited(pid: snapshot.process.pid)
        }
      } catch let error as ThreadprofError {
        if interrupted() || error == .interrupted { return .interrupted }
        switch error {
        case .noSuchProcess, .targetExited:
          if session.samples > 0 { return .targetExited(error) }
          throw error
        default:
          throw error
        }
      }
      let sample = session.add(snapshot, at: at)
      try onSample(sample, snapshot)
      if let count, session.samples >= count { return .countReached }
      let due = schedule.next(after: clock.now())
      if let duration, due - start > duration + 1e-9 { return .durationReached }
      while !clock.sleep(until: due) {
        if interrupted() { return .interrupted }
      }
    }
  }
}
