// A thread that cannot stop in time (uninterruptible sleep) is reported as
// a timeout, and released once it stops, never left stopped.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite(.serialized) struct StopTimeoutTests {
  @Test func threadInUninterruptibleSleepTimesOutAndIsReleasedLater() throws {
    let bin = try TargetBuilder.build("vforker.c")
    let target = try LiveTarget(bin)
    let ready = target.lines.last?.split(separator: " ").compactMap { Int32($0) } ?? []
    try #require(ready.count == 3)
    let (stuck, child) = (ready[1], ready[2])
    // The vfork child is the target's: end it by its pid whatever happens,
    // before the target itself.
    defer {
      kill(child, SIGKILL)
      target.stop()
    }
    let options = UnwindOptions(threadTimeout: .milliseconds(50))
    let collector = try StackCollector(pid: target.pid, options: options)
    let first = collector.collect(tids: target.tids)
    #expect(first.failed[stuck]?.hasPrefix("timeout") == true, "\(first.failed)")
    #expect(first.stacks[target.pid] != nil)

    // Once the vfork child is gone the thread leaves the kernel and stops
    // for the interrupt still pending; the next collection in this process
    // (this one, or another test's running meanwhile on the same tracer
    // thread) waits for that stop and releases it.
    kill(child, SIGKILL)
    let second = collector.collect(tids: [target.pid])
    #expect(second.stacks.count == 1)
    #expect(LiveTarget.wait { target.stoppedOrTraced().isEmpty })
  }
}
