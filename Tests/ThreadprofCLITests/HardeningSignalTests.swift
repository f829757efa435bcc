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

  /// For each signal, `rounds` runs: the first signalled right after the
  /// start (before any thread is traced), the others after a seeded random
  /// delay between 20 % and 80 % of the scan time measured just before.
  func signalRuns(args: [String], rounds: Int, seed: UInt64) throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["3000", "0", "0"], readyTimeout: 120)
    let scanArgs = ["snapshot"] + args + ["--format", "json", String(target.pid)]
    var rng = SeededRandom(seed: seed)
    var outcomes: [String] = []
    var interrupted = 0
    for (sig, name) in Self.signals {
      let began = Date()
      let plain = try threadprof(scanArgs, timeout: 120)
      let scanTime = Date().timeIntervalSince(began)
      #expect(plain.status == 0, "\(plain.stderr)")
      for round in 0..<rounds {
        let delay = round == 0 ? 0 : scanTime * Double.random(in: 0.2...0.8, using: &rng)
        let (status, finished) = try signalledRun(scanArgs, signal: sig, delay: delay)
        outcomes.append(
          "\(name)@\(Int(delay * 1000))/\(Int(scanTime * 1000))ms→\(status)"
            + (finished ? " (finished first)" : ""))
        if finished {
          #expect(status == 0, "\(name): finished first but exited \(status)")
        } else {
          interrupted += 1
          #expect(status == 128 + sig, "\(name) after \(delay) s gave \(status)")
        }
        #expect(
          LiveTarget.wait(timeout: 5) { target.stoppedOrTraced().isEmpty },
          "\(name) after \(delay) s left threads \(target.stoppedOrTraced().prefix(5))")
        #expect(target.isAlive)
      }
    }
    #expect(target.tids.count == 3001)
    // Most runs must really be interrupted, or the test proves nothing.
    #expect(interrupted * 2 > Self.signals.count * rounds, "\(outcomes)")
    print("signal outcomes: \(outcomes)")
  }

  /// Starts threadprof, signals it after `delay` unless it already ended,
  /// and returns its status as a shell shows it (128 + signal when killed)
  /// and whether it had finished before the signal.
  func signalledRun(_ args: [String], signal sig: Int32, delay: Double) throws -> (Int32, Bool) {
    let p = try CleanSpawn(Repo.threadprofBinary, args)
    let deadline = Date().addingTimeInterval(delay)
    while p.isRunning && Date() < deadline { usleep(200) }
    let finished = !p.isRunning
    p.signal(sig)
    return (p.wait(), finished)
  }
}
