// `threadprof check`: compare a live process with a baseline snapshot and
// name the clusters that hold more threads than they did then.

/// A cluster with more threads now than in the baseline.
public struct ClusterExcess: Sendable, Hashable {
  /// The cluster as it is now.
  public var cluster: Cluster
  public var baseline: Int
  public var now: Int
  public var extra: Int { now - baseline }

  public init(cluster: Cluster, baseline: Int) {
    self.cluster = cluster
    self.baseline = baseline
    now = cluster.count
  }
}

/// Finds threads left behind relative to a baseline snapshot.
public enum BaselineCheck {
  /// Clusters of `current` holding more threads than the cluster with the
  /// same id in `baseline` (0 when the baseline lacks it), biggest excess
  /// first. Both sides are regrouped by `groupBy` from their thread
  /// records when given (and when the baseline kept its threads), so a
  /// baseline taken with one grouping can be checked with another.
  public static func excess(
    baseline: Snapshot, current: Snapshot, groupBy: GroupBy? = nil
  ) -> [ClusterExcess] {
    var base = baseline.clusters
    var now = current.clusters
    if let groupBy, !baseline.threads.isEmpty, !current.threads.isEmpty {
      let grouper = Grouper(groupBy: groupBy)
      base = grouper.group(baseline.threads)
      now = grouper.group(current.threads)
    }
    let counts = Dictionary(base.map { ($0.id, $0.count) }, uniquingKeysWith: +)
    return now.compactMap { c -> ClusterExcess? in
      let before = counts[c.id] ?? 0
      return c.count > before ? ClusterExcess(cluster: c, baseline: before) : nil
    }.sorted { a, b in a.extra != b.extra ? a.extra > b.extra : a.cluster.id < b.cluster.id }
  }

  /// One line per excess cluster: id, `+extra`, counts, name and site.
  public static func render(_ excess: [ClusterExcess]) -> String {
    excess.map { e in
      let c = e.cluster
      var line = "cluster \(c.id)  +\(e.extra) (baseline \(e.baseline), now \(e.now))"
      line += "  \(ExportStack.namePattern(of: c))  \(ExportStack.site(of: c))"
      if let state = c.state { line += "  state \(state)" }
      return line + "\n"
    }.joined()
  }
}
