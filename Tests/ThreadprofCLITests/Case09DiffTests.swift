// Diffing snapshots of two runs of a PIE program: new pids, tids and load
// addresses must not count as changes; only the extra janitor threads do.
import Foundation
import Testing
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// True when this process may ptrace its children (root, or Yama allows).
let canTrace: Bool = {
  if geteuid() == 0 { return true }
  let scope = try? String(contentsOfFile: "/proc/sys/kernel/yama/ptrace_scope", encoding: .utf8)
  return scope.map { $0.hasPrefix("0") } ?? true
}()

@Suite struct Case09DiffTests {
  /// Runs `pool` (with `--extra` when asked), snapshots it to a JSON file
  /// with `flags`, and returns the file and the target's executable
  /// mapping line (where its PIE was loaded).
  func snapshot(_ bin: String, extra: Bool, flags: [String], name: String) throws
    -> (path: String, base: String)
  {
    let target = try LiveTarget(bin, extra ? ["--extra"] : [])
    let maps = try String(contentsOfFile: "/proc/\(target.pid)/maps", encoding: .utf8)
    let base = maps.split(separator: "\n").first.map(String.init) ?? ""
    let path = TargetBuilder.scratch + "/case09-\(name)-\(target.pid).json"
    let result = try threadprof(
      ["snapshot"] + flags + ["--format", "json", "-o", path, "\(target.pid)"])
    guard result.status == 0 else { throw TestFailure("snapshot failed: \(result.stderr)") }
    #expect(target.stoppedOrTraced().isEmpty)
    target.stop()
    return (path, base)
  }

  /// Diffs `a` and `b` as JSON and returns the changes.
  func changes(_ a: String, _ b: String) throws -> [[String: Any]] {
    let result = try threadprof(["diff", "--format", "json", a, b])
    #expect(result.status == 0, "\(result.stderr)")
    let doc = try #require(
      JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(doc["schema"] as? String == "threadprof.diff/1")
    return try #require(doc["changes"] as? [[String: Any]])
  }

  /// Checks the CASE-09 outcome: exactly one change, a new cluster of 3,
  /// and the pool (6) and listeners (2) unchanged.
  func expectOnlyTheJanitors(_ changes: [[String: Any]], poolLabel: String?) throws {
    let changed = changes.filter { $0["status"] as? String != "same" }
    #expect(changed.count == 1, "\(changed)")
    let janitors = try #require(changed.first)
    #expect(janitors["status"] as? String == "new")
    #expect(janitors["before"] as? Int == 0)
    #expect(janitors["after"] as? Int == 3)
    #expect(janitors["delta"] as? Int == 3)
    let same = changes.filter { $0["status"] as? String == "same" }
    #expect(same.compactMap { $0["after"] as? Int }.sorted() == [1, 2, 6])
    if let poolLabel {
      #expect(same.contains { $0["label"] as? String == poolLabel && $0["after"] as? Int == 6 })
    }
  }

  var aslrOn: Bool {
    let text = try? String(contentsOfFile: "/proc/sys/kernel/randomize_va_space", encoding: .utf8)
    return text.map { !$0.hasPrefix("0") } ?? true
  }

  @Test(.enabled(if: canTrace, "needs ptrace rights for --stacks"))
  func stacksOfTwoRunsDifferOnlyByTheJanitors() throws {
    let bin = try TargetBuilder.build("pool.c", flags: ["-O1", "-g", "-fPIE", "-pie"])
    let a = try snapshot(bin, extra: false, flags: ["--stacks"], name: "stacks-a")
    let b = try snapshot(bin, extra: true, flags: ["--stacks"], name: "stacks-b")
    if aslrOn { #expect(a.base != b.base, "the PIE loaded at the same address twice") }
    let all = try changes(a.path, b.path)
    try expectOnlyTheJanitors(all, poolLabel: "pool_worker_wait")
    #expect(all.first?["label"] as? String == "janitor_tick")
    #expect(all.contains { $0["label"] as? String == "listener_loop" && $0["after"] as? Int == 2 })

    let text = try threadprof(["diff", a.path, b.path])
    #expect(text.status == 0)
    #expect(text.stdout.contains("1 cluster changed, 3 unchanged; threads +3"))
    #expect(try threadprof(["diff", "--fail-on-growth", "2", a.path, b.path]).status == 3)
  }

  @Test func waitSitesOfTwoRunsDifferOnlyByTheJanitors() throws {
    let bin = try TargetBuilder.build("pool.c", flags: ["-O1", "-g", "-fPIE", "-pie"])
    let a = try snapshot(bin, extra: false, flags: [], name: "site-a")
    let b = try snapshot(bin, extra: true, flags: [], name: "site-b")
    let all = try changes(a.path, b.path)
    try expectOnlyTheJanitors(all, poolLabel: "pool-N futex (futex_do_wait)")
    let label = try #require(all.first?["label"] as? String)
    #expect(label.hasPrefix("janitor-N clock_nanosleep"))
  }

  @Test(.enabled(if: canTrace, "needs ptrace rights for --stacks"))
  func strippedBuildComparesByModuleOffset() throws {
    let bin = try TargetBuilder.build(
      "pool.c", flags: ["-O1", "-g", "-fPIE", "-pie"], output: "pool-for-strip")
    let stripped = TargetBuilder.scratch + "/pool-stripped"
    let strip = try run("/usr/bin/strip", ["-s", "-o", stripped, bin])
    try #require(strip.status == 0, "\(strip.stderr)")
    let a = try snapshot(stripped, extra: false, flags: ["--stacks"], name: "strip-a")
    let b = try snapshot(stripped, extra: true, flags: ["--stacks"], name: "strip-b")
    let all = try changes(a.path, b.path)
    try expectOnlyTheJanitors(all, poolLabel: nil)
    // No symbols: the program's own frames are named by file offset.
    let frames = try #require(all.first?["frames"] as? [String])
    #expect(frames.contains { $0.hasPrefix("pool-stripped+0x") }, "\(frames)")
    #expect(!frames.contains("janitor_tick"))
  }
}
