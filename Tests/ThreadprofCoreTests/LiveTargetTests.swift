import Foundation
import Testing
import ThreadprofTestSupport

@Suite struct LiveTargetTests {
  @Test func parkedTargetStartsEveryThreadAndIsKilledByPid() throws {
    let bin = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(bin, ["2", "3", "1"])
    #expect(target.tids.count == 7)
    #expect(target.stoppedOrTraced().isEmpty)
    target.stop()
    #expect(!target.isAlive)
  }
}
