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

  /// The clusters that account for the threads `current` has beyond
  /// `baseline`: none when the process has no more threads than the
  /// baseline (threads that only moved to another wait site were not left
  /// behind), else the clusters above the baseline, biggest excess first,
  /// as many as it takes to cover the extra threads.
  public static func leftBehind(
    baseline: Snapshot, current: Snapshot, groupBy: GroupBy? = nil
  ) -> [ClusterExcess] {
    let extra = threadCount(current) - threadCount(baseline)
    guard extra > 0 else { return [] }
    var covered = 0
    var result: [ClusterExcess] = []
    for e in excess(baseline: baseline, current: current, groupBy: groupBy) {
      guard covered < extra else { break }
      result.append(e)
      covered += e.extra
    }
    return result
  }

  /// Threads in a snapshot, counted from its clusters.
  public static func threadCount(_ snapshot: Snapshot) -> Int {
    snapshot.clusters.reduce(0) { $0 + $1.count }
  }

  /// One line per way two snapshots were taken differently that changes
  /// cluster ids on its own: another program, another grouping, stacks on
  /// one side only, kernel stacks or system calls readable on one side
  /// only (root versus another user).
  public static func differences(_ a: Snapshot, _ b: Snapshot) -> [String] {
    var out: [String] = []
    if a.process.name != b.process.name || a.process.exe != b.process.exe {
      out.append(
        "the snapshots are of different programs (\(a.process.name), \(b.process.name))")
    }
    if a.groupBy != b.groupBy {
      out.append("the snapshots are grouped differently (\(a.groupBy.rawValue), "
        + "\(b.groupBy.rawValue))")
    }
    if a.stacks != b.stacks { out.append("only one snapshot has stacks") }
    func readable(_ s: Snapshot, _ field: (ThreadRecord) -> Bool) -> Bool? {
      s.threads.isEmpty ? nil : s.threads.contains(where: field)
    }
    let kernelA = readable(a) { $0.kernelStack != nil }
    let kernelB = readable(b) { $0.kernelStack != nil }
    if let kernelA, let kernelB, kernelA != kernelB {
      out.append("kernel stacks were readable for only one snapshot (root versus another user?)")
    }
    let callsA = readable(a) { $0.syscall != nil }
    let callsB = readable(b) { $0.syscall != nil }
    if let callsA, let callsB, callsA != callsB {
      out.append("system calls were readable for only one snapshot (ptrace rights differ)")
    }
    return out
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
