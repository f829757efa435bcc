// Go's pprof reads our profiles: totals from -raw, function names in -top
// and -traces, and a profile rewritten by Go's encoder reads back in ours.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite(.enabled(if: GoTool.path != nil, "needs the go toolchain (golang-go) for go tool pprof"))
struct GoPprofTests {
  func write(_ snapshot: Snapshot, _ name: String) throws -> String {
    let path = TargetBuilder.scratch + "/" + name
    try Data(try PprofEncoder.encode(snapshot)).write(to: URL(fileURLWithPath: path))
    return path
  }

  func pprof(_ args: [String]) throws -> RunResult {
    let r = try run(GoTool.path!, ["tool", "pprof", "-symbolize=none"] + args, timeout: 60)
    #expect(r.status == 0, "go tool pprof \(args): \(r.stderr)")
    return r
  }

  @Test func rawOutputHasEverySampleAndTheTotal() throws {
    let path = try write(ExportFixture.stacks, "stacks.pb.gz")
    let raw = try pprof(["-raw", path]).stdout
    #expect(raw.contains("PeriodType: threads count"))
    #expect(raw.contains("threads/count"))
    // -raw prints each sample as "value: location ids" between the sample
    // type line and the location table.
    let lines = raw.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex(of: "threads/count"))
    let end = try #require(lines.firstIndex(of: "Locations"))
    let values = lines[start + 1..<end].compactMap { line -> Int? in
      guard let colon = line.firstIndex(of: ":") else { return nil }
      return Int(line[..<colon].trimmingCharacters(in: .whitespaces))
    }
    #expect(values.sorted() == [1, 3, 3, 8])
    #expect(raw.contains("thread_name:[pool-N-thread-N]"))
    #expect(raw.contains("wchan:[pipe_read]"))
    // The executable is mapping 1, the one pprof treats as the main binary.
    #expect(raw.contains("1: 0x555500001200/0x555500003001/0x1200 /opt/app/server abc123"))
  }

  @Test func topAndTracesNameTheFunctions() throws {
    let path = try write(ExportFixture.stacks, "stacks-top.pb.gz")
    let top = try pprof(["-top", path]).stdout
    #expect(top.contains("15 total") || top.contains("of 15 total"), "\(top)")
    for fn in ["futex_wait_queue", "epoll_wait", "spin", "read"] { #expect(top.contains(fn)) }
    let traces = try pprof(["-traces", path]).stdout
    for fn in ["worker_main", "queue_pop", "pthread_cond_wait", "start_thread", "vfs_read"] {
      #expect(traces.contains(fn), "\(fn) missing from -traces")
    }
    let waits = try write(ExportFixture.waitSites, "waits.pb.gz")
    let waitTop = try pprof(["-top", waits]).stdout
    #expect(waitTop.contains("10 total"), "\(waitTop)")
    #expect(waitTop.contains("futex_wait_queue") && waitTop.contains("syscall:read"))
  }

  @Test func profileRewrittenByGoReadsBackInOurDecoder() throws {
    let path = try write(ExportFixture.stacks, "stacks-go.pb.gz")
    let out = TargetBuilder.scratch + "/rewritten.pb.gz"
    _ = try pprof(["-proto", "-output", out, path])
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
    let p = try PprofDecoder.decode(bytes, source: out)
    #expect(p.samples.map { $0.values[0] }.sorted() == [1, 3, 3, 8])
    let stacks = p.samples.map { p.functionNames(of: $0) }
    #expect(stacks.contains { $0.contains("worker_main") && $0.contains("queue_pop") })
  }
}

/// The `go` binary, when installed.
enum GoTool {
  static let path: String? = ["/usr/bin/go", "/usr/local/go/bin/go"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }
}
