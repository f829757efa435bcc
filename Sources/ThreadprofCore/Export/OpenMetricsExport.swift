// OpenMetrics text exposition of a snapshot: total and per-cluster thread
// gauges plus a 0/1 "growing" gauge per cluster from watch's verdict.

/// Renders snapshots in the OpenMetrics text format (what Prometheus
/// scrapes and node_exporter's textfile collector reads).
///
/// Families, each declared once with `# TYPE`, `# UNIT` and `# HELP`:
/// - `threadprof_threads` (gauge, unit threads): all threads;
/// - `threadprof_cluster_threads{cluster,site,name,state}` (gauge);
/// - `threadprof_cluster_growing{cluster,site,name,state}` (gauge, 0/1);
/// - `threadprof_snapshot_timestamp_seconds{pid,process,version}` (gauge):
///   when the snapshot was taken, for staleness alerts.
/// `name` is the cluster's most common thread-name pattern, already
/// printable (`NameEscaping`'s `\\` and `\xNN`). Label values escape `\`,
/// `"` and newline once; the text ends with `# EOF`.
public enum OpenMetricsExport {
  /// The exposition text. `growing` holds the ids of clusters that watch
  /// judged to be growing; `generatedBy` is the producing tool's version.
  public static func render(
    _ snapshot: Snapshot, growing: Set<String> = [],
    generatedBy: String = Threadprof.version
  ) -> String {
    var out = ""
    func family(_ name: String, unit: String?, help: String) {
      out += "# TYPE \(name) gauge\n"
      if let unit { out += "# UNIT \(name) \(unit)\n" }
      out += "# HELP \(name) \(help)\n"
    }
    func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
      let set = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
      out += name + (set.isEmpty ? "" : "{\(set)}") + " " + value + "\n"
    }
    let total = snapshot.clusters.reduce(0) { $0 + $1.count }
    family("threadprof_threads", unit: "threads", help: "Threads of the process.")
    sample("threadprof_threads", [], String(total))

    let rows = snapshot.clusters.map { c -> [(String, String)] in
      [
        ("cluster", c.id), ("site", ExportStack.site(of: c)),
        ("name", ExportStack.biggestNamePattern(of: c)), ("state", c.state ?? ""),
      ]
    }
    family(
      "threadprof_cluster_threads", unit: "threads",
      help: "Threads in one cluster (same stack or wait site).")
    for (c, labels) in zip(snapshot.clusters, rows) {
      sample("threadprof_cluster_threads", labels, String(c.count))
    }
    family(
      "threadprof_cluster_growing", unit: nil,
      help: "1 when watch judged the cluster to be growing, else 0.")
    for (c, labels) in zip(snapshot.clusters, rows) {
      sample("threadprof_cluster_growing", labels, growing.contains(c.id) ? "1" : "0")
    }
    family(
      "threadprof_snapshot_timestamp_seconds", unit: "seconds",
      help: "When the snapshot was taken, in seconds since the epoch.")
    let proc = snapshot.process
    let nanos = RFC3339.nanoseconds(snapshot.takenAt) ?? 0
    sample(
      "threadprof_snapshot_timestamp_seconds",
      [("pid", String(proc.pid)), ("process", proc.name), ("version", generatedBy)],
      String(nanos / 1_000_000_000))
    out += "# EOF\n"
    return out
  }

  /// Escapes a label value: `\` as `\\`, `"` as `\"`, newline as `\n`.
  public static func escape(_ value: String) -> String {
    var out = ""
    for ch in value.unicodeScalars {
      switch ch {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      default: out.unicodeScalars.append(ch)
      }
    }
    return out
  }
}
