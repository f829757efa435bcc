// Exports of real unwound stacks: a parked target read from /proc,
// unwound with libunwind, symbolized with libdw, grouped by stack, then
// written as pprof (read back by our decoder and Go's) and folded stacks.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct LiveStackExportTests {
  /// A stack snapshot of parked.c with 2 sleepers, 1 reader, 1 locker.
  func stackSnapshot(_ t: LiveTarget) throws -> Snapshot {
    let scan = try ProcReader().scan(pid: t.pid)
    let collector = try StackCollector(pid: t.pid)
    let symbolizer = try Symbolizer(pid: t.pid)
    let collected = collector.collect(tids: scan.threads.map(\.tid))
    var threads = scan.threads
    for i in threads.indices {
      if let raw = collected.stacks[threads[i].tid] {
        let kernel = (threads[i].kernelStack ?? []).map {
          StackFrame(address: 0, module: "[kernel]", function: $0, kind: .kernel)
        }
        threads[i].stack = kernel + symbolizer.symbolize(raw.frames)
      }
    }
    return Snapshot(
      takenAt: "2026-12-04T16:00:00Z", host: "h", kernel: "k", process: scan.process,
      groupBy: .stack, stacks: true, threads: threads,
      clusters: Grouper(groupBy: .stack).group(threads))
  }

  @Test func unwoundFunctionsReachPprofAndFoldedOutput() throws {
    let t = try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "1", "1"])
    let snap = try stackSnapshot(t)
    #expect(t.stoppedOrTraced().isEmpty)
    let bytes = try PprofEncoder.encode(snap)
    let p = try PprofDecoder.decode(bytes)
    func count(of function: String) -> Int64 {
      p.samples.filter { p.functionNames(of: $0).contains(function) }
        .reduce(0) { $0 + $1.values[0] }
    }
    #expect(p.samples.reduce(0) { $0 + $1.values[0] } == 5)
    #expect(count(of: "park_sleep") == 2)
    #expect(count(of: "park_read") == 1)
    #expect(count(of: "park_lock") == 1)
    #expect(count(of: "start_thread") == 4)
    // The executable is mapping 1 and carries its build-id.
    let exe = try #require(p.mappings.first)
    #expect(p.string(exe.filename) == snap.process.exe)
    #expect(!p.string(exe.buildID).isEmpty)
    #expect(p.mappings.contains { p.string($0.filename) == "[kernel]" })

    let folded = FoldedExport.render(snap).split(separator: "\n")
    #expect(folded.contains {
      $0.hasPrefix("reader-N;") && $0.contains(";park_read;") && $0.hasSuffix("_[k] 1")
    })

    guard let go = GoTool.path else { return }
    let path = TargetBuilder.scratch + "/live-stacks-\(t.pid).pb.gz"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let traces = try run(go, ["tool", "pprof", "-symbolize=none", "-traces", path])
    #expect(traces.status == 0, "\(traces.stderr)")
    for fn in ["park_sleep", "park_read", "park_lock", "start_thread"] {
      #expect(traces.stdout.contains(fn), "\(fn) missing from go tool pprof -traces")
    }
  }
}
