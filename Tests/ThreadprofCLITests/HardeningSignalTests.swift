// SIGINT, SIGTERM, SIGHUP and SIGKILL at seeded random moments of a scan
// of a 3,000-thread target: threadprof exits with the documented code and
// the target always keeps running, with no thread stopped or traced.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.serialized) struct HardeningSignalTests {
  /// True when this build's `snapshot --stacks` really unwinds (its JSON
  /// says `"stacks": true`).
  static let stacksAvailable: Bool = {
    guard let bin = try? TargetBuilder.build("parked.c"),
      let target = try? LiveTarget(bin, ["1", "0", "0"]),
      let r = try? threadprof(
        ["snapshot", "--stacks", "--format", "json", String(target.pid)], timeout: 60),
      r.status == 0, let snap = try? Hardening.snapshot(r)
    else { return false }
    return snap.stacks
  }()

  /// The exit status the docs promise for each signal (128 + n; SIGKILL
  /// cannot be caught, so the process is simply killed).
  static let signals: [(Int32, String)] = [
    (SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP"), (SIGKILL, "SIGKILL"),
  ]

  @Test func signalsDuringAWaitSiteScan() throws {
    try signalRuns(args: [], rounds: 2, seed: 0x5157)
  }

  @Test(.enabled(if: Self.stacksAvailable, "this build has no --stacks yet"))
  func signalsDuringAStacksScan() throws {
    try signalRuns(args: ["--stacks"], rounds: 3, seed: 0x5354)
  }

  /// For each signal, `rounds` runs: one signalled as soon as a target
  /// thread is traced (or right after start without --stacks), the others
  /// after a seeded random delay within the measured scan time.
  func signalRuns(args: [String], rounds: Int, seed: UInt64) throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["3000", "0", "0"], readyTimeout: 120)
    let scanArgs = ["snapshot"] + args + ["--format", "json", String(target.pid)]
    let began = Date()
    let plain = try threadprof(scanArgs, timeout: 120)
    let scanTime = Date().timeIntervalSince(began)
    #expect(plain.status == 0, "\(plain.stderr)")
    var rng = SeededRandom(seed: seed)
    var outcomes: [String] = []
    for (sig, name) in Self.signals {
      for round in 0..<rounds {
        let delay = round == 0 ? 0 : Double.random(in: 0...scanTime, using: &rng)
        let (status, finished) = try signalledRun(
          scanArgs, signal: sig, delay: delay, waitForTrace: round == 0 && !args.isEmpty,
          target: target)
        outcomes.append("\(name)@\(Int(delay * 1000))ms→\(status)")
        // Exit 0 means the scan won the race against the signal (it ended
        // between the last check and kill); anything else must be 128 + n.
        if finished || status == 0 {
          #expect(status == 0, "\(name): finished first but exited \(status)")
        } else {
          #expect(status == 128 + sig, "\(name) after \(delay) s gave \(status)")
        }
        #expect(
          LiveTarget.wait(timeout: 5) { target.stoppedOrTraced().isEmpty },
          "\(name) after \(delay) s left threads \(target.stoppedOrTraced().prefix(5))")
        #expect(target.isAlive)
      }
    }
    #expect(target.tids.count == 3001)
    print("signal outcomes (scan \(Int(scanTime * 1000)) ms): \(outcomes)")
  }

  /// Starts threadprof, signals it after `delay` (or once a thread of the
  /// target is traced), and returns its wait status as a shell would (128 +
  /// signal when killed) and whether it had already finished.
  func signalledRun(
    _ args: [String], signal sig: Int32, delay: Double, waitForTrace: Bool, target: LiveTarget
  ) throws -> (Int32, Bool) {
    let p = try CleanSpawn(Repo.threadprofBinary, args)
    if waitForTrace {
      _ = LiveTarget.wait(timeout: 30) {
        !p.isRunning || !target.stoppedOrTraced().isEmpty
      }
    } else {
      let deadline = Date().addingTimeInterval(delay)
      while p.isRunning && Date() < deadline { usleep(500) }
    }
    let finished = !p.isRunning
    p.signal(sig)
    let status = p.wait()
    return (status, finished)
  }
}
