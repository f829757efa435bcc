// Diff output: a table of cluster changes, or a `threadprof.diff/1` JSON
// document.

/// Renders a `SnapshotDiff` as text or JSON.
public struct DiffReport {
  public static let schema = "threadprof.diff/1"
  public var style: (String, TextReport.Emphasis) -> String

  public init(style: @escaping (String, TextReport.Emphasis) -> String = { text, _ in text }) {
    self.style = style
  }

  /// A header naming both snapshots, then one row per cluster, biggest
  /// change first, unchanged clusters last.
  public func text(
    _ diff: SnapshotDiff, old: Snapshot, new: Snapshot, oldPath: String, newPath: String
  ) -> String {
    let width = max(oldPath.count, newPath.count)
    var out = ""
    for (path, s) in [(oldPath, old), (newPath, new)] {
      out += style(Formatting.fit(path, width), .heading)
        + "  pid \(s.process.pid) \(s.process.name)  \(total(s)) threads  \(s.takenAt)\n"
    }
    let changed = diff.changed.count
    let grew = diff.changes.reduce(0) { $0 + $1.delta }
    out += "grouped by \(diff.groupBy.rawValue); \(changed) cluster\(changed == 1 ? "" : "s") "
      + "changed, \(diff.changes.count - changed) unchanged; threads \(signed(grew))\n"
    for warning in diff.warnings { out += style("warning: \(warning)", .warning) + "\n" }
    out += "\n" + style("STATUS  BEFORE  AFTER  DELTA  CLUSTER", .dim) + "\n"
    for c in diff.changes {
      let row = Formatting.fit(c.status.rawValue, 6) + Formatting.right("\(c.before)", 8)
        + Formatting.right("\(c.after)", 7) + Formatting.right(signed(c.delta), 7) + "  "
      let room = max(10, 98 - row.count - 19)
      out += (c.status == .same ? style(row, .dim) : style(row, .count))
        + Formatting.fit(c.label, room).trimmedRight() + "  " + style("id \(c.id)", .dim) + "\n"
    }
    return out
  }

  /// `{"schema":"threadprof.diff/1","old":…,"new":…,"changes":[…]}`.
  public func json(
    _ diff: SnapshotDiff, old: Snapshot, new: Snapshot, oldPath: String, newPath: String
  ) throws -> [UInt8] {
    try SnapshotJSON.encode(
      Doc(
        schema: DiffReport.schema, groupBy: diff.groupBy.rawValue,
        old: Side(path: oldPath, s: old), new: Side(path: newPath, s: new),
        changes: diff.changes.map(Change.init), warnings: diff.warnings))
  }

  private func total(_ s: Snapshot) -> Int {
    s.threads.isEmpty ? s.clusters.reduce(0) { $0 + $1.count } : s.threads.count
  }

  private func signed(_ n: Int) -> String { n > 0 ? "+\(n)" : "\(n)" }

  private struct Doc: Encodable {
    var schema: String
    var groupBy: String
    var old: Side
    var new: Side
    var changes: [Change]
    var warnings: [String]
    enum CodingKeys: String, CodingKey {
      case schema, groupBy = "group_by", old, new, changes, warnings
    }
  }

  private struct Side: Encodable {
    var path: String
    var pid: Int32
    var name: String
    var takenAt: String
    var stacks: Bool
    var threads: Int
    enum CodingKeys: String, CodingKey {
      case path, pid, name, takenAt = "taken_at", stacks, threads
    }
    init(path: String, s: Snapshot) {
      self.path = path
      pid = s.process.pid
      name = s.process.name
      takenAt = s.takenAt
      stacks = s.stacks
      threads = s.threads.isEmpty ? s.clusters.reduce(0) { $0 + $1.count } : s.threads.count
    }
  }

  private struct Change: Encodable {
    var id: String
    var status: String
    var before: Int
    var after: Int
    var delta: Int
    var label: String
    var names: [NameCount]
    var state: String?
    var wchan: String?
    var syscall: String?
    /// The representative stack as symbols (`function` or `module+0xoff`).
    var frames: [String]?
    init(_ c: ClusterChange) {
      id = c.id
      status = c.status.rawValue
      before = c.before
      after = c.after
      delta = c.delta
      label = c.label
      names = c.cluster.names
      state = c.cluster.state
      wchan = c.cluster.wchan
      syscall = c.cluster.syscall
      frames = c.cluster.stack?.map(\.symbol)
    }
  }
}

extension String {
  fileprivate func trimmedRight() -> String {
    var s = Substring(self)
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
