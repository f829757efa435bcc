// Live tests of StackCollector: exact raw stacks of parked threads, with
// and without frame pointers, in per-thread and freeze mode.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite(.serialized) struct StackCollectorTests {
  @Test(arguments: ["-fno-omit-frame-pointer", "-fomit-frame-pointer"], [false, true])
  func parkedThreadsGiveExactStacks(framePointers: String, freeze: Bool) throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g", framePointers])
    let exe = (bin as NSString).lastPathComponent
    let target = try LiveTarget(bin, ["3", "2"])
    try settle(target)
    let collector = try StackCollector(pid: target.pid, options: UnwindOptions(freeze: freeze))
    let result = collector.collect(tids: target.tids)
    #expect(result.failed.isEmpty)
    #expect(result.exited.isEmpty)
    #expect(result.stacks.count == 6)
    #expect(!result.interrupted)
    #expect(result.maxPauseMicros > 0)
    let sym = try TestSymbols(pid: target.pid)
    let reader = [
      "libc.so.6!read", exe + "!chain_c", exe + "!chain_b", exe + "!chain_a",
      exe + "!reader_main", "libc.so.6!?", "libc.so.6!?",
    ]
    let sleeper = [
      "libc.so.6!clock_nanosleep", "libc.so.6!nanosleep", exe + "!nap_inner",
      exe + "!nap_outer", exe + "!sleeper_main", "libc.so.6!?", "libc.so.6!?",
    ]
    let main = [
      "libc.so.6!pause", exe + "!main_wait", exe + "!main", "libc.so.6!?",
      "libc.so.6!__libc_start_main", exe + "!_start",
    ]
    var seen: [String: Int] = [:]
    for (tid, stack) in result.stacks {
      let names = stack.frames.map(sym.name)
      #expect(stack.truncated == nil, "tid \(tid): \(names)")
      let exact = [true] + Array(repeating: false, count: names.count - 1)
      #expect(stack.frames.map(\.exactPC) == exact)
      #expect(!stack.frames.contains { $0.isSignalFrame })
      if tid == target.pid {
        #expect(names == main)
        seen["main", default: 0] += 1
      } else if names.contains(exe + "!chain_c") {
        #expect(names == reader)
        seen["reader", default: 0] += 1
      } else {
        #expect(names == sleeper)
        seen["sleeper", default: 0] += 1
      }
    }
    #expect(seen == ["main": 1, "reader": 3, "sleeper": 2])
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func reusedCollectorGivesTheSameStacks() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g"])
    let target = try LiveTarget(bin, ["4", "4"])
    try settle(target)
    let collector = try StackCollector(pid: target.pid)
    let first = collector.collect(tids: target.tids)
    let second = collector.collect(tids: target.tids)
    #expect(first.stacks.count == 9)
    #expect(first.stacks == second.stacks)
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func maxDepthCutsTheStack() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g"])
    let target = try LiveTarget(bin, ["1", "0"])
    let collector = try StackCollector(pid: target.pid, options: UnwindOptions(maxDepth: 3))
    let result = collector.collect(tids: target.tids)
    #expect(result.stacks.count == 2)
    for stack in result.stacks.values {
      #expect(stack.frames.count == 3)
      #expect(stack.truncated == "max-depth")
    }
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func groupStoppedTargetStaysStopped() throws {
    let bin = try TargetBuilder.build("unwind_chain.c", flags: ["-O2", "-g"])
    let target = try LiveTarget(bin, ["2", "2"])
    target.signal(SIGSTOP)
    let tids = target.tids
    #expect(LiveTarget.wait { tids.allSatisfy { state(target.pid, $0) == "T" } })
    let collector = try StackCollector(pid: target.pid)
    let result = collector.collect(tids: tids)
    #expect(result.stacks.count == 5)
    #expect(result.stacks.values.allSatisfy { $0.truncated == nil && $0.frames.count >= 5 })
    // Stopped again once detached (not resumed, not killed), untraced.
    #expect(LiveTarget.wait { tids.allSatisfy { state(target.pid, $0) == "T" } })
    #expect(tids.allSatisfy { tracer(target.pid, $0) == "0" })
    target.signal(SIGCONT)
    #expect(LiveTarget.wait { tids.allSatisfy { state(target.pid, $0) == "S" } })
    #expect(target.stoppedOrTraced().isEmpty)
  }
}

/// Waits until the main thread of an `unwind_chain` target sleeps in
/// pause() (syscall 34): it prints "ready" just before it gets there.
func settle(_ target: LiveTarget) throws {
  let path = "/proc/\(target.pid)/task/\(target.pid)/syscall"
  let parked = LiveTarget.wait {
    ((try? String(contentsOfFile: path, encoding: .isoLatin1)) ?? "").hasPrefix("34 ")
      && target.tids.allSatisfy { state(target.pid, $0) == "S" }
  }
  if !parked { throw TestFailure("target \(target.pid) did not park its main thread") }
}

/// The state letter from /proc/<pid>/task/<tid>/stat.
func state(_ pid: Int32, _ tid: Int32) -> Character? {
  let path = "/proc/\(pid)/task/\(tid)/stat"
  guard let stat = try? String(contentsOfFile: path, encoding: .isoLatin1),
    let close = stat.lastIndex(of: ")")
  else { return nil }
  return stat[stat.index(close, offsetBy: 2)]
}

/// TracerPid from /proc/<pid>/task/<tid>/status.
func tracer(_ pid: Int32, _ tid: Int32) -> String? {
  let path = "/proc/\(pid)/task/\(tid)/status"
  guard let status = try? String(contentsOfFile: path, encoding: .isoLatin1),
    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("TracerPid:") })
  else { return nil }
  return line.split(separator: "\t").last.map { String($0) }
}
