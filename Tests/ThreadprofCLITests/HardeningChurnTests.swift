// Churn at scale: a target that creates and ends thousands of threads a
// second beside a parked pool. Repeated scans never fail, never list a tid
// twice, always see the whole pool, and count vanished threads.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct HardeningChurnTests {
  static let pool = 200

  func checkRuns(_ extra: [String], runs: Int, target: LiveTarget) throws -> Int {
    var exited = 0
    for i in 0..<runs {
      let r = try threadprof(
        ["snapshot"] + extra + ["--format", "json", String(target.pid)], timeout: 60)
      #expect(r.status == 0, "run \(i): \(r.stderr)")
      guard r.status == 0 else { continue }
      #expect(r.stdout.contains("\"exited\""), "JSON always carries skipped.exited")
      let snap = try Hardening.snapshot(r)
      let tids = snap.threads.map(\.tid)
      #expect(Set(tids).count == tids.count, "run \(i): a tid listed twice")
      let keepers = snap.threads.filter { $0.name.hasPrefix("keeper-") }
      #expect(keepers.count == Self.pool, "run \(i): \(keepers.count) keepers")
      #expect(snap.threads.contains { $0.name == "churn" })
      #expect(snap.threads.contains { $0.tid == target.pid })
      exited += snap.skipped.exited
    }
    #expect(LiveTarget.wait(timeout: 5) { target.stoppedOrTraced().isEmpty })
    return exited
  }

  @Test func waitSiteScansUnderChurn() throws {
    let odd = try TargetBuilder.build("oddities.c")
    let target = try LiveTarget(odd, ["churn", String(Self.pool)])
    let exited = try checkRuns([], runs: 40, target: target)
    print("churn, wait-site: \(exited) vanished threads skipped over 40 runs")
  }

  @Test(.enabled(if: HardeningSignalTests.stacksAvailable, "this build has no --stacks yet"))
  func stackScansUnderChurn() throws {
    let odd = try TargetBuilder.build("oddities.c")
    let target = try LiveTarget(odd, ["churn", String(Self.pool)])
    let exited = try checkRuns(["--stacks"], runs: 20, target: target)
    print("churn, --stacks: \(exited) vanished threads skipped over 20 runs")
  }

  /// `watch --save` under churn: every saved sample loads, lists each tid
  /// once and holds the whole pool.
  func checkWatch(_ extra: [String], samples: Int) throws {
    let odd = try TargetBuilder.build("oddities.c")
    let target = try LiveTarget(odd, ["churn", String(Self.pool)])
    let dir = TargetBuilder.scratch + "/watch-churn-\(UUID().uuidString)"
    let r = try threadprof(
      ["watch", String(target.pid), "--interval", "100ms", "--count", String(samples),
       "--save", dir] + extra, timeout: 120)
    #expect(r.status == 0, "\(r.stderr)")
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    #expect(files.count == samples)
    var exited = 0
    for file in files {
      let snap = try SnapshotFile.load(path: dir + "/" + file)
      let tids = snap.threads.map(\.tid)
      #expect(Set(tids).count == tids.count, "\(file): a tid listed twice")
      #expect(snap.threads.filter { $0.name.hasPrefix("keeper-") }.count == Self.pool, "\(file)")
      exited += snap.skipped.exited
    }
    #expect(LiveTarget.wait(timeout: 5) { target.stoppedOrTraced().isEmpty })
    print("churn, watch \(extra): \(exited) vanished threads skipped over \(samples) samples")
  }

  @Test func watchUnderChurn() throws {
    try checkWatch([], samples: 20)
  }

  @Test(.enabled(if: HardeningSignalTests.stacksAvailable, "this build has no --stacks yet"))
  func watchWithStacksUnderChurn() throws {
    try checkWatch(["--stacks"], samples: 10)
  }
}
