// Live checks for grouping and collection edge cases: names the kernel cut
// at 15 bytes, a target that exits mid-collection, a zombie under
// --stacks, and --debug-dir searched before the system directory.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct GroupFixesCLITests {
  /// `pool-10-thread-1` is stored as `pool-10-thread-`: it joins the
  /// `pool-1-thread-1` threads in one cluster.
  @Test func truncatedPoolNamesShareOneCluster() throws {
    let bin = try TargetBuilder.build("namedwait.c")
    let target = try LiveTarget(
      bin, ["pool-1-thread-1", "pool-2-thread-3", "pool-10-thread-1", "pool-11-thread-2"])
    let r = try threadprof(
      ["snapshot", "--group-by", "site", "--format", "json", String(target.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    let snap = try Hardening.snapshot(r)
    let names = Set(snap.threads.map(\.name))
    #expect(names.contains("pool-10-thread-"), "\(names)")
    let pools = snap.clusters.filter { $0.names.contains { $0.pattern.hasPrefix("pool-") } }
    #expect(pools.count == 1, "\(pools.map(\.names))")
    #expect(pools.first?.count == 4)
    #expect(pools.first?.names == [NameCount(pattern: "pool-N-thread-N", count: 4)])
  }

  /// The target exits as soon as the unwinder has stopped one of its
  /// threads: what was read is kept, with a warning, and exit 0.
  @Test func targetExitingDuringStacksKeepsWhatWasRead() throws {
    let bin = try TargetBuilder.build("exitwhentraced.c")
    let target = try LiveTarget(bin, ["100"])
    let r = try threadprof(["snapshot", "--stacks", "--format", "json", String(target.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stderr.contains("no process with pid"))
    let snap = try Hardening.snapshot(r)
    #expect(!snap.threads.isEmpty)
    // The target exits only once traced, so always after the /proc pass.
    #expect(
      snap.warnings.contains("process \(target.pid) exited during the scan; showing what was read"),
      "\(snap.warnings)")
  }

  /// A zombie process has no memory left to unwind: the message says so.
  @Test func zombieProcessUnderStacksIsNamedAsOne() throws {
    let odd = try TargetBuilder.build("oddities.c")
    let parent = try LiveTarget(odd, ["zombie-child"])
    let line = try #require(parent.lines.last)
    let child = try #require(Int32(line.split(separator: " ").last ?? ""))
    let r = try threadprof(["snapshot", "--stacks", String(child)])
    #expect((r.stdout + r.stderr).contains("process \(child) is a zombie: no user stacks"),
      "\(r.stdout)\n\(r.stderr)")
    #expect(!(r.stdout + r.stderr).contains("kernel thread"))
  }

  /// A --debug-dir that does not exist is named once; the system debug
  /// directory is still searched after the given ones.
  @Test func debugDirIsAddedBeforeTheSystemOne() throws {
    let bin = try TargetBuilder.build("namedwait.c")
    let target = try LiveTarget(bin, ["--timed", "a", "b"])
    let missing = TargetBuilder.scratch + "/no-such-debug-\(UUID().uuidString.prefix(8))"
    let empty = TargetBuilder.scratch + "/empty-debug"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    let r = try threadprof(
      ["snapshot", "--stacks", "--debug-dir", missing, "--debug-dir", empty, "--format", "json",
       String(target.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    let snap = try Hardening.snapshot(r)
    let notes = snap.warnings.filter { $0.hasPrefix("debug directory") }
    #expect(notes == ["debug directory \(missing) does not exist"], "\(snap.warnings)")
    // libc's line tables come from its debug file under /usr/lib/debug.
    guard FileManager.default.fileExists(atPath: "/usr/lib/debug/.build-id") else { return }
    let libc = snap.threads.flatMap { $0.stack ?? [] }.filter {
      $0.module?.contains("libc.so") == true && $0.kind == .user
    }
    #expect(!libc.isEmpty)
    #expect(libc.contains { $0.file != nil }, "\(libc.map(\.function))")
  }

  /// Threads in pthread_cond_timedwait resume through restart_syscall once
  /// a --stacks run has stopped them: site snapshots before and after show
  /// the same clusters, and check against the first finds nothing left.
  @Test func timedWaitsKeepTheirClusterAfterAnUnwind() throws {
    let bin = try TargetBuilder.build("namedwait.c")
    let target = try LiveTarget(bin, ["--timed", "tw-1", "tw-2", "tw-3", "tw-4"])
    let baseline = TargetBuilder.scratch + "/timed-\(UUID().uuidString.prefix(8)).json"
    defer { unlink(baseline) }
    func site(saveTo path: String? = nil) throws -> Snapshot {
      let r = try threadprof(
        ["snapshot", "--group-by", "site", "--format", "json", String(target.pid)])
      #expect(r.status == 0, "\(r.stderr)")
      if let path { try Data(r.stdout.utf8).write(to: URL(fileURLWithPath: path)) }
      return try Hardening.snapshot(r)
    }
    let first = try site(saveTo: baseline)
    #expect(first.threads.filter(\.timedWait).count == 5)  // the waiters and sleep(600)
    let stacks = try threadprof(["snapshot", "--stacks", String(target.pid)])
    #expect(stacks.status == 0, "\(stacks.stderr)")
    let second = try site()
    #expect(second.threads.contains { $0.syscall?.label == "restart_syscall" },
      "the unwind did not restart the waits: \(second.threads.map { $0.syscall?.label })")
    func shape(_ s: Snapshot) -> [String: Int] {
      Dictionary(uniqueKeysWithValues: s.clusters.map { ($0.id, $0.count) })
    }
    #expect(shape(first) == shape(second))
    let check = try threadprof(["check", "--baseline", baseline, String(target.pid)])
    #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
    #expect(target.stoppedOrTraced().isEmpty)
  }

  /// Names with `;`, `\`, ESC and a newline: each byte is escaped once in
  /// folded and OpenMetrics output, and parses back to the name pattern.
  @Test func foldedAndOpenMetricsEscapeNamesOnce() throws {
    let bin = try TargetBuilder.build("namedwait.c")
    let names = ["a;b\\c", "e\u{1b}f", "g\nh"]
    let target = try LiveTarget(bin, names)
    let patterns = names.map { NamePattern.normalize(Array($0.utf8)) }
    #expect(patterns == ["a;b\\\\c", "e\\x1bf", "g\\x0ah"])
    let folded = try threadprof(["snapshot", "--format", "folded", String(target.pid)])
    #expect(folded.status == 0, "\(folded.stderr)")
    let roots = folded.stdout.split(separator: "\n").map {
      String($0.prefix { $0 != ";" }).replacing("\\x3b", with: ";")
    }
    for pattern in patterns { #expect(roots.contains(pattern), "\(folded.stdout)") }
    #expect(folded.stdout.contains("a\\x3bb\\\\c;"))
    let metrics = try threadprof(["snapshot", "--format", "openmetrics", String(target.pid)])
    #expect(metrics.status == 0, "\(metrics.stderr)")
    var labels: [String] = []
    for line in metrics.stdout.split(separator: "\n")
    where line.hasPrefix("threadprof_cluster_threads{") {
      let start = try #require(line.range(of: "name=\""))
      var value = ""
      var i = start.upperBound
      while line[i] != "\"" {
        if line[i] == "\\" {
          i = line.index(after: i)
          value.append(line[i] == "n" ? "\n" : line[i])
        } else {
          value.append(line[i])
        }
        i = line.index(after: i)
      }
      labels.append(value)
    }
    for pattern in patterns { #expect(labels.contains(pattern), "\(metrics.stdout)") }
    #expect(!labels.contains { $0.contains(",") })
  }
}
