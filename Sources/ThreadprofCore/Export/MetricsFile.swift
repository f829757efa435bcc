// The OpenMetrics file `watch --metrics-file` keeps current for a
// Prometheus textfile collector or any scraper that reads files.

/// Rewrites a metrics file atomically after every sample, so a scraper
/// never reads a half-written exposition.
public enum MetricsFile {
  /// Renders `snapshot` with `OpenMetricsExport` and replaces `path` with
  /// it through `AtomicFile` (temp file in the same directory, `rename(2)`).
  public static func write(
    _ snapshot: Snapshot, growing: Set<String> = [], to path: String,
    generatedBy: String = Threadprof.version
  ) throws {
    let text = OpenMetricsExport.render(snapshot, growing: growing, generatedBy: generatedBy)
    try AtomicFile.write(Array(text.utf8), to: path)
  }
}
