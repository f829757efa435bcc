// `snapshot --format pprof|folded|openmetrics` on live targets: the files
// read back with the right thread counts, in our decoder and Go's pprof.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct ExportCLITests {
  /// parked.c with 3 sleepers, 2 readers, 1 locker: 7 threads with main.
  func target() throws -> LiveTarget {
    try LiveTarget(try TargetBuilder.build("parked.c"), ["3", "2", "1"])
  }

  @Test func pprofFileReadsBackWithOneSamplePerCluster() throws {
    let t = try target()
    let out = TargetBuilder.scratch + "/live-\(t.pid).pb.gz"
    let r = try threadprof(["snapshot", "--format", "pprof", "-o", out, String(t.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
    let p = try PprofDecoder.decode(bytes, source: out)
    #expect(p.samples.reduce(0) { $0 + $1.values[0] } == 7)
    let byName = Dictionary(uniqueKeysWithValues: p.samples.compactMap { s -> (String, Int64)? in
      guard let name = p.stringLabels(of: s).first(where: { $0.key == "thread_name" }) else {
        return nil
      }
      return (name.value, s.values[0])
    })
    #expect(byName["sleeper-N"] == 3)
    #expect(byName["reader-N"] == 2)
    #expect(byName["locker-N"] == 1)
    // Without stacks the wait site is the stack: readers end in the read
    // system call under the kernel's pipe read.
    let reader = try #require(p.samples.first {
      p.stringLabels(of: $0).contains { $0.value == "reader-N" }
    })
    let frames = p.functionNames(of: reader)
    #expect(frames.last == "syscall:read")
    #expect(frames.contains { $0.hasSuffix("pipe_read") })
    #expect(t.stoppedOrTraced().isEmpty)
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/go"),
    "needs the go toolchain (golang-go) for go tool pprof"))
  func goPprofCountsEveryThreadOfALiveTarget() throws {
    let t = try target()
    let out = TargetBuilder.scratch + "/live-go-\(t.pid).pb.gz"
    let r = try threadprof(["snapshot", "-f", "pprof", "-o", out, String(t.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    let top = try run("/usr/bin/go", ["tool", "pprof", "-symbolize=none", "-top", out])
    #expect(top.status == 0, "\(top.stderr)")
    #expect(top.stdout.contains("of 7 total"), "\(top.stdout)")
    #expect(top.stdout.contains("syscall:read"))
  }

  @Test func pprofToAPipeIsBinaryGzip() throws {
    let t = try target()
    let r = try threadprof(["snapshot", "--format", "pprof", String(t.pid)])
    #expect(r.status == 0)
    // `run` decodes stdout as UTF-8, so only the first byte survives as is.
    #expect(r.stdout.utf8.first == 0x1f)
  }

  @Test func foldedLinesSumToTheThreadCount() throws {
    let t = try target()
    let r = try threadprof(["snapshot", "--format", "folded", String(t.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n")
    let total = lines.reduce(0) { $0 + Int($1.split(separator: " ").last!)! }
    #expect(total == t.tids.count)
    #expect(lines.contains { $0.hasPrefix("sleeper-N;") && $0.hasSuffix(" 3") })
    #expect(lines.contains { $0.hasPrefix("reader-N;syscall:read_[k];") && $0.hasSuffix(" 2") })
  }

  @Test func openMetricsCountsEveryThread() throws {
    let t = try target()
    let r = try threadprof(["snapshot", "--format", "openmetrics", String(t.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasSuffix("# EOF\n"))
    #expect(r.stdout.contains("\nthreadprof_threads 7\n"))
    let clusterLines = r.stdout.split(separator: "\n").filter {
      $0.hasPrefix("threadprof_cluster_threads{")
    }
    let sum = clusterLines.reduce(0) { $0 + Int($1.split(separator: " ").last!)! }
    #expect(sum == 7)
    #expect(clusterLines.contains { $0.contains("name=\"reader-N\"") && $0.hasSuffix(" 2") })
  }
}
