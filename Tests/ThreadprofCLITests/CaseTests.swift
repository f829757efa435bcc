// Public reports against peer tools (CASE-03, CASE-06), replayed against
// threadprof with the behaviour the reports asked for.
import Foundation
import Testing
import ThreadprofTestSupport

@Suite struct CaseTests {
  private func clusters(_ json: String) throws -> [[String: Any]] {
    let doc = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    return try #require(doc?["clusters"] as? [[String: Any]])
  }

  private func functions(_ cluster: [String: Any]) -> [String] {
    (cluster["stack"] as? [[String: Any]] ?? []).compactMap { $0["function"] as? String }
  }

  /// CASE-06: per-thread values (arguments, stack sizes, fds, ages, names)
  /// must not split threads parked at the same place.
  @Test func identicalStacksFormOneClusterWhateverDiffersPerThread() throws {
    let bin = try TargetBuilder.build("case06.c", flags: ["-O0", "-g", "-fno-omit-frame-pointer"])
    let target = try LiveTarget(bin)
    let result = try threadprof(["snapshot", "--stacks", "-f", "json", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    let all = try clusters(result.stdout)
    #expect(all.count == 2, "\(all.map { $0["count"] ?? 0 })")
    let conns = try #require(all.first)
    #expect(conns["count"] as? Int == 64)
    let chain = functions(conns).filter { ["read", "handle_request", "serve"].contains($0) }
    #expect(chain == ["read", "handle_request", "serve"])
    #expect(functions(conns).contains("start_thread"))
    #expect(all.last?["count"] as? Int == 1)
    #expect(target.stoppedOrTraced().isEmpty)
  }

  /// CASE-03: many threads on one condition variable are unwound one at a
  /// time and form one cluster; a watch with stacks leaves them alone.
  /// (Speed is measured in bench/peers.sh, not here.)
  @Test func twoThousandWaitersFormOneClusterAndAreLeftRunning() throws {
    let target = try LiveTarget(try TargetBuilder.build("condpool.c"), ["2000"])
    let result = try threadprof(["snapshot", "--stacks", "-f", "json", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    let all = try clusters(result.stdout)
    let waiters = try #require(all.first)
    #expect(waiters["count"] as? Int == 2000)
    #expect(functions(waiters).contains("pthread_cond_wait"))
    #expect(functions(waiters).contains("wait_for_work"))
    let counter = all.first { ($0["names"] as? [[String: Any]])?.first?["pattern"] as? String
      == "counter" }
    #expect(counter?["count"] as? Int == 1)
    #expect(target.stoppedOrTraced().isEmpty)

    let watch = try threadprof(
      ["watch", "--stacks", "-i", "100ms", "-n", "5", "--fail-on-growth", String(target.pid)])
    #expect(watch.status == 0, "\(watch.stderr)")
    #expect(target.stoppedOrTraced().isEmpty)
    #expect(target.isAlive)
  }
}
