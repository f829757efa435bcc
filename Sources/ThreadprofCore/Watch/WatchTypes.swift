// The values a watch produces: one per sample, and the summary at the end.

/// Knobs of a watch.
public struct WatchOptions: Sendable, Hashable {
  /// When a cluster counts as growing.
  public var rule: GrowthRule
  /// Points kept per cluster; older samples are merged beyond this.
  public var seriesCapacity: Int

  public init(rule: GrowthRule = GrowthRule(), seriesCapacity: Int = 1024) {
    self.rule = rule
    self.seriesCapacity = seriesCapacity
  }
}

/// One cluster's count in one sample.
public struct WatchClusterCount: Sendable, Hashable, Codable {
  public var id: String
  public var count: Int
  /// Change since the previous sample (the whole count for a new cluster).
  public var delta: Int
  public var label: String

  public init(id: String, count: Int, delta: Int, label: String) {
    self.id = id
    self.count = count
    self.delta = delta
    self.label = label
  }
}

/// What one sample saw.
public struct WatchSample: Sendable, Hashable {
  /// 1 for the first sample.
  public var seq: Int
  /// The snapshot's wall-clock time (RFC 3339).
  public var at: String
  /// Seconds since the first sample.
  public var elapsed: Double
  /// Threads in the process.
  public var threads: Int
  /// Change in threads since the previous sample.
  public var delta: Int
  /// Every cluster present now or in the previous sample (then with count
  /// 0), biggest change first, then biggest count.
  public var clusters: [WatchClusterCount]

  /// The clusters whose count changed.
  public var changed: [WatchClusterCount] { clusters.filter { $0.delta != 0 } }
}

/// One cluster over the whole watch.
public struct ClusterTrend: Sendable, Hashable {
  public var id: String
  public var label: String
  /// Count when first seen, and in the last sample (0 if gone by then).
  public var first: Int
  public var last: Int
  public var min: Int
  public var max: Int
  /// Sample numbers of the first and last sample that had the cluster.
  public var firstSeen: Int
  public var lastSeen: Int
  public var verdict: GrowthVerdict
  /// Sen's slope in threads per minute (0 with fewer than four samples).
  public var perMinute: Double
  /// Kendall's tau of the series, -1...1 (1: every step up or level).
  public var steadiness: Double?
  /// One-sided Mann-Kendall p-value for a rise.
  public var pValue: Double?
  /// A representative stack, when the snapshots had stacks.
  public var stack: [StackFrame]?
}

/// What a whole watch found.
public struct WatchSummary: Sendable, Hashable {
  public var samples: Int
  /// Seconds from the first sample to the last.
  public var durationSeconds: Double
  public var intervalSeconds: Double
  public var rule: GrowthRule
  /// Clusters judged growing, fastest first.
  public var growing: [ClusterTrend]
  /// Every cluster seen, biggest last count first.
  public var clusters: [ClusterTrend]
}
