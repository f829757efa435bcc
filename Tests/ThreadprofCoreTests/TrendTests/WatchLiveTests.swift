// Watch on live targets whose worker count follows a script, one step per
// sample, so the verdict never depends on timing.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct WatchLiveTests {
  /// Runs `growth MODE` for `samples` steps, taking one snapshot per step,
  /// and returns the summary.
  func watch(_ mode: String, samples: Int = 20, stacks: Bool = false) throws -> WatchSummary {
    let bin = try TargetBuilder.build("growth.c")
    let target = try LiveTarget(bin, [mode])
    let taker = try SnapshotTaker(id: target.pid, options: SnapshotOptions(stacks: stacks))
    let session = WatchSession(interval: .milliseconds(200))
    for k in 0..<samples {
      if k > 0 {
        target.signal(SIGUSR1)
        guard target.readLine(startingWith: "step \(k) ") != nil else {
          throw TestFailure("growth \(mode) did not finish step \(k)")
        }
      }
      try waitForSigwait(target)
      let snapshot = try taker.take()
      if stacks { try #require(snapshot.stacks, "no stacks: \(snapshot.warnings)") }
      session.add(snapshot, at: Double(k) * 0.2)
    }
    #expect(target.stoppedOrTraced().isEmpty)
    return session.summary()
  }

  /// The target prints its step line just before it calls sigwait: wait
  /// until its main thread sleeps there, so no sample catches it running.
  func waitForSigwait(_ target: LiveTarget) throws {
    let path = "/proc/\(target.pid)/task/\(target.pid)/wchan"
    let parked = LiveTarget.wait {
      let wchan = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
      return wchan.contains("sigtimedwait")
    }
    if !parked { throw TestFailure("growth's main thread never reached sigwait") }
  }

  @Test(arguments: ["leak", "slowleak"])
  func leaksAreFlagged(mode: String) throws {
    let summary = try watch(mode)
    #expect(summary.samples == 20)
    #expect(summary.growing.count == 1)
    let grown = try #require(summary.growing.first)
    #expect(grown.label.hasPrefix("worker-N read"))
    #expect(grown.first == 1)
    #expect(grown.last == (mode == "leak" ? 20 : 5))
    #expect(grown.perMinute > 0)
    // The idle pool and the main thread are watched and stay flat.
    #expect(
      summary.clusters.count == 3, "\(summary.clusters.map { ($0.label, $0.first, $0.last) })")
  }

  @Test(arguments: ["flat", "burst", "sawtooth"])
  func noLeakIsNotFlagged(mode: String) throws {
    let summary = try watch(mode)
    #expect(summary.growing.isEmpty, "\(summary.clusters.map { ($0.label, $0.verdict) })")
    let workers = try #require(summary.clusters.first { $0.label.hasPrefix("worker-N") })
    #expect(workers.max == (mode == "flat" ? 4 : mode == "burst" ? 9 : 5))
  }

  /// With stacks, clusters are keyed by (module, function) frames; the
  /// verdicts must be the same.
  @Test(.enabled(if: geteuid() == 0, "needs ptrace rights"), arguments: ["slowleak", "sawtooth"])
  func stackGroupingGivesTheSameVerdicts(mode: String) throws {
    let summary = try watch(mode, stacks: true)
    if mode == "slowleak" {
      #expect(summary.growing.map(\.label) == ["worker_park"])
      #expect(summary.growing.first?.last == 5)
    } else {
      #expect(summary.growing.isEmpty)
    }
  }
}
