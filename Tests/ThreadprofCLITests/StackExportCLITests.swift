// Exports of unwound stacks (`snapshot --stacks`): the functions the
// threads are parked in reach pprof and folded output.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct StackExportCLITests {
  @Test func unwoundFunctionsReachPprofAndFoldedOutput() throws {
    let t = try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "1", "1"])
    let out = TargetBuilder.scratch + "/stacks-\(t.pid).pb.gz"
    let r = try threadprof(["snapshot", "-s", "-f", "pprof", "-o", out, String(t.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    let p = try PprofDecoder.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))))
    #expect(p.samples.reduce(0) { $0 + $1.values[0] } == 5)
    #expect(p.comments.map(p.string).contains { $0.contains("stacks on") })
    func count(of function: String) -> Int64 {
      p.samples.filter { p.functionNames(of: $0).contains(function) }
        .reduce(0) { $0 + $1.values[0] }
    }
    #expect(count(of: "park_sleep") == 2)
    #expect(count(of: "park_read") == 1)
    #expect(count(of: "park_lock") == 1)
    #expect(count(of: "start_thread") >= 4)
    let exe = try #require(p.mappings.first { p.string($0.filename).contains("/parked-") })
    #expect(!p.string(exe.buildID).isEmpty)
    #expect(p.mappings[0].id == exe.id)
    let folded = try threadprof(["snapshot", "-s", "-f", "folded", String(t.pid)]).stdout
    #expect(folded.split(separator: "\n").contains {
      $0.hasPrefix("reader-N;") && $0.contains(";park_read;") && $0.hasSuffix(" 1")
    })
    #expect(t.stoppedOrTraced().isEmpty)
  }
}
