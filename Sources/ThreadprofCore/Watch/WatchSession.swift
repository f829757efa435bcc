// A watch in progress: feeds each snapshot's cluster counts into bounded
// series and judges which clusters grow.

/// Accumulates samples of one process. Holds only per-cluster series and
/// labels, never whole snapshots, so an hours-long watch stays small.
/// Clusters are matched across samples by `Cluster.id`; a cluster missing
/// from a sample after it was first seen counts 0 there.
public final class WatchSession {
  public let intervalSeconds: Double
  public let options: WatchOptions
  private var start: Double?
  private var lastElapsed = 0.0
  private var seq = 0
  private var lastThreads = 0
  /// Per-cluster state in first-seen order, mutated in place (a copy out
  /// of a dictionary would copy the series on every sample).
  // FIXME: one track per cluster id ever seen is kept to the end, so a
  // process whose stacks never repeat (JIT churn) grows this list; dropping
  // tracks long gone would bound it, at the cost of their summary rows.
  private var tracks: [Track] = []
  private var index: [String: Int] = [:]

  private struct Track {
    var id: String
    var series: CompactSeries
    var label: String
    var stack: [StackFrame]?
    var firstSeen: Int
    var lastSeen: Int
    var previous: Int
  }

  public init(interval: Duration, options: WatchOptions = WatchOptions()) {
    let parts = interval.components
    intervalSeconds = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    self.options = options
  }

  /// Adds a snapshot taken `at` seconds on a monotonic clock and returns
  /// what changed since the previous one.
  @discardableResult
  public func add(_ snapshot: Snapshot, at seconds: Double) -> WatchSample {
    let start = self.start ?? seconds
    self.start = start
    let elapsed = Swift.max(lastElapsed, seconds - start)
    lastElapsed = elapsed
    seq += 1

    var now = [Int](repeating: 0, count: tracks.count)
    for cluster in snapshot.clusters {
      let i: Int
      if let known = index[cluster.id] {
        i = known
      } else {
        i = tracks.count
        index[cluster.id] = i
        tracks.append(
          Track(
            id: cluster.id, series: CompactSeries(capacity: options.seriesCapacity), label: "",
            stack: nil, firstSeen: seq, lastSeen: seq, previous: 0))
        now.append(0)
      }
      now[i] += cluster.count
      tracks[i].label = ClusterLabel.of(cluster)
      tracks[i].stack = cluster.stack
    }

    var counts: [WatchClusterCount] = []
    for i in tracks.indices {
      let count = now[i]
      tracks[i].series.append(count, at: elapsed)
      if count > 0 { tracks[i].lastSeen = seq }
      let previous = tracks[i].previous
      if count > 0 || previous > 0 {
        counts.append(
          WatchClusterCount(
            id: tracks[i].id, count: count, delta: count - previous, label: tracks[i].label))
      }
      tracks[i].previous = count
    }
    counts.sort {
      if abs($0.delta) != abs($1.delta) { return abs($0.delta) > abs($1.delta) }
      if $0.count != $1.count { return $0.count > $1.count }
      return $0.id < $1.id
    }

    let threads = snapshot.threads.isEmpty
      ? snapshot.clusters.reduce(0) { $0 + $1.count } : snapshot.threads.count
    let delta = seq == 1 ? 0 : threads - lastThreads
    lastThreads = threads
    return WatchSample(
      seq: seq, at: snapshot.takenAt, elapsed: elapsed, threads: threads, delta: delta,
      clusters: counts)
  }

  /// Samples added so far.
  public var samples: Int { seq }

  /// Judges every cluster seen so far.
  public func summary() -> WatchSummary {
    var all: [ClusterTrend] = []
    for track in tracks {
      let id = track.id
      let points = track.series.trendPoints
      let test = TrendTest.run(points)
      let verdict = options.rule.judge(
        points, test: test, last: track.series.last, min: track.series.min)
      all.append(
        ClusterTrend(
          id: id, label: track.label, first: track.series.first, last: track.series.last,
          min: track.series.min, max: track.series.max, firstSeen: track.firstSeen,
          lastSeen: track.lastSeen, verdict: verdict,
          perMinute: (test?.slopePerSecond ?? 0) * 60, steadiness: test?.tau,
          pValue: test?.pValue, stack: track.stack))
    }
    let growing = all.filter { $0.verdict.isGrowing }.sorted {
      $0.perMinute != $1.perMinute ? $0.perMinute > $1.perMinute : $0.id < $1.id
    }
    all.sort { $0.last != $1.last ? $0.last > $1.last : $0.id < $1.id }
    return WatchSummary(
      samples: seq, durationSeconds: lastElapsed, intervalSeconds: intervalSeconds,
      rule: options.rule, growing: growing, clusters: all)
  }
}
