// A count series of bounded size: hours of one-second samples fit in a
// fixed number of points by merging neighbours when it fills up.

/// One cluster's thread counts over a watch, in at most `capacity` points.
///
/// Each point holds the mean count and mean time of `bucketWidth`
/// consecutive samples. When the points fill up, neighbouring pairs merge
/// and the bucket width doubles, so memory stays fixed while the shape of
/// the series (what the trend test looks at) is kept. Exact first, last,
/// lowest and highest counts are kept besides.
public struct CompactSeries: Sendable, Hashable {
  public let capacity: Int
  /// Samples per full point.
  public private(set) var bucketWidth = 1
  private var points: [Bucket] = []
  private var pending = Bucket()

  public private(set) var first = 0
  public private(set) var last = 0
  public private(set) var min = 0
  public private(set) var max = 0
  /// Samples appended so far.
  public private(set) var samples = 0

  private struct Bucket: Sendable, Hashable {
    var sumSeconds = 0.0
    var sumValue = 0.0
    var count = 0

    var point: TrendPoint {
      TrendPoint(seconds: sumSeconds / Double(count), value: sumValue / Double(count))
    }

    mutating func absorb(_ other: Bucket) {
      sumSeconds += other.sumSeconds
      sumValue += other.sumValue
      count += other.count
    }
  }

  /// `capacity` is rounded up to an even number of at least 4.
  public init(capacity: Int = 1024) {
    self.capacity = Swift.max(4, capacity + capacity % 2)
  }

  /// Appends the count seen at `seconds` after the watch started.
  public mutating func append(_ count: Int, at seconds: Double) {
    if samples == 0 {
      first = count
      min = count
      max = count
    }
    samples += 1
    last = count
    min = Swift.min(min, count)
    max = Swift.max(max, count)
    pending.absorb(Bucket(sumSeconds: seconds, sumValue: Double(count), count: 1))
    guard pending.count == bucketWidth else { return }
    points.append(pending)
    pending = Bucket()
    if points.count == capacity { halve() }
  }

  /// Merges neighbouring pairs; the bucket width doubles.
  private mutating func halve() {
    var merged: [Bucket] = []
    merged.reserveCapacity(capacity)
    var i = 0
    while i + 1 < points.count {
      var b = points[i]
      b.absorb(points[i + 1])
      merged.append(b)
      i += 2
    }
    points = merged
    bucketWidth *= 2
  }

  /// The points, oldest first, with a partly filled last bucket included.
  public var trendPoints: [TrendPoint] {
    var out = points.map(\.point)
    if pending.count > 0 { out.append(pending.point) }
    return out
  }
}
