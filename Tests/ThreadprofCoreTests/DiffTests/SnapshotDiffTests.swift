// SnapshotDiff on hand-made snapshots, and SnapshotFile on good and bad
// bytes.
import Foundation
import Testing

@testable import ThreadprofCore

@Suite struct SnapshotDiffTests {
  @Test func everyStatusAndBiggestChangeFirst() throws {
    let old = snapshot([("same", 6), ("grown", 2), ("shrunk", 5), ("gone", 1)])
    let new = snapshot([("same", 6), ("grown", 3), ("shrunk", 1), ("new", 3)])
    let diff = try SnapshotDiff.compare(old, new)
    #expect(diff.changes.map(\.id) == ["shrunk", "new", "grown", "gone", "same"])
    #expect(diff.changes.map(\.status) == [.shrunk, .new, .grown, .gone, .same])
    #expect(diff.changes.map(\.delta) == [-4, 3, 1, -1, 0])
    #expect(diff.changes.map(\.before) == [5, 0, 2, 1, 6])
    #expect(diff.changes.map(\.after) == [1, 3, 3, 0, 6])
    #expect(diff.changed.count == 4)
    #expect(diff.maxGrowth == 3)
    #expect(diff.warnings.isEmpty)
  }

  @Test func equalDeltasPutGrowthFirst() throws {
    let diff = try SnapshotDiff.compare(snapshot([("a", 4)]), snapshot([("b", 4)]))
    #expect(diff.changes.map(\.status) == [.new, .gone])
  }

  @Test func identicalSnapshotsHaveNoChangesAndNoGrowth() throws {
    let s = snapshot([("a", 4), ("b", 1)])
    let diff = try SnapshotDiff.compare(s, s)
    #expect(diff.changed.isEmpty)
    #expect(diff.maxGrowth == 0)
  }

  @Test func differentGroupingIsAUsageError() {
    let old = snapshot([("a", 1)], groupBy: .site)
    let new = snapshot([("a", 1)], groupBy: .wait)
    #expect(throws: ThreadprofError.self) { try SnapshotDiff.compare(old, new) }
    do {
      _ = try SnapshotDiff.compare(old, new, oldName: "a.json", newName: "b.json")
    } catch let error as ThreadprofError {
      #expect(error.exitCode == .usage)
      #expect(error.message.contains("a.json (grouped by site)"))
      #expect(error.message.contains("b.json (grouped by wait)"))
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test func stackAgainstWaitSiteNamesTheStacksFlag() {
    let old = snapshot([("a", 1)], groupBy: .stack, stacks: true)
    let new = snapshot([("a", 1)], groupBy: .site)
    #expect(throws: ThreadprofError.usage(
      "cannot compare old (grouped by stack) with new (grouped by site); "
        + "take both with --stacks or both without")) {
      try SnapshotDiff.compare(old, new)
    }
  }

  @Test func stacksOnOneSideOnlyIsAWarning() throws {
    let diff = try SnapshotDiff.compare(
      snapshot([("a", 1)], stacks: true), snapshot([("a", 1)]), oldName: "a.json",
      newName: "b.json")
    #expect(diff.warnings.count == 1)
    #expect(diff.warnings[0].hasPrefix("a.json has stacks and b.json does not"))
  }

  @Test func labelsNameTheOwnFunctionNotTheCLibrary() {
    var c = snapshot([("a", 1)]).clusters[0]
    c.stack = [
      StackFrame(address: 1, function: "do_futex", kind: .kernel),
      StackFrame(address: 2, module: "/usr/lib/x86_64-linux-gnu/libc.so.6", function: "futex"),
      StackFrame(address: 3, module: "/opt/pool", function: "pool_worker_wait"),
    ]
    #expect(ClusterLabel.of(c) == "pool_worker_wait")
    c.stack = [StackFrame(address: 3, module: "/opt/pool", fileOffset: 0x1234)]
    #expect(ClusterLabel.of(c) == "pool+0x1234")
    c.stack = nil
    #expect(ClusterLabel.of(c) == "a-N futex (futex_wait_queue)")
  }

  @Test func aSnapshotRoundTripsThroughAFile() throws {
    let s = snapshot([("a", 2), ("b", 1)])
    let bytes = try SnapshotJSON.encode(s)
    let loaded = try SnapshotFile.decode(bytes, path: "x.json")
    #expect(loaded == s)
  }

  /// The reason a bad file is refused with, and its exit code.
  func refusal(_ text: String) -> (String, ExitCode)? {
    do {
      _ = try SnapshotFile.decode(Array(text.utf8), path: "x.json")
      return nil
    } catch let error as ThreadprofError {
      guard case .badData(_, let reason, _) = error else { return ("\(error)", error.exitCode) }
      return (reason, error.exitCode)
    } catch {
      return ("\(error)", .failure)
    }
  }

  @Test func badFilesAreRefusedWithOneClearReason() throws {
    let good = String(decoding: try SnapshotJSON.encode(snapshot([("a", 1)])), as: UTF8.self)
    let cases: [(String, String)] = [
      ("", "empty file"),
      ("   \n", "empty file"),
      ("{\"schema\": \"threadprof.snap", "truncated"),
      (String(good.prefix(good.count / 2)), "truncated"),
      ("{]", "not valid JSON"),
      ("{\"schema\": tru}", "not valid JSON"),
      ("[1, 2, 3]", "top level is not a JSON object"),
      ("{\"hello\": 1}", "no \"schema\" field"),
      ("{\"schema\": \"pprof/1\"}", "schema is 'pprof/1'"),
      (good.replacingOccurrences(of: "threadprof.snapshot/1", with: "threadprof.snapshot/2"),
       "written by a newer threadprof"),
      ("{\"schema\": \"threadprof.snapshot/1\"}", "missing required field 'taken_at'"),
      (good.replacingOccurrences(of: "\"group_by\" : \"site\"", with: "\"group_by\" : 7"),
       "field 'group_by' is not a string"),
    ]
    for (text, reason) in cases {
      let got = try #require(refusal(text), "accepted: \(text.prefix(80))")
      #expect(got.0.contains(reason), "\(text.prefix(60)) -> \(got.0)")
      #expect(got.1 == .dataError)
    }
  }

  @Test func deepNestingFailsFastWithoutRecursion() throws {
    let depth = 1_000_000
    let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    let reason = refusal(text)
    #expect(reason?.0 == "nested more than \(SnapshotFile.maxDepth) levels deep")
    #expect(reason?.1 == .dataError)
  }

  @Test func missingFileIsNoSuchFile() {
    #expect(throws: ThreadprofError.noSuchFile(path: "/nonexistent/x.json")) {
      try SnapshotFile.load(path: "/nonexistent/x.json")
    }
  }
}
