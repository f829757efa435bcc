// `threadprof diff` run as a program: tables, JSON, exit codes, bad files.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a snapshot with the given cluster ids and counts to a scratch
/// file and returns its path.
func snapshotFile(
  _ name: String, _ counts: [(String, Int)], groupBy: GroupBy = .site
) throws -> String {
  let clusters = counts.map { id, count in
    Cluster(
      id: id, count: count, tids: [], names: [NameCount(pattern: "\(id)-N", count: count)],
      state: "S", wchan: "hrtimer_nanosleep", syscall: "clock_nanosleep", kernelStack: nil,
      stack: nil, cpuSeconds: 0, youngestSeconds: 0, oldestSeconds: 0)
  }
  let s = Snapshot(
    takenAt: "2026-12-04T16:00:00Z", host: "h", kernel: "6.1",
    process: TargetProcess(pid: 42, name: "t", exe: nil, cmdline: []), groupBy: groupBy,
    threads: [], clusters: clusters)
  return try scratchFile(name, SnapshotJSON.encode(s))
}

func scratchFile(_ name: String, _ bytes: [UInt8]) throws -> String {
  let dir = TargetBuilder.scratch + "/diff-cli"
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  let path = dir + "/" + name
  try Data(bytes).write(to: URL(fileURLWithPath: path))
  return path
}

@Suite struct DiffCLITests {
  @Test func textTableListsEveryClusterBiggestChangeFirst() throws {
    let a = try snapshotFile("t-a.json", [("pool", 6), ("web", 2), ("old", 1)])
    let b = try snapshotFile("t-b.json", [("pool", 6), ("web", 5), ("cron", 1)])
    let result = try threadprof(["diff", a, b])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    let rows = result.stdout.split(separator: "\n").drop { !$0.hasPrefix("STATUS") }.dropFirst()
    #expect(rows.map { $0.split(separator: " ")[0] } == ["grown", "new", "gone", "same"])
    #expect(rows.first?.contains("web-N") == true)
    #expect(rows.first?.split(separator: " ").prefix(4).joined(separator: " ") == "grown 2 5 +3")
    #expect(result.stdout.contains("3 clusters changed, 1 unchanged; threads +3"))
    #expect(result.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 })
  }

  @Test func jsonDocumentHasTheSchemaAndEveryChange() throws {
    let a = try snapshotFile("j-a.json", [("pool", 6), ("web", 2)])
    let b = try snapshotFile("j-b.json", [("pool", 6), ("web", 1)])
    let result = try threadprof(["diff", "--format", "json", a, b])
    #expect(result.status == 0)
    let doc = try #require(
      JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(doc["schema"] as? String == "threadprof.diff/1")
    #expect(doc["group_by"] as? String == "site")
    let changes = try #require(doc["changes"] as? [[String: Any]])
    #expect(changes.map { $0["id"] as? String } == ["web", "pool"])
    #expect(changes.map { $0["status"] as? String } == ["shrunk", "same"])
    #expect(changes.map { $0["before"] as? Int } == [2, 6])
    #expect(changes.map { $0["after"] as? Int } == [1, 6])
    #expect(changes.map { $0["delta"] as? Int } == [-1, 0])
  }

  @Test func failOnGrowthComparesWithTheThreshold() throws {
    let a = try snapshotFile("f-a.json", [("pool", 6), ("web", 2)])
    let b = try snapshotFile("f-b.json", [("pool", 4), ("web", 4)])
    #expect(try threadprof(["diff", a, b]).status == 0)
    #expect(try threadprof(["diff", "--fail-on-growth", a, b]).status == 3)
    #expect(try threadprof(["diff", a, b, "--fail-on-growth", "1"]).status == 3)
    #expect(try threadprof(["diff", "--fail-on-growth", "2", a, b]).status == 0)
    #expect(try threadprof(["diff", "--fail-on-growth", a, a]).status == 0)
  }

  @Test func differentGroupingIsAUsageError() throws {
    let a = try snapshotFile("g-a.json", [("pool", 6)], groupBy: .site)
    let b = try snapshotFile("g-b.json", [("pool", 6)], groupBy: .wait)
    let result = try threadprof(["diff", a, b])
    #expect(result.status == 64)
    #expect(result.stderr.contains("grouped by site"))
    #expect(result.stderr.contains("--group-by"))
  }

  @Test func wrongArgumentCountIsAUsageError() throws {
    let a = try snapshotFile("u-a.json", [("pool", 6)])
    #expect(try threadprof(["diff", a]).status == 64)
    #expect(try threadprof(["diff", a, a, a]).status == 64)
    #expect(try threadprof(["diff", "--format", "xml", a, a]).status == 64)
  }

  @Test func eachBadFileKindExitsWithItsCode() throws {
    let good = try snapshotFile("good.json", [("pool", 6)])
    let goodText = try String(contentsOfFile: good, encoding: .utf8)
    let deep = String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)
    let cases: [(String, String, String)] = [
      ("corrupt.json", "{\"schema\": nope}", "not valid JSON"),
      ("truncated.json", String(goodText.prefix(goodText.count / 2)), "truncated"),
      ("other.json", "{\"traceEvents\": []}", "not a threadprof snapshot"),
      ("missing.json", "{\"schema\": \"threadprof.snapshot/1\", \"taken_at\": \"x\"}",
       "missing required field 'process'"),
      ("newer.json",
       goodText.replacingOccurrences(of: "snapshot/1", with: "snapshot/2"),
       "written by a newer threadprof"),
      ("deep.json", deep, "nested more than"),
      ("empty.json", "", "empty file"),
    ]
    for (name, text, reason) in cases {
      let path = try scratchFile(name, Array(text.utf8))
      let result = try threadprof(["diff", path, good])
      #expect(result.status == 65, "\(name): \(result.stderr)")
      #expect(result.stderr.hasPrefix("threadprof: cannot load \(path): "), "\(result.stderr)")
      #expect(result.stderr.contains(reason), "\(name): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1)
    }
    let missing = try threadprof(["diff", good, "/nonexistent/snap.json"])
    #expect(missing.status == 66)
    #expect(missing.stderr.contains("/nonexistent/snap.json"))
    let dir = try threadprof(["diff", TargetBuilder.scratch, good])
    #expect(dir.status == 65)
    #expect(dir.stderr.contains("is a directory"))
    // A sparse 600 MiB file is refused by its size, before any reading.
    let huge = try scratchFile("huge.json", [])
    #expect(truncate(huge, 600 << 20) == 0)
    let big = try threadprof(["diff", huge, good])
    #expect(big.status == 65)
    #expect(big.stderr.contains("too large (600 MiB, limit 512 MiB)"), "\(big.stderr)")
  }

  @Test func snapshotsCanComeThroughPipes() throws {
    let a = try snapshotFile("p-a.json", [("pool", 6)])
    let b = try snapshotFile("p-b.json", [("pool", 7)])
    let result = try run(
      "/bin/bash", ["-c", "'\(Repo.threadprofBinary)' diff <(cat '\(a)') '\(b)'"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("grown"))
  }
}
