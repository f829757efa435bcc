// `threadprof check` against a baseline: 0 when nothing changed, 3 with the
// extra clusters listed when threads were left behind, 0 again when they
// end within --settle.
import Foundation
import Testing
import ThreadprofTestSupport

@Suite struct CheckCLITests {
  func baseline(_ t: LiveTarget) throws -> String {
    let path = TargetBuilder.scratch + "/baseline-\(t.pid).json"
    let r = try threadprof(["snapshot", "--format", "json", "-o", path, String(t.pid)])
    #expect(r.status == 0, "\(r.stderr)")
    return path
  }

  func spawner() throws -> LiveTarget {
    try LiveTarget(try TargetBuilder.build("spawner.c"), ["2"])
  }

  @Test func unchangedProcessExitsZero() throws {
    let t = try spawner()
    let base = try baseline(t)
    let r = try threadprof(["check", "--baseline", base, String(t.pid)])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.hasPrefix("no threads left behind: 3 threads now, 3 in"))
  }

  @Test func leftoverThreadsExitThreeAndAreListed() throws {
    let t = try spawner()
    let base = try baseline(t)
    t.signal(SIGUSR1)
    #expect(t.readLine(startingWith: "spawned") != nil)
    let r = try threadprof(["check", "--baseline", base, "--settle", "100ms", String(t.pid)])
    #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("3 threads above the baseline in 1 cluster"))
    let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("cluster ") })
    #expect(line.contains("+3 (baseline 0, now 3)"))
    #expect(line.contains("extra-N"))
    #expect(line.contains("pipe_read"))
  }

  @Test func aPprofBaselineWorksToo() throws {
    let t = try spawner()
    let base = TargetBuilder.scratch + "/baseline-\(t.pid).pb.gz"
    let snap = try threadprof(["snapshot", "-f", "pprof", "-o", base, String(t.pid)])
    #expect(snap.status == 0, "\(snap.stderr)")
    let same = try threadprof(["check", "--baseline", base, String(t.pid)])
    #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
    t.signal(SIGUSR1)
    #expect(t.readLine(startingWith: "spawned") != nil)
    let r = try threadprof(["check", "--baseline", base, "--settle", "100ms", String(t.pid)])
    #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("+3 (baseline 0, now 3)  extra-N"))
    let regroup = try threadprof(["check", "-b", base, "-g", "name", String(t.pid)])
    #expect(regroup.status == 64)
  }

  @Test func aStackBaselineIsComparedByThreadName() throws {
    let t = try spawner()
    let base = TargetBuilder.scratch + "/stack-baseline-\(t.pid).json"
    let snap = try threadprof(["snapshot", "-s", "-f", "json", "-o", base, String(t.pid)])
    #expect(snap.status == 0, "\(snap.stderr)")
    let same = try threadprof(["check", "--baseline", base, String(t.pid)])
    #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
    #expect(same.stderr.contains("comparing by thread name"))
    t.signal(SIGUSR1)
    #expect(t.readLine(startingWith: "spawned") != nil)
    let r = try threadprof(["check", "--baseline", base, "--settle", "100ms", String(t.pid)])
    #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("+3 (baseline 0, now 3)  extra-N"))
    #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("cluster ") }.count == 1)
    #expect(t.stoppedOrTraced().isEmpty)
  }

  @Test func threadsEndingWithinSettlePass() throws {
    let t = try spawner()
    let base = try baseline(t)
    t.signal(SIGUSR1)
    #expect(t.readLine(startingWith: "spawned") != nil)
    t.signal(SIGUSR2)
    // The check may start while the extras still exist; it polls until they
    // are joined.
    let r = try threadprof(["check", "-b", base, "--settle", "20s", String(t.pid)])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
  }

  @Test func badBaselineAndMissingFlagAreReported() throws {
    let t = try spawner()
    let missing = try threadprof(["check", String(t.pid)])
    #expect(missing.status == 64)
    let junk = TargetBuilder.scratch + "/junk.json"
    try Data("{\"x\":1}".utf8).write(to: URL(fileURLWithPath: junk))
    let bad = try threadprof(["check", "--baseline", junk, String(t.pid)])
    #expect(bad.status == 65, "\(bad.stderr)")
    let none = try threadprof(["check", "--baseline", junk + ".nope", String(t.pid)])
    #expect(none.status == 66)
  }
}
