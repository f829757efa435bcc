// Comparing two snapshots cluster by cluster, by symbolic cluster id, so
// new pids, tids, times and load addresses make no difference.

/// How one cluster changed between two snapshots.
public struct ClusterChange: Sendable, Hashable {
  public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
    case new, gone, grown, shrunk, same
  }

  public var id: String
  public var status: Status
  public var before: Int
  public var after: Int
  public var delta: Int { after - before }
  public var label: String
  /// The cluster as the newer snapshot has it (the older one for `gone`).
  public var cluster: Cluster

  public init(id: String, before: Int, after: Int, label: String, cluster: Cluster) {
    self.id = id
    self.before = before
    self.after = after
    self.label = label
    self.cluster = cluster
    switch (before, after) {
    case (0, _): status = .new
    case (_, 0): status = .gone
    case _ where after > before: status = .grown
    case _ where after < before: status = .shrunk
    default: status = .same
    }
  }
}

/// The per-cluster changes from an older to a newer snapshot, biggest
/// change (by absolute delta) first; unchanged clusters last.
public struct SnapshotDiff: Sendable, Hashable {
  public var changes: [ClusterChange]
  public var groupBy: GroupBy
  /// Notes on differences that can make the comparison less useful (one
  /// snapshot with stacks and one without).
  public var warnings: [String]

  /// Compares `old` with `new`. Both must be grouped the same way (the ids
  /// of different groupings never match): otherwise a usage error naming
  /// both groupings and both files.
  public static func compare(
    _ old: Snapshot, _ new: Snapshot, oldName: String = "old", newName: String = "new"
  ) throws -> SnapshotDiff {
    guard old.groupBy == new.groupBy else {
      let fix = old.stacks != new.stacks
        ? "take both with --stacks or both without" : "take both with the same --group-by"
      throw ThreadprofError.usage(
        "cannot compare \(oldName) (grouped by \(old.groupBy.rawValue)) with \(newName) "
          + "(grouped by \(new.groupBy.rawValue)); \(fix)")
    }
    // FIXME: a snapshot does not record --exact, so exact-address and
    // symbolic stack groupings cannot be told apart here; their ids never
    // match and every cluster shows as new and gone. Recording it in the
    // document would let this refuse the pair like a --group-by mismatch.
    var warnings: [String] = []
    if old.stacks != new.stacks {
      let with = old.stacks ? oldName : newName
      let without = old.stacks ? newName : oldName
      warnings.append(
        "\(with) has stacks and \(without) does not; clusters may not match "
          + "(take both with or both without --stacks)")
    }
    // Stacks were named above; the other ways of being taken differently.
    warnings += BaselineCheck.differences(old, new).filter { $0 != "only one snapshot has stacks" }
    let before = merge(old.clusters)
    let after = merge(new.clusters)
    var changes: [ClusterChange] = []
    for (id, b) in before {
      let a = after[id]
      let cluster = a?.cluster ?? b.cluster
      changes.append(
        ClusterChange(
          id: id, before: b.count, after: a?.count ?? 0, label: ClusterLabel.of(cluster),
          cluster: cluster))
    }
    for (id, a) in after where before[id] == nil {
      changes.append(
        ClusterChange(
          id: id, before: 0, after: a.count, label: ClusterLabel.of(a.cluster), cluster: a.cluster))
    }
    changes.sort(by: order)
    return SnapshotDiff(changes: changes, groupBy: new.groupBy, warnings: warnings)
  }

  /// Clusters that changed at all.
  public var changed: [ClusterChange] { changes.filter { $0.status != .same } }

  /// The largest growth of any cluster (0 when none grew).
  public var maxGrowth: Int { changes.map(\.delta).max().map { Swift.max(0, $0) } ?? 0 }

  /// Sums duplicate ids (a valid snapshot has none) keeping the first.
  private static func merge(_ clusters: [Cluster]) -> [String: (count: Int, cluster: Cluster)] {
    var out: [String: (count: Int, cluster: Cluster)] = [:]
    for c in clusters {
      if let seen = out[c.id] {
        out[c.id] = (seen.count + c.count, seen.cluster)
      } else {
        out[c.id] = (c.count, c)
      }
    }
    return out
  }

  private static func order(_ l: ClusterChange, _ r: ClusterChange) -> Bool {
    if abs(l.delta) != abs(r.delta) { return abs(l.delta) > abs(r.delta) }
    if l.delta != r.delta { return l.delta > r.delta }
    if l.after != r.after { return l.after > r.after }
    if l.label != r.label { return l.label < r.label }
    return l.id < r.id
  }
}
