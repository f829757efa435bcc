// Our own pprof files read back as snapshots (clusters only), so `check`
// can take a `--format pprof` file as its baseline.
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Rebuilds the cluster list of a snapshot that `PprofEncoder` wrote.
public enum PprofSnapshot {
  /// The snapshot behind `profile`: one cluster per sample, with its id,
  /// count, name patterns, state, wait channel and system call from the
  /// sample's labels and its stack from the locations. Thread records are
  /// not in pprof files, so `threads` is empty. Throws `.badData` for a
  /// profile threadprof did not write (no `cluster` labels).
  public static func snapshot(from p: PprofProfile, source: String) throws -> Snapshot {
    var clusters: [Cluster] = []
    for sample in p.samples {
      let labels = p.stringLabels(of: sample)
      func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }
      guard let id = label("cluster"), let value = sample.values.first else {
        throw ThreadprofError.badData(
          path: source, reason: "a pprof profile without threadprof's cluster labels",
          remedy: "use a file from 'threadprof snapshot --format pprof' or --format json")
      }
      let names = labels.filter { $0.key == "thread_name" }.map {
        NameCount(pattern: $0.value, count: 0)
      }
      var cluster = Cluster(
        id: id, count: Int(value), tids: [], names: names, state: label("state"),
        wchan: label("wchan"), syscall: label("syscall"), kernelStack: nil,
        stack: frames(of: sample, in: p), cpuSeconds: 0, youngestSeconds: 0, oldestSeconds: 0)
      // Per-pattern counts are not in the file; the first pattern gets all.
      if !cluster.names.isEmpty { cluster.names[0].count = cluster.count }
      clusters.append(cluster)
    }
    var groupBy = GroupBy.site
    var pid: Int32 = 0
    for c in p.comments.map(p.string) {
      if c.hasPrefix("grouped by "),
        let word = c.dropFirst("grouped by ".count).split(separator: ";").first,
        let mode = GroupBy(rawValue: String(word))
      {
        groupBy = mode
      }
      if let range = c.firstRange(of: "snapshot of pid ") {
        pid = Int32(c[range.upperBound...].prefix { $0.isNumber }) ?? 0
      }
    }
    let taken = Date(timeIntervalSince1970: Double(p.timeNanos / 1_000_000_000))
    return Snapshot(
      takenAt: RFC3339.format(taken), host: "", kernel: "",
      process: TargetProcess(pid: pid, name: "", exe: nil, cmdline: []), groupBy: groupBy,
      stacks: groupBy == .stack, threads: [], clusters: clusters)
  }

  /// The sample's frames, innermost first, named by function.
  private static func frames(of sample: PprofProfile.Sample, in p: PprofProfile) -> [StackFrame] {
    let byLocation = Dictionary(p.locations.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let byMapping = Dictionary(p.mappings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let byFunction = Dictionary(p.functions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    var out: [StackFrame] = []
    for id in sample.locationIDs {
      guard let loc = byLocation[id] else { continue }
      let module = byMapping[loc.mappingID].map { p.string($0.filename) }
      for (i, line) in loc.lines.enumerated() {
        let fn = byFunction[line.functionID].map { p.string($0.name) }
        let kind: StackFrame.Kind =
          module == "[kernel]" || module == ExportStack.syscallModule ? .kernel : .user
        out.append(
          StackFrame(
            address: loc.address, module: module, function: fn,
            line: line.line == 0 ? nil : Int(line.line), inlined: i < loc.lines.count - 1,
            kind: kind))
      }
    }
    return out
  }
}
