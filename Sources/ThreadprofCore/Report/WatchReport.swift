// Watch output: one line (or one JSON object) per sample, and the summary.

/// Renders watch samples and the final summary as text or JSON lines.
public struct WatchReport {
  /// Changed clusters shown on a sample's text line.
  public var clustersPerLine: Int
  public var style: (String, TextReport.Emphasis) -> String

  public init(
    clustersPerLine: Int = 3,
    style: @escaping (String, TextReport.Emphasis) -> String = { text, _ in text }
  ) {
    self.clustersPerLine = clustersPerLine
    self.style = style
  }

  /// `16:02:05 #3     42 threads  +3   +3 worker-N read (pipe_read) ×9 · …`,
  /// within 100 columns: as many changed clusters as fit, biggest first.
  public func sampleLine(_ s: WatchSample) -> String {
    let time = s.at.split(separator: "T").last.map { String($0.dropLast()) } ?? s.at
    let head = Formatting.fit("#\(s.seq)", 6) + Formatting.right("\(s.threads)", 5)
      + " threads  " + Formatting.fit(signed(s.delta), 5)
    var width = time.count + 1 + head.count
    var line = style(time, .dim) + " " + head
    let changed = s.changed
    if changed.isEmpty { return line + style("no change", .dim) + "\n" }
    var shown = 0
    for c in changed.prefix(clustersPerLine) {
      let label = Formatting.fit(c.label, min(c.label.count, 30))
      let item = (shown > 0 ? " · " : "") + signed(c.delta) + " " + label + " ×\(c.count)"
      let rest = changed.count - shown - 1
      let reserve = rest > 0 ? 10 : 0
      if shown > 0 && width + item.count + reserve > 100 { break }
      line += (shown > 0 ? " · " : "") + style(signed(c.delta), .count) + " " + label
        + " ×\(c.count)"
      width += item.count
      shown += 1
    }
    if shown < changed.count { line += style(" · \(changed.count - shown) more", .dim) }
    return line + "\n"
  }

  /// The summary: what grew, how fast, how steadily, and where.
  /// `skipped` counts ticks left out because a sample overran them.
  public func summaryText(_ s: WatchSummary, pid: Int32, end: String, skipped: Int = 0)
    -> String
  {
    var out = "\n" + style(
      "watched pid \(pid): \(s.samples) sample\(s.samples == 1 ? "" : "s")", .heading)
    out += " over \(Formatting.age(s.durationSeconds)), every "
      + "\(Formatting.age(s.intervalSeconds)); \(end)\n"
    if skipped > 0 {
      out += style(
        "\(skipped) tick\(skipped == 1 ? " was" : "s were") skipped: samples took longer "
          + "than the interval", .warning) + "\n"
    }
    if s.growing.isEmpty {
      let tooFew = s.samples < 4 ? " (too few samples to tell: need at least 4)" : ""
      out += "no growing cluster among \(s.clusters.count) watched\(tooFew)\n"
      return out
    }
    let n = s.growing.count
    out += style("\(n) growing cluster\(n == 1 ? "" : "s")", .warning)
      + " (of \(s.clusters.count) watched):\n"
    for g in s.growing {
      out += "  " + style("\(g.first) → \(g.last)", .count) + "  "
        + "+\(Formatting.rounded(g.perMinute, 1))/min  steadiness "
        + Formatting.rounded(g.steadiness ?? 0, 2) + "  p " + pText(g.pValue) + "  "
        + style("id \(g.id)", .dim) + "\n"
      out += "    " + g.label + "\n"
      if let stack = g.stack {
        for frame in stack.filter({ $0.kind != .kernel }).prefix(6) {
          out += "      " + style(frame.symbol, .dim) + "\n"
        }
      }
    }
    return out
  }

  /// One JSON object on one line for a sample.
  public func sampleJSON(_ s: WatchSample) throws -> [UInt8] {
    var bytes = try SnapshotJSON.encode(SampleDoc(s), pretty: false)
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }

  /// One JSON object on one line for the summary.
  public func summaryJSON(_ s: WatchSummary, pid: Int32, end: String, skipped: Int = 0)
    throws -> [UInt8]
  {
    let doc = SummaryDoc(s, pid: pid, end: end, skipped: skipped)
    var bytes = try SnapshotJSON.encode(doc, pretty: false)
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }

  private func signed(_ n: Int) -> String { n > 0 ? "+\(n)" : n == 0 ? "±0" : "\(n)" }

  private func pText(_ p: Double?) -> String {
    guard let p else { return "?" }
    if p < 0.0001 { return "<0.0001" }
    return Formatting.rounded(p, 4)
  }
}

private struct SampleDoc: Encodable {
  var type = "sample"
  var seq: Int
  var at: String
  var elapsed: Double
  var threads: Int
  var delta: Int
  var clusters: [WatchClusterCount]

  init(_ s: WatchSample) {
    seq = s.seq
    at = s.at
    elapsed = (s.elapsed * 1000).rounded() / 1000
    threads = s.threads
    delta = s.delta
    clusters = s.clusters
  }
}

private struct SummaryDoc: Encodable {
  struct Trend: Encodable {
    var id: String
    var label: String
    var first, last, min, max: Int
    var firstSeen, lastSeen: Int
    var verdict: String
    var perMinute: Double
    var steadiness: Double?
    var pValue: Double?

    enum CodingKeys: String, CodingKey {
      case id, label, first, last, min, max, verdict, steadiness
      case firstSeen = "first_seen", lastSeen = "last_seen", perMinute = "per_minute"
      case pValue = "p_value"
    }

    init(_ t: ClusterTrend) {
      id = t.id
      label = t.label
      first = t.first
      last = t.last
      min = t.min
      max = t.max
      firstSeen = t.firstSeen
      lastSeen = t.lastSeen
      verdict = t.verdict.name
      perMinute = (t.perMinute * 1000).rounded() / 1000
      steadiness = t.steadiness.map { ($0 * 1000).rounded() / 1000 }
      pValue = t.pValue
    }
  }

  var type = "summary"
  var pid: Int32
  var end: String
  var samples: Int
  var durationSeconds: Double
  var intervalSeconds: Double
  var alpha: Double
  var minGrowth: Int
  var skippedTicks: Int
  var growing: [Trend]
  var clusters: [Trend]

  enum CodingKeys: String, CodingKey {
    case type, pid, end, samples, alpha, growing, clusters
    case durationSeconds = "duration_s", intervalSeconds = "interval_s"
    case minGrowth = "min_growth", skippedTicks = "skipped_ticks"
  }

  init(_ s: WatchSummary, pid: Int32, end: String, skipped: Int) {
    self.pid = pid
    self.end = end
    samples = s.samples
    durationSeconds = (s.durationSeconds * 1000).rounded() / 1000
    intervalSeconds = s.intervalSeconds
    alpha = s.rule.alpha
    minGrowth = s.rule.minGrowth
    skippedTicks = skipped
    growing = s.growing.map(Trend.init)
    clusters = s.clusters.map(Trend.init)
  }
}

extension GrowthVerdict {
  /// The verdict as a JSON word.
  public var name: String {
    switch self {
    case .growing: return "growing"
    case .notEnoughSamples: return "not-enough-samples"
    case .noTrend: return "no-trend"
    case .tooSmall: return "too-small"
    case .fellBack: return "fell-back"
    }
  }
}
