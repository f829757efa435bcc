// CASE-07: stacks through signal handlers, on a sigaltstack and nested,
// with the interrupted frame looked up at its exact PC.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite(.serialized) struct SignalFrameTests {
  @Test(arguments: ["-O0", "-O2"])
  func handlersBlockedInReadUnwindAcrossSignalFrames(optimization: String) throws {
    let bin = try TargetBuilder.build("sigframes.c", flags: [optimization, "-g"])
    let exe = (bin as NSString).lastPathComponent
    let target = try LiveTarget(bin)
    let ready = target.lines.last?.split(separator: " ").compactMap { Int32($0) } ?? []
    try #require(ready.count == 3)
    let (waiter, nested) = (ready[1], ready[2])
    let collector = try StackCollector(pid: target.pid)
    let result = collector.collect(tids: [waiter, nested])
    #expect(result.failed.isEmpty)
    let sym = try TestSymbols(pid: target.pid)
    func shown(_ s: UnwoundStack) -> [String] {
      s.frames.map { sym.module($0) == exe ? sym.name($0) : sym.module($0) }
    }

    let w = try #require(result.stacks[waiter])
    #expect(w.truncated == nil)
    #expect(sym.name(w.frames[0]) == "libc.so.6!read")
    #expect(
      shown(w) == [
        "libc.so.6", exe + "!on_usr1", "libc.so.6", exe + "!compute_loop",
        exe + "!waiter_main", "libc.so.6", "libc.so.6",
      ])
    #expect(w.frames.map(\.isSignalFrame) == [false, false, true, false, false, false, false])
    #expect(w.frames.map(\.exactPC) == [true, false, false, true, false, false, false])

    let n = try #require(result.stacks[nested])
    #expect(n.truncated == nil)
    #expect(
      shown(n) == [
        "libc.so.6", exe + "!on_usr1", "libc.so.6", "libc.so.6", "libc.so.6",
        exe + "!on_usr2", "libc.so.6", exe + "!other_loop", exe + "!nested_main",
        "libc.so.6", "libc.so.6",
      ])
    let signalAt = n.frames.indices.filter { n.frames[$0].isSignalFrame }
    #expect(signalAt == [2, 6])
    #expect(n.frames.indices.filter { n.frames[$0].exactPC } == [0, 3, 7])

    // Still blocked in their handlers' read(): nothing woke them.
    for tid in [waiter, nested] {
      let path = "/proc/\(target.pid)/task/\(tid)/syscall"
      let sc = (try? String(contentsOfFile: path, encoding: .isoLatin1)) ?? ""
      #expect(sc.hasPrefix("0 "), "tid \(tid) syscall: \(sc)")
    }
    #expect(target.stoppedOrTraced().isEmpty)
    target.stop()
    target.readLine(startingWith: "returned", timeout: 5)
    #expect(!target.lines.contains("returned"))
  }
}
