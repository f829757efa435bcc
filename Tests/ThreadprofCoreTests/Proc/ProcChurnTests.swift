// Threads created and joined tens of thousands of times a second beside
// four sleepers: every scan succeeds and always sees the sleepers.
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct ProcChurnTests {
  @Test func twoHundredScansOfAChurningProcess() throws {
    let target = try LiveTarget(try TargetBuilder.build("churn.c"))
    let reader = ProcReader()
    var sawVanished = 0
    for _ in 0..<200 {
      let scan = try reader.scan(pid: target.pid)
      #expect(!scan.targetExited)
      let keepers = scan.threads.filter { $0.name.hasPrefix("keeper-") }
      #expect(keepers.map(\.name).sorted() == ["keeper-0", "keeper-1", "keeper-2", "keeper-3"])
      #expect(keepers.allSatisfy { $0.state == "S" && $0.wchan == "hrtimer_nanosleep" })
      #expect(scan.threads.contains { $0.tid == target.pid })
      #expect(scan.threads.contains { $0.name == "churn" })
      #expect(scan.skipped.unreadable == 0)
      sawVanished += scan.skipped.exited
    }
    // Not asserted: whether a short-lived thread vanished mid-read is luck.
    print("churn: \(sawVanished) threads vanished mid-scan over 200 scans")
  }
}
