// The watch session, its bounded series and its drift-free schedule, on
// hand-made snapshots and a fake clock.
import Testing

@testable import ThreadprofCore

/// A snapshot whose clusters have the given ids and counts.
func snapshot(_ counts: [(String, Int)], groupBy: GroupBy = .site, stacks: Bool = false)
  -> Snapshot
{
  let clusters = counts.map { id, count in
    Cluster(
      id: id, count: count, tids: [], names: [NameCount(pattern: "\(id)-N", count: count)],
      state: "S", wchan: "futex_wait_queue", syscall: "futex", kernelStack: nil, stack: nil,
      cpuSeconds: 0, youngestSeconds: 0, oldestSeconds: 0)
  }
  return Snapshot(
    takenAt: "2026-12-04T16:00:00Z", host: "h", kernel: "6.1",
    process: TargetProcess(pid: 42, name: "t", exe: nil, cmdline: []), groupBy: groupBy,
    stacks: stacks, threads: [], clusters: clusters)
}

/// Fake monotonic time: sleeping jumps the clock; `work` is added by each
/// sample (to model a slow scan).
final class FakeClock: WatchClock {
  var time: Double
  var sleeps: [Double] = []
  init(_ start: Double = 1000) { time = start }
  func now() -> Double { time }
  func sleep(until deadline: Double) -> Bool {
    sleeps.append(deadline)
    time = max(time, deadline)
    return true
  }
}

@Suite struct WatchSessionTests {
  @Test func compactSeriesStaysBoundedAndKeepsExactEnds() {
    var series = CompactSeries(capacity: 16)
    for i in 0..<1000 { series.append(i % 7 == 0 ? 50 : i / 10, at: Double(i)) }
    #expect(series.trendPoints.count <= 17)
    #expect(series.bucketWidth == 64)
    #expect(series.samples == 1000)
    #expect(series.first == 50)
    #expect(series.last == 99)
    #expect(series.min == 0)
    #expect(series.max == 99)
    let points = series.trendPoints
    #expect(zip(points, points.dropFirst()).allSatisfy { $0.seconds < $1.seconds })
  }

  @Test func mergedSeriesStillShowsALeakAndItsRate() throws {
    var series = CompactSeries(capacity: 32)
    // One thread per 10 s for an hour at 1 s: 360 threads, 6 per minute.
    for i in 0..<3600 { series.append(i / 10, at: Double(i)) }
    let points = series.trendPoints
    #expect(points.count <= 33)
    let test = try #require(TrendTest.run(points))
    #expect(abs(test.slopePerSecond * 60 - 6) < 0.1)
    let rule = GrowthRule()
    #expect(rule.judge(points, test: test, last: series.last, min: series.min) == .growing)
  }

  @Test func sampleReportsDeltasBiggestFirstAndGoneClustersOnce() {
    let session = WatchSession(interval: .seconds(1))
    let s1 = session.add(snapshot([("a", 4), ("b", 2)]), at: 0)
    #expect(s1.seq == 1)
    #expect(s1.threads == 6)
    #expect(s1.delta == 0)
    #expect(s1.clusters.map(\.id) == ["a", "b"])
    let s2 = session.add(snapshot([("a", 5), ("c", 3)]), at: 1)
    #expect(s2.clusters.map(\.id) == ["c", "b", "a"])
    #expect(s2.clusters.map(\.delta) == [3, -2, 1])
    #expect(s2.delta == 2)
    let s3 = session.add(snapshot([("a", 5), ("c", 3)]), at: 2)
    #expect(!s3.clusters.contains { $0.id == "b" })
    #expect(s3.changed.isEmpty)
  }

  @Test func summaryFlagsOnlyTheGrowingCluster() throws {
    let session = WatchSession(interval: .milliseconds(500))
    for k in 0..<20 {
      let burst = (8..<12).contains(k) ? 9 : 2
      session.add(snapshot([("leak", 1 + k), ("pool", 6), ("burst", burst)]), at: Double(k) / 2)
    }
    let summary = session.summary()
    #expect(summary.samples == 20)
    #expect(abs(summary.durationSeconds - 9.5) < 1e-9)
    #expect(summary.growing.map(\.id) == ["leak"])
    let leak = try #require(summary.growing.first)
    #expect(leak.first == 1)
    #expect(leak.last == 20)
    #expect(abs(leak.perMinute - 120) < 1e-9)
    #expect(leak.steadiness == 1)
    #expect(try #require(leak.pValue) < 0.001)
    #expect(summary.clusters.count == 3)
  }

  @Test func clusterSeenLateCountsFromItsFirstSampleAndZeroWhenGone() throws {
    let session = WatchSession(interval: .seconds(1))
    for k in 0..<6 { session.add(snapshot([("pool", 3)]), at: Double(k)) }
    for k in 6..<16 { session.add(snapshot([("pool", 3), ("late", k - 5)]), at: Double(k)) }
    for k in 16..<20 { session.add(snapshot([("pool", 3)]), at: Double(k)) }
    let late = try #require(session.summary().clusters.first { $0.id == "late" })
    #expect(late.firstSeen == 7)
    #expect(late.lastSeen == 16)
    #expect(late.first == 1)
    #expect(late.last == 0)
    #expect(late.max == 10)
    #expect(!late.verdict.isGrowing)
  }

  @Test func scheduleStaysOnItsGridAndSkipsOverrunTicks() {
    var s = Schedule(start: 100, interval: 2)
    #expect(s.next(after: 100.3) == 102)
    #expect(s.next(after: 102.5) == 104)
    // A sample ran from 104 to 109.1: ticks 106 and 108 are skipped.
    #expect(s.next(after: 109.1) == 110)
    #expect(s.skipped == 2)
    #expect(s.tick == 5)
    // Finishing exactly on a tick keeps that tick.
    #expect(s.next(after: 112) == 112)
    #expect(s.skipped == 2)
  }

  @Test func loopRunsOnTheFakeClockWithoutDrift() throws {
    let clock = FakeClock()
    let session = WatchSession(interval: .seconds(5))
    let loop = WatchLoop(session: session, clock: clock, count: 4, duration: nil)
    var seen: [Int] = []
    let end = try loop.run(
      take: {
        clock.time += 0.7  // each scan takes 0.7 s
        return snapshot([("a", 1)])
      }, interrupted: { false }, onSample: { sample, _ in seen.append(sample.seq) })
    #expect(end == .countReached)
    #expect(seen == [1, 2, 3, 4])
    #expect(clock.sleeps == [1005, 1010, 1015])
  }

  @Test func loopStopsAtTheDurationAndOnInterrupt() throws {
    let clock = FakeClock(0)
    let loop = WatchLoop(
      session: WatchSession(interval: .seconds(1)), clock: clock, count: nil, duration: 10)
    let end = try loop.run(
      take: { snapshot([("a", 1)]) }, interrupted: { false }, onSample: { _, _ in })
    #expect(end == .durationReached)
    #expect(loop.session.samples == 11)

    var calls = 0
    let stopping = WatchLoop(
      session: WatchSession(interval: .seconds(1)), clock: FakeClock(), count: nil,
      duration: nil)
    let end2 = try stopping.run(
      take: { snapshot([("a", 1)]) }, interrupted: { calls += 1; return calls > 3 },
      onSample: { _, _ in })
    #expect(end2 == .interrupted)
    #expect(stopping.session.samples == 3)
  }

  @Test func loopEndsWhenTheTargetExitsButRethrowsBeforeAnySample() throws {
    let loop = WatchLoop(
      session: WatchSession(interval: .seconds(1)), clock: FakeClock(), count: 10,
      duration: nil)
    var n = 0
    let end = try loop.run(
      take: {
        n += 1
        if n > 2 { throw ThreadprofError.targetExited(pid: 42) }
        return snapshot([("a", 1)])
      }, interrupted: { false }, onSample: { _, _ in })
    #expect(end == .targetExited(.targetExited(pid: 42)))

    let never = WatchLoop(
      session: WatchSession(interval: .seconds(1)), clock: FakeClock(), count: 10,
      duration: nil)
    #expect(throws: ThreadprofError.noSuchProcess(pid: 42, hint: nil)) {
      try never.run(
        take: { throw ThreadprofError.noSuchProcess(pid: 42, hint: nil) },
        interrupted: { false }, onSample: { _, _ in })
    }
  }
}

@Suite struct WatchSessionScaleTests {
  /// Two hours at one sample a second over 20 clusters: the session keeps
  /// at most `seriesCapacity` points per cluster and still finds the leak.
  @Test func twoHoursAtOneSecondStayBounded() throws {
    let session = WatchSession(interval: .seconds(1))
    for k in 0..<7_200 {
      var counts = (0..<19).map { ("c\($0)", 3 + ($0 + k) % 4) }
      counts.append(("leak", 1 + k / 600))  // one more every 10 minutes
      session.add(snapshot(counts), at: Double(k))
    }
    let summary = session.summary()
    #expect(summary.samples == 7_200)
    #expect(summary.growing.map(\.id) == ["leak"])
    let leak = try #require(summary.growing.first)
    #expect(abs(leak.perMinute - 0.1) < 0.01)
  }
}
