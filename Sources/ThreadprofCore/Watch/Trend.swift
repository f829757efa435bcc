// Rank-based trend test on a cluster's thread counts: Mann-Kendall with
// Sen's slope, and the rule that calls a cluster "growing".
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// One point of a count series: seconds since the watch started and the
/// thread count there (a mean when several samples were merged).
public struct TrendPoint: Sendable, Hashable {
  public var seconds: Double
  public var value: Double
  public init(seconds: Double, value: Double) {
    self.seconds = seconds
    self.value = value
  }
}

/// The Mann-Kendall test and Sen's slope over one series.
public struct TrendTest: Sendable, Hashable {
  /// Number of points tested.
  public var n: Int
  /// Mann-Kendall S: the sum of sign(x[j] - x[i]) over all pairs i < j.
  public var s: Int
  /// Variance of S under "no trend", corrected for tied values.
  public var variance: Double
  /// Normal score of S with continuity correction.
  public var z: Double
  /// One-sided p-value for "the series increases" (normal approximation).
  public var pValue: Double
  /// Kendall's tau-a, S / (n(n-1)/2): 1 for a series that only rises,
  /// near 0 for noise or a sawtooth, negative when it falls.
  public var tau: Double
  /// Sen's slope: the median of all pairwise slopes, in threads per second.
  public var slopePerSecond: Double

  /// Runs the test. `nil` for fewer than four points: the normal
  /// approximation means nothing on so few.
  public static func run(_ points: [TrendPoint]) -> TrendTest? {
    let n = points.count
    guard n >= 4 else { return nil }
    // A constant series (most clusters) has no trend: skip the O(n²) pass.
    if points.allSatisfy({ $0.value == points[0].value }) {
      return TrendTest(n: n, s: 0, variance: 0, z: 0, pValue: 1, tau: 0, slopePerSecond: 0)
    }
    var s = 0
    var slopes: [Double] = []
    slopes.reserveCapacity(n * (n - 1) / 2)
    for i in 0..<(n - 1) {
      for j in (i + 1)..<n {
        let dy = points[j].value - points[i].value
        if dy > 0 { s += 1 } else if dy < 0 { s -= 1 }
        let dx = points[j].seconds - points[i].seconds
        if dx > 0 { slopes.append(dy / dx) }
      }
    }
    let nd = Double(n)
    var variance = nd * (nd - 1) * (2 * nd + 5)
    for t in tieSizes(points.map(\.value)) where t > 1 {
      let td = Double(t)
      variance -= td * (td - 1) * (2 * td + 5)
    }
    variance /= 18
    var z = 0.0
    if variance > 0 {
      if s > 0 { z = Double(s - 1) / variance.squareRoot() }
      if s < 0 { z = Double(s + 1) / variance.squareRoot() }
    }
    let p = variance > 0 ? 0.5 * erfc(z / 2.0.squareRoot()) : 1
    let pairs = nd * (nd - 1) / 2
    return TrendTest(
      n: n, s: s, variance: variance, z: z, pValue: p, tau: Double(s) / pairs,
      slopePerSecond: median(slopes) ?? 0)
  }

  /// Sizes of the groups of equal values.
  static func tieSizes(_ values: [Double]) -> [Int] {
    var counts: [Double: Int] = [:]
    for v in values { counts[v, default: 0] += 1 }
    return Array(counts.values)
  }

  /// The median. Sorting uses the standard library's optimized sort; a
  /// full series (1,024 points) has about half a million pairwise slopes.
  static func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }
}

/// How readily `watch` calls a cluster growing: the significance level of
/// the trend test.
public enum Sensitivity: String, Sendable, CaseIterable {
  /// alpha = 0.001: only unmistakable climbs.
  case low
  /// alpha = 0.01 (the default).
  case normal
  /// alpha = 0.05: flags gentler or noisier climbs, and more false alarms.
  case high

  public var alpha: Double {
    switch self {
    case .low: return 0.001
    case .normal: return 0.01
    case .high: return 0.05
    }
  }
}

/// Why a series is, or is not, growing.
public enum GrowthVerdict: Sendable, Hashable {
  case growing
  /// Fewer than four points.
  case notEnoughSamples
  /// The trend test found no significant rise (p >= alpha or slope <= 0).
  case noTrend
  /// It rose, but by less than the minimum growth.
  case tooSmall
  /// It rose and then fell back: the end sits below the series' upper
  /// quarter.
  case fellBack

  public var isGrowing: Bool { self == .growing }
}

/// The growth rule: a cluster grows when all of these hold
/// - the one-sided Mann-Kendall p-value is below `alpha`,
/// - Sen's slope is positive,
/// - the last count minus the lowest count is at least `minGrowth`,
/// - the series ends high: the median of its final tenth (at least three
///   points) is at or above the series' 75th percentile.
public struct GrowthRule: Sendable, Hashable {
  public var alpha: Double
  public var minGrowth: Int

  public init(alpha: Double = Sensitivity.normal.alpha, minGrowth: Int = 2) {
    self.alpha = alpha
    self.minGrowth = minGrowth
  }

  /// Judges `points`; `last` and `min` are the exact counts (the points
  /// may be merged means).
  public func judge(_ points: [TrendPoint], test: TrendTest?, last: Int, min: Int)
    -> GrowthVerdict
  {
    guard let test else { return .notEnoughSamples }
    guard test.pValue < alpha, test.slopePerSecond > 0 else { return .noTrend }
    guard last - min >= minGrowth else { return .tooSmall }
    let values = points.map(\.value)
    let tail = Swift.max(3, values.count / 10)
    let end = TrendTest.median(Array(values.suffix(tail))) ?? 0
    guard end >= Self.percentile(values, 0.75) else { return .fellBack }
    return .growing
  }

  /// The `q` quantile by linear interpolation between order statistics.
  static func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    guard let first = sorted.first else { return 0 }
    guard sorted.count > 1 else { return first }
    let pos = q * Double(sorted.count - 1)
    let lo = Int(pos.rounded(.down))
    let hi = Swift.min(lo + 1, sorted.count - 1)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
  }
}
