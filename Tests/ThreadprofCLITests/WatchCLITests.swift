// `threadprof watch` run as a program on live targets: verdicts, JSON
// lines, --save, Ctrl-C, a target that exits, and bad flags.
import Foundation
import Testing
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Parses JSON lines into objects.
func jsonLines(_ text: String) throws -> [[String: Any]] {
  try text.split(separator: "\n").map { line in
    guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else { throw TestFailure("not a JSON object: \(line)") }
    return obj
  }
}

@Suite struct WatchCLITests {
  @Test func leakingTargetIsFlaggedAndFailsOnGrowth() throws {
    try watchLeak(extra: [])
  }

  @Test(.enabled(if: canTrace, "needs ptrace rights for --stacks"))
  func leakingTargetIsFlaggedByStack() throws {
    try watchLeak(extra: ["--stacks"])
  }

  func watchLeak(extra: [String]) throws {
    // The target adds a worker every 50 ms, faster than the samples come,
    // so every sample sees more workers whatever the machine's pace.
    let target = try LiveTarget(try TargetBuilder.build("growth.c"), ["leak", "--auto", "50"])
    let metrics = TargetBuilder.scratch + "/metrics-\(target.pid).prom"
    let result = try threadprof(
      ["watch", "\(target.pid)", "--interval", "100ms", "--count", "15", "--fail-on-growth",
       "--metrics-file", metrics] + extra)
    #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
    // The last rewrite of the metrics file carries the verdict.
    let gauges = try String(contentsOfFile: metrics, encoding: .utf8)
      .split(separator: "\n").filter { $0.hasPrefix("threadprof_cluster_growing{") }
    #expect(gauges.filter { $0.hasSuffix(" 1") }.count == 1)
    #expect(gauges.first { $0.hasSuffix(" 1") }?.contains("name=\"worker-N\"") == true)
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first?.hasPrefix("watching pid \(target.pid) every 100ms, 15 samples") == true)
    #expect(lines.filter { $0.contains(" threads ") }.count == 15)
    #expect(result.stdout.contains("1 growing cluster (of "))
    #expect(result.stdout.contains(extra.isEmpty ? "    worker-N read" : "    worker_park\n"))
    #expect(result.stdout.contains("/min  steadiness "))
    #expect(lines.allSatisfy { $0.count <= 100 })
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func flatTargetInJSONHasSampleLinesAndASummary() throws {
    let target = try LiveTarget(try TargetBuilder.build("growth.c"), ["flat"])
    let result = try threadprof(
      ["watch", "\(target.pid)", "-i", "100ms", "-n", "6", "--format", "json",
       "--fail-on-growth"])
    #expect(result.status == 0, "\(result.stderr)")
    let objects = try jsonLines(result.stdout)
    #expect(objects.count == 7)
    #expect(objects.dropLast().allSatisfy { $0["type"] as? String == "sample" })
    #expect(objects.dropLast().map { $0["seq"] as? Int } == Array(1...6))
    let first = objects[0]
    #expect(first["threads"] as? Int == 8)
    let clusters = try #require(first["clusters"] as? [[String: Any]])
    #expect(clusters.first?["count"] as? Int == 4)
    #expect(clusters.allSatisfy { $0["id"] is String && $0["delta"] is Int })
    let summary = try #require(objects.last)
    #expect(summary["type"] as? String == "summary")
    #expect(summary["samples"] as? Int == 6)
    #expect((summary["growing"] as? [Any])?.isEmpty == true)
    #expect((summary["clusters"] as? [Any])?.count == 3)
  }

  @Test func saveWritesSnapshotsThatDiffReads() throws {
    let target = try LiveTarget(try TargetBuilder.build("growth.c"), ["leak", "--auto", "50"])
    let dir = TargetBuilder.scratch + "/save-\(target.pid)"
    try? FileManager.default.removeItem(atPath: dir)
    let result = try threadprof(
      ["watch", "\(target.pid)", "-i", "100ms", "-n", "3", "--save", dir])
    #expect(result.status == 0, "\(result.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(files == ["000001.json", "000002.json", "000003.json"])
    let diff = try threadprof(
      ["diff", "--format", "json", dir + "/000001.json", dir + "/000003.json"])
    #expect(diff.status == 0, "\(diff.stderr)")
    let doc = try #require(
      JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])
    let changes = try #require(doc["changes"] as? [[String: Any]])
    #expect(changes.first?["status"] as? String == "grown")
    #expect((changes.first?["label"] as? String)?.hasPrefix("worker-N") == true)
  }

  @Test func interruptPrintsTheSummaryAndExitsByTheRule() throws {
    let target = try LiveTarget(try TargetBuilder.build("growth.c"), ["flat"])
    let watch = try CleanSpawn(
      Repo.threadprofBinary, ["watch", "\(target.pid)", "-i", "100ms", "--fail-on-growth"],
      stdout: .pipe)
    // A watch that ignores SIGINT is killed when the test ends.
    defer { watch.signal(SIGKILL) }
    // Wait for the second sample line, then press Ctrl-C.
    var text = ""
    let fd = watch.stdoutFD
    func readMore(timeout: Int32) throws -> Bool {
      var buf = [UInt8](repeating: 0, count: 4096)
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&pfd, 1, timeout) > 0 else { throw TestFailure("watch printed nothing more") }
      let n = read(fd, &buf, buf.count)
      guard n > 0 else { return false }
      text += String(decoding: buf[0..<n], as: UTF8.self)
      return true
    }
    while text.components(separatedBy: " threads ").count < 3 {
      guard try readMore(timeout: 30_000) else {
        throw TestFailure("watch ended early: \(text)")
      }
    }
    watch.signal(SIGINT)
    while try readMore(timeout: 30_000) {}
    #expect(watch.wait() == 0)
    #expect(text.contains("; interrupted\n"))
    #expect(text.contains("no growing cluster among 3 watched"))
  }

  @Test func targetThatExitsEndsTheWatchWithASummary() throws {
    let target = try LiveTarget(
      try TargetBuilder.build("growth.c"), ["flat", "--auto", "100", "--exit-after", "5"])
    let result = try threadprof(["watch", "\(target.pid)", "-i", "100ms", "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("process \(target.pid) exited"))
    let summary = try #require(try jsonLines(result.stdout).last)
    #expect(summary["type"] as? String == "summary")
    #expect(summary["end"] as? String == "target exited")
    #expect((summary["samples"] as? Int ?? 0) >= 1)
  }

  @Test(arguments: [
    (["-i", "0s"], "--interval"), (["-i", "5 seconds"], "--interval"),
    (["--interval", "-1s"], "--interval"), (["--duration", "abc"], "--duration"),
    (["-n", "0"], "--count"), (["-n", "5", "-d", "1m"], "--count or --duration"),
    (["--sensitivity", "extreme"], "--sensitivity"), (["--sensitivity", "1.5"], "--sensitivity"),
    (["--min-growth", "0"], "--min-growth"), (["--format", "yaml"], "--format"),
  ])
  func badFlagsAreUsageErrorsNamingTheFlag(args: [String], flag: String) throws {
    let result = try threadprof(["watch", "\(getpid())"] + args)
    #expect(result.status == 64, "\(args): \(result.stderr)")
    #expect(result.stderr.contains(flag), "\(args): \(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test func missingProcessExits66() throws {
    let result = try threadprof(["watch", "999999999", "-n", "2"])
    #expect(result.status == 64 || result.status == 66)
    let gone = try threadprof(["watch", "4194303", "-n", "2"])
    #expect(gone.status == 66, "\(gone.stderr)")
  }
}
