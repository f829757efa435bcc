// CASE-04, CASE-10, CASE-12: StackCollector refuses with the exact cause
// (another tracer, another uid, a 32-bit target) and touches nothing.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite(.serialized) struct PreflightTests {
  static let probe = Repo.root + "/.build/debug/threadprof-unwind-probe"

  /// The comm the kernel shows for a binary (its name, cut to 15 bytes).
  static func comm(_ path: String) -> String {
    String((path as NSString).lastPathComponent.prefix(15))
  }

  @Test func anotherTracerIsNamed() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g"])
    let target = try LiveTarget(bin, ["1", "1"])
    let victim = target.tids.last!
    let tracerBin = try TargetBuilder.build("tracer.c")
    let tracer = try LiveTarget(tracerBin, ["\(victim)"])
    #expect(throws: ThreadprofError.permissionDenied(
      what: "cannot trace pid \(target.pid): thread \(victim) is already traced by pid "
        + "\(tracer.pid) (\(Self.comm(tracerBin)))",
      remedy: "detach that tracer first, or drop --stacks for a wait-site snapshot")
    ) {
      try StackCollector(pid: target.pid)
    }
    tracer.stop()
    #expect(LiveTarget.wait { target.stoppedOrTraced().isEmpty })
  }

  @Test func tracerArrivingAfterInitFailsOnlyItsThread() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g"])
    let target = try LiveTarget(bin, ["2", "1"])
    let collector = try StackCollector(pid: target.pid)
    let victim = target.tids.last!
    let tracerBin = try TargetBuilder.build("tracer.c")
    let tracer = try LiveTarget(tracerBin, ["\(victim)"])
    let result = collector.collect(tids: target.tids)
    let why = "already traced by pid \(tracer.pid) (\(Self.comm(tracerBin)))"
    #expect(result.failed == [victim: why])
    #expect(result.stacks.count == 3)
    tracer.stop()
    #expect(LiveTarget.wait { target.stoppedOrTraced().isEmpty })
  }

  @Test func thirtyTwoBitTargetIsUnsupported() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-m32", "-O0", "-g"])
    let target = try LiveTarget(bin, ["1", "1"])
    #expect(throws: ThreadprofError.unsupported(
      "cannot unwind pid \(target.pid): 32-bit (i386) target not supported for --stacks; "
        + "drop --stacks for a wait-site snapshot")
    ) {
      try StackCollector(pid: target.pid)
    }
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func missingProcessIsNoSuchProcess() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g"])
    let target = try LiveTarget(bin, ["0", "0"])
    let pid = target.pid
    target.stop()
    #expect(throws: ThreadprofError.noSuchProcess(pid: pid, hint: nil)) {
      try StackCollector(pid: pid)
    }
  }

  @Test(.enabled(if: getuid() == 0, "needs root to switch to another uid"))
  func otherUserWithoutCapabilityIsDeniedWithTheCause() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g"])
    let target = try LiveTarget(bin, ["1", "1"])
    let r = try run(
      "/usr/bin/setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", Self.probe, "\(target.pid)", "--once"],
      timeout: 60)
    #expect(r.status == 77)
    #expect(
      r.stderr == "threadprof-unwind-probe: cannot trace pid \(target.pid): pid \(target.pid) "
        + "runs as uid 0, threadprof as uid 65534 without CAP_SYS_PTRACE: permission denied; "
        + "run as root or with CAP_SYS_PTRACE, or drop --stacks for a wait-site snapshot\n")
    #expect(target.stoppedOrTraced().isEmpty)
  }
}
